"""The check runner: claim the due checks, probe them concurrently, record the results.

1. **Claim** (``checks_claim``): the ids of due checks (enabled, ``next_run_at`` passed, not
   claimed or claim expired), then one conditional ``UPDATE … SET claimed_until, claim_token
   WHERE id IN (…) AND (claimed_until IS NULL OR claimed_until < now)``. Under PostgreSQL's
   read committed a second worker's UPDATE waits for the first and re-checks the condition,
   so each check is claimed by one worker only; the rows read back by their token are ours.
2. **Probe**: HTTP/TCP/DNS checks together on one event loop (``probes.probe_all``, at most
   ``MONITORING_CONCURRENCY`` at once, each under its own timeout); portal parts and database
   thresholds in the worker's thread (they are few and use Django's connections).
3. **Record** (``results_record``): the results in one ``bulk_create``; the counters, next
   run and claim of the whole batch in one ``UPDATE`` (``counters_record``: the rows still
   claimed by our token, locked first); a change of state through ``state.state_set``
   (incident opened or resolved).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Case, Q, Value, When
from django.utils import timezone

from core.selectors import health_status

from .. import selectors_db
from ..choices import CheckKind, PortalComponent
from ..constants import CLAIM_BATCH, CLAIM_SECONDS, MESSAGE_LENGTH
from ..models import Check, CheckResult
from . import state
from .maintenance import maintenance_check_ids
from .probes import Outcome, Spec, probe_all


@dataclass
class RunReport:
    claimed: int = 0
    ok: int = 0
    failed: int = 0
    changed: int = 0


def checks_claim(
    *, now: datetime, limit: int = CLAIM_BATCH, only: int | None = None
) -> tuple[uuid.UUID, list[Check]]:
    due = Check.objects.due(now)
    if only is not None:
        due = due.filter(pk=only)
    ids = list(due.order_by("next_run_at").values_list("pk", flat=True)[:limit])
    token = uuid.uuid4()
    if not ids:
        return token, []
    Check.objects.filter(pk__in=ids).filter(
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    ).update(claimed_until=now + timedelta(seconds=CLAIM_SECONDS), claim_token=token)
    return token, list(Check.objects.filter(claim_token=token).order_by("pk"))


def spec_of(check: Check) -> Spec:
    return Spec(
        pk=check.pk,
        kind=check.kind,
        url=check.url,
        method=check.method or "GET",
        headers=check.headers or {},
        body=check.body,
        expected_status=check.expected_status or "200-399",
        keyword=check.keyword,
        json_path=check.json_path,
        json_value=check.json_value,
        max_response_ms=check.max_response_ms,
        verify_tls=check.verify_tls,
        tls_warning_days=check.tls_warning_days,
        host=check.host,
        port=check.port,
        dns_expected=check.dns_expected,
        timeout=check.timeout_seconds,
        retries=check.retries,
    )


def _portal(check: Check, health: dict) -> Outcome:
    if check.component == PortalComponent.HEALTHZ:
        ok = health["status"] == "ok"
        failing = ", ".join(health["failing"])
        return Outcome(ok, failing, int(health["elapsed_ms"]))
    part = health["checks"].get(check.component, {})
    return Outcome(bool(part.get("ok")), str(part.get("detail", ""))[:MESSAGE_LENGTH])


def _database(check: Check) -> Outcome:
    try:
        value = selectors_db.metric_value(check.db_metric)
    except selectors_db.NotPostgres as exc:
        return Outcome(False, str(exc))
    ok = value <= check.db_limit
    return Outcome(ok, f"{check.get_db_metric_display()}: {value:g} (≤ {check.db_limit:g})")


def checks_probe(checks: list[Check]) -> list[Outcome]:
    asyncio_checks = [c for c in checks if c.kind in (CheckKind.HTTP, CheckKind.TCP, CheckKind.DNS)]
    outcomes = dict(
        zip(
            [c.pk for c in asyncio_checks],
            probe_all(
                [spec_of(c) for c in asyncio_checks], concurrency=settings.MONITORING_CONCURRENCY
            ),
            strict=True,
        )
    )
    health = None
    for check in checks:
        if check.kind == CheckKind.PORTAL:
            health = health or health_status()
            outcomes[check.pk] = _portal(check, health)
        elif check.kind == CheckKind.DATABASE:
            outcomes[check.pk] = _database(check)
    return [outcomes[c.pk] for c in checks]


def results_record(
    *, token: uuid.UUID, checks: list[Check], outcomes: list[Outcome], now: datetime
) -> RunReport:
    report = RunReport(claimed=len(checks))
    maintenance = maintenance_check_ids([c.pk for c in checks], now)
    CheckResult.objects.bulk_create(
        [
            CheckResult(
                check_ref_id=check.pk,
                at=now,
                ok=outcome.ok,
                response_ms=outcome.response_ms,
                status_code=outcome.status_code,
                message=outcome.message[:MESSAGE_LENGTH],
            )
            for check, outcome in zip(checks, outcomes, strict=True)
        ],
        batch_size=500,
    )
    for check, outcome in zip(checks, outcomes, strict=True):
        report.ok += outcome.ok
        report.failed += not outcome.ok
        check.failures = 0 if outcome.ok else check.failures + 1
        check.successes = check.successes + 1 if outcome.ok else 0
        check.last_message = outcome.message[:MESSAGE_LENGTH]
        check.last_response_ms = outcome.response_ms
        check.last_ok = outcome.ok
        if outcome.tls_expires_at is not None:
            check.tls_expires_at = outcome.tls_expires_at
    mine = counters_record(token=token, checks=checks, now=now)
    for check, outcome in zip(checks, outcomes, strict=True):
        if check.pk not in mine:
            continue  # paused meanwhile, or the claim expired and was taken over
        new = state.next_state(check, ok=outcome.ok, maintenance=check.pk in maintenance)
        if state.state_set(
            check=check, old=check.state, new=new, now=now, cause=check.last_message
        ):
            report.changed += 1
    return report


def _per_check(checks: list[Check], field: str, output) -> Case | Value:
    """``CASE id WHEN … THEN <the check's value> END`` for ``field``, or one ``Value`` when
    every check has the same."""
    values = {getattr(c, field) for c in checks}
    if len(values) == 1:
        return Value(values.pop(), output_field=output)
    return Case(
        *[When(pk=c.pk, then=Value(getattr(c, field), output_field=output)) for c in checks],
        output_field=output,
    )


@transaction.atomic
def counters_record(*, token: uuid.UUID, checks: list[Check], now: datetime) -> set[int]:
    """Write the counters, last result, next run of ``checks`` and release their claim, in one
    ``UPDATE`` for the whole batch (a ``CASE`` per field that differs between checks); only
    the rows still claimed by ``token`` and enabled are written. Returns their ids.

    The rows are locked first, in pk order (``SELECT … FOR UPDATE``), so the ids returned are
    exactly the rows the ``UPDATE`` wrote: a check paused or taken over meanwhile is neither."""
    mine = set(
        Check.objects.select_for_update()
        .filter(pk__in=[c.pk for c in checks], claim_token=token, enabled=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    rows = [c for c in checks if c.pk in mine]
    if not rows:
        return mine
    for check in rows:
        check.next_run_at = now + timedelta(seconds=check.interval_seconds)
    field = Check._meta.get_field
    Check.objects.filter(pk__in=mine).update(
        failures=_per_check(rows, "failures", field("failures")),
        successes=_per_check(rows, "successes", field("successes")),
        last_ok=_per_check(rows, "last_ok", field("last_ok")),
        last_response_ms=_per_check(rows, "last_response_ms", field("last_response_ms")),
        last_message=_per_check(rows, "last_message", field("last_message")),
        next_run_at=_per_check(rows, "next_run_at", field("next_run_at")),
        tls_expires_at=_per_check(rows, "tls_expires_at", field("tls_expires_at")),
        last_checked_at=now,
        claimed_until=None,
        claim_token=None,
    )
    return mine


def run_due(*, now: datetime | None = None, limit: int = CLAIM_BATCH) -> RunReport:
    """Claim, probe and record one batch of due checks."""
    now = now or timezone.now()
    token, checks = checks_claim(now=now, limit=limit)
    if not checks:
        return RunReport()
    outcomes = checks_probe(checks)
    return results_record(token=token, checks=checks, outcomes=outcomes, now=timezone.now())


def check_run_now(*, check: Check) -> RunReport:
    """Run one check at once (the page's "check now"): make it due, then claim it."""
    now = timezone.now()
    Check.objects.filter(pk=check.pk, enabled=True).update(next_run_at=now)
    token, checks = checks_claim(now=now, only=check.pk)
    if not checks:
        return RunReport()
    return results_record(
        token=token, checks=checks, outcomes=checks_probe(checks), now=timezone.now()
    )
