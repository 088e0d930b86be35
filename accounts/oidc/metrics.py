"""Counters of the single sign-on for monitoring: logins, token grants and the rest.

Kept in the cache (Redis in production, so shared by every web process and worker; atomic
``INCR``) without expiry. They count from the moment the cache was last emptied, as Prometheus
counters do from a process start: monitoring takes rates, which survive resets. In the
embedded default the cache is per process, so the figures are per process there.

Exposed at ``/api/v1/sso/metrics`` as JSON, or as Prometheus text with
``?format=prometheus`` / ``Accept: text/plain``.
"""

from __future__ import annotations

import itertools
import logging

from django.core.cache import cache

from ..choices import LoginMethod
from . import fastcache

logger = logging.getLogger("accounts.oidc.metrics")

OTHER = "other"

# name -> (help text, {label: allowed values})
COUNTERS: dict[str, tuple[str, dict[str, list[str]]]] = {
    "sso_logins_total": (
        "Logins to the portal, by method and result.",
        {"method": [*LoginMethod.values, OTHER], "result": ["success", "failure"]},
    ),
    "sso_token_grants_total": (
        "Tokens issued at the token endpoint, by grant type.",
        {"grant_type": ["authorization_code", "client_credentials", "refresh_token", OTHER]},
    ),
    "sso_token_revocations_total": ("Tokens revoked through the revocation endpoint.", {}),
    "sso_introspections_total": (
        "Token introspections (RFC 7662 and the rights API), by answer.",
        {"active": ["true", "false"]},
    ),
    "sso_userinfo_requests_total": ("Answers of the userinfo endpoint.", {}),
    "sso_consents_total": (
        "Answers on the consent screen of external applications.",
        {"decision": ["granted", "refused"]},
    ),
    "sso_policy_refusals_total": (
        "Sign-ins refused because the application's access policy does not admit the user.",
        {},
    ),
    "sso_backchannel_logouts_total": (
        "Back-channel logout deliveries, by outcome.",
        {"result": ["delivered", "failed"]},
    ),
    "sso_role_changes_total": (
        "Role assignments made or removed through the rights API and the admin.",
        {"change": ["granted", "removed"]},
    ),
}


def _label_sets(labels: dict[str, list[str]]):
    names = sorted(labels)
    for values in itertools.product(*(labels[n] for n in names)):
        yield dict(zip(names, values, strict=True))


def _key(name: str, labels: dict[str, str]) -> str:
    suffix = ",".join(f"{k}={labels[k]}" for k in sorted(labels))
    return f"sso:metric:{name}:{suffix}"


def _normalise(name: str, labels: dict[str, str]) -> dict[str, str] | None:
    if name not in COUNTERS:
        raise KeyError(f"unknown counter {name!r}")
    allowed = COUNTERS[name][1]
    if set(labels) != set(allowed):
        raise KeyError(f"counter {name!r} takes labels {sorted(allowed)}, got {sorted(labels)}")
    clean = {}
    for label, value in labels.items():
        value = str(value)
        if value not in allowed[label]:
            if OTHER not in allowed[label]:
                return None
            value = OTHER
        clean[label] = value
    return clean


def increment(name: str, **labels) -> None:
    """Add one to a counter (one ``INCR`` on Redis). A cache failure is logged, never raised:
    monitoring must not break a login."""
    clean = _normalise(name, labels)
    if clean is None:
        return
    key = _key(name, clean)
    try:
        fastcache.incr(key)
    except Exception:  # noqa: BLE001 - a cache outage must not fail the request
        logger.warning("could not count %s", key, exc_info=True)


def snapshot() -> dict:
    """Every counter with every label combination (zeros included), in one cache round trip."""
    keys = {}
    for name, (_help, labels) in COUNTERS.items():
        for label_set in _label_sets(labels):
            keys[_key(name, label_set)] = (name, label_set)
    try:
        values = cache.get_many(list(keys))
    except Exception:  # noqa: BLE001
        logger.warning("could not read the counters", exc_info=True)
        values = {}
    result = {
        name: {"help": help_text, "values": []} for name, (help_text, _labels) in COUNTERS.items()
    }
    for key, (name, label_set) in keys.items():
        result[name]["values"].append({"labels": label_set, "value": int(values.get(key) or 0)})
    return result


def prometheus_text(counters: dict) -> str:
    """The Prometheus text exposition format (version 0.0.4) of ``snapshot()``."""
    lines = []
    for name, data in counters.items():
        lines.append(f"# HELP {name} {data['help']}")
        lines.append(f"# TYPE {name} counter")
        for sample in data["values"]:
            labels = sample["labels"]
            if labels:
                inner = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
                lines.append(f"{name}{{{inner}}} {sample['value']}")
            else:
                lines.append(f"{name} {sample['value']}")
    return "\n".join(lines) + "\n"


def login_method_for_backend(backend_path: str) -> str:
    """Which login method an authentication backend stands for (for the login counter)."""
    name = (backend_path or "").lower()
    if "ldap" in name:
        return LoginMethod.LDAP
    if "cert" in name:
        return LoginMethod.CERTIFICATE
    if "modelbackend" in name or "password" in name or "axes" in name:
        return LoginMethod.PASSWORD
    return OTHER
