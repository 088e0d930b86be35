"""Reads of the shared kernel."""

from __future__ import annotations

import time
import uuid

from celery import current_app
from django.conf import settings
from django.core.cache import cache
from django.db import connections

from .models import County, Organization


def organization_tree() -> list[tuple[Organization, int]]:
    """All active units as (unit, depth) in tree order, with one query."""
    units = list(Organization.objects.active().select_related("parent"))
    children: dict[int | None, list[Organization]] = {}
    for unit in units:
        children.setdefault(unit.parent_id, []).append(unit)
    ordered: list[tuple[Organization, int]] = []

    def walk(parent_id, depth):
        for unit in sorted(children.get(parent_id, []), key=lambda u: (u.sort_order, u.code)):
            ordered.append((unit, depth))
            walk(unit.pk, depth + 1)

    walk(None, 0)
    return ordered


def county_list():
    return County.objects.all()


# --- Health ---------------------------------------------------------------------------------


def _check_database() -> tuple[bool, str]:
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return True, "ok"
    except Exception as exc:  # noqa: BLE001 - any failure means "down"
        return False, exc.__class__.__name__


def _check_cache() -> tuple[bool, str]:
    key = f"healthz:{uuid.uuid4().hex}"
    try:
        cache.set(key, "1", timeout=10)
        ok = cache.get(key) == "1"
        cache.delete(key)
        return ok, "ok" if ok else "read-back failed"
    except Exception as exc:  # noqa: BLE001
        return False, exc.__class__.__name__


def _check_broker() -> tuple[bool, str]:
    app = current_app
    if app.conf.task_always_eager:
        return True, "eager"
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=settings.HEALTHZ_TIMEOUT)
        return True, "ok"
    except Exception as exc:  # noqa: BLE001
        return False, exc.__class__.__name__


def _check_workers() -> tuple[bool, str]:
    app = current_app
    if app.conf.task_always_eager:
        return True, "eager"
    try:
        # limit=1: answer as soon as one worker replies instead of waiting out the timeout.
        replies = app.control.ping(timeout=settings.HEALTHZ_TIMEOUT, limit=1)
    except Exception as exc:  # noqa: BLE001
        return False, exc.__class__.__name__
    if not replies:
        return False, "no worker answered"
    return True, "ok"


def health_status() -> dict:
    """State of each part the portal needs, and whether all required parts are up."""
    started = time.monotonic()
    checks = {"database": _check_database, "cache": _check_cache, "broker": _check_broker}
    result: dict[str, dict] = {}
    for name, check in checks.items():
        ok, detail = check()
        result[name] = {"ok": ok, "detail": detail, "required": True}
    if result["broker"]["ok"]:
        ok, detail = _check_workers()
    else:
        ok, detail = False, "broker unreachable"
    result["workers"] = {
        "ok": ok,
        "detail": detail,
        "required": bool(settings.HEALTHZ_REQUIRE_WORKERS),
    }
    failing = [name for name, part in result.items() if part["required"] and not part["ok"]]
    return {
        "status": "ok" if not failing else "fail",
        "failing": failing,
        "checks": result,
        "elapsed_ms": round((time.monotonic() - started) * 1000, 1),
    }
