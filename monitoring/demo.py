"""Demo data of the service monitor: the portal's own checks, two application groups with
public status pages, HTTP/TCP/heartbeat checks with a day of results and 90 days of daily
uptime, a contact rule with two steps (e-mail, then SMS after 10 minutes), a weekly
maintenance window, one resolved and one open incident with their timelines. Nothing is
mailed: the incidents are written as history (no step is left due).

Roles: wang.jianguo (資訊處科長) is monitoring manager; lee.zhiwei operates the WDA's group;
lin.meihua operates every group (operator without a unit scope).
Idempotent: groups, checks and rules are keyed by code, slug and name; results and incidents
are written only for a check that has none.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone

from accounts.models import User
from accounts.oidc.services import role_assign
from core.models import Organization
from core.registry import demo_loader

from .choices import CheckKind, CheckState, EventKind, IncidentState, Repeat
from .models import (
    ApplicationGroup,
    Check,
    CheckResult,
    ContactRule,
    DailyUptime,
    EscalationStep,
    Incident,
    IncidentEvent,
    MaintenanceWindow,
)
from .roles import MANAGER, OPERATOR
from .services.rollup import rollup_hours
from .services.selfwatch import self_sync

GROUPS = [
    ("bli", "勞工保險局 e 化服務", "BLI e-services", "BLI"),
    ("wda", "台灣就業通", "Taiwan Jobs", "WDA"),
]

# (slug, group, name, kind, fields, healthy)
CHECKS = [
    (
        "demo:bli-web",
        "bli",
        "勞保局全球資訊網",
        CheckKind.HTTP,
        {"url": "http://127.0.0.1:8000/healthz", "keyword": "ok"},
        True,
    ),
    (
        "demo:bli-eservice",
        "bli",
        "勞保 e 化服務系統",
        CheckKind.HTTP,
        {"url": "http://127.0.0.1:8000/healthz", "max_response_ms": 2000},
        True,
    ),
    (
        "demo:bli-db",
        "bli",
        "勞保資料庫連接埠",
        CheckKind.TCP,
        {"host": "127.0.0.1", "port": 5432},
        True,
    ),
    (
        "demo:wda-jobs",
        "wda",
        "台灣就業通網站",
        CheckKind.HTTP,
        {"url": "http://127.0.0.1:8000/healthz"},
        False,
    ),
    (
        "demo:wda-sync",
        "wda",
        "職缺資料夜間同步",
        CheckKind.HEARTBEAT,
        {"cron": "0 2 * * *", "time_zone": "Asia/Taipei", "grace_seconds": 3600},
        True,
    ),
]


def _roles() -> None:
    users = {
        u.username: u
        for u in User.objects.filter(username__in=["wang.jianguo", "lee.zhiwei", "lin.meihua"])
    }
    if "lin.meihua" in users:  # the crawled demo staff member: operates every group
        role_assign(application=None, user=users["lin.meihua"], role_code=OPERATOR)
    if "wang.jianguo" in users:
        role_assign(application=None, user=users["wang.jianguo"], role_code=MANAGER)
    wda = Organization.objects.filter(code="WDA").first()
    if "lee.zhiwei" in users and wda:
        role_assign(application=None, user=users["lee.zhiwei"], role_code=OPERATOR, scope=wda)


def _rule() -> ContactRule:
    rule, _ = ContactRule.objects.get_or_create(name="資訊處值班", defaults={"repeat": 1})
    first, _ = EscalationStep.objects.get_or_create(
        rule=rule, order=1, defaults={"wait_minutes": 0, "email": True}
    )
    EscalationStep.objects.get_or_create(
        rule=rule, order=2, defaults={"wait_minutes": 10, "email": True, "sms": True}
    )
    manager = User.objects.filter(username="wang.jianguo").first()
    if manager and not first.users.exists():
        first.users.add(manager)
    return rule


def _history(check: Check, healthy: bool, now, rng: random.Random) -> None:
    if check.results.exists():
        return
    base = 120 if check.kind == CheckKind.HTTP else 5
    results = [
        CheckResult(
            check_ref=check,
            at=now - timedelta(minutes=5 * i),
            ok=healthy or i > 6,
            response_ms=int(base * rng.uniform(0.7, 1.6)),
            status_code=200 if check.kind == CheckKind.HTTP else None,
        )
        for i in range(288)
    ]
    CheckResult.objects.bulk_create(results)
    today = timezone.localdate(now)
    DailyUptime.objects.bulk_create(
        [
            DailyUptime(
                check_ref=check,
                day=today - timedelta(days=d),
                total=1440,
                ok=1440 - rng.choice([0, 0, 0, 1, 3, 12]),
                response_ms_avg=base,
            )
            for d in range(1, 91)
        ]
    )


def _incidents(checks: dict[str, Check], rule: ContactRule, now) -> None:
    web = checks["demo:bli-web"]
    if not web.incidents.exists():
        opened = now - timedelta(days=3, hours=2)
        old = Incident.objects.create(
            check_ref=web,
            state=IncidentState.RESOLVED,
            cause="Status 502",
            opened_at=opened,
            resolved_at=opened + timedelta(minutes=18),
            contact_rule=rule,
        )
        IncidentEvent.objects.bulk_create(
            [
                IncidentEvent(incident=old, at=opened, kind=EventKind.OPENED, text="Status 502"),
                IncidentEvent(incident=old, at=opened, kind=EventKind.ALERTED, text="1"),
                IncidentEvent(
                    incident=old, at=opened + timedelta(minutes=18), kind=EventKind.RESOLVED
                ),
            ]
        )
    jobs = checks["demo:wda-jobs"]
    if not jobs.incidents.exists():
        opened = now - timedelta(minutes=25)
        current = Incident.objects.create(
            check_ref=jobs,
            state=IncidentState.OPEN,
            cause="Timed out after 10 s",
            opened_at=opened,
            contact_rule=rule,
            round=1,
            next_step=0,
            next_step_at=None,
        )
        IncidentEvent.objects.create(
            incident=current, at=opened, kind=EventKind.OPENED, text=current.cause
        )


@demo_loader(order=80)
def load_monitoring(stdout):
    rng = random.Random(17)  # noqa: S311 - demo figures, not secrets
    now = timezone.now()
    _roles()
    self_sync()
    rule = _rule()
    groups = {}
    for code, name_zh, name_en, unit_code in GROUPS:
        group, _ = ApplicationGroup.objects.get_or_create(
            code=code,
            defaults={
                "name_zh": name_zh,
                "name_en": name_en,
                "unit": Organization.objects.filter(code=unit_code).first(),
                "public": True,
            },
        )
        if not group.contact_rules.exists():
            group.contact_rules.add(rule)
        groups[code] = group
    checks = {}
    for slug, group_code, name, kind, fields, healthy in CHECKS:
        state = CheckState.UP if healthy else CheckState.DOWN
        check, made = Check.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "group": groups[group_code],
                "kind": kind,
                "state": state,
                "state_changed_at": now - timedelta(minutes=25 if not healthy else 600),
                "last_checked_at": now,
                "last_ok": healthy,
                "last_response_ms": 120,
                "last_message": "" if healthy else "Timed out after 10 s",
                "failures": 0 if healthy else 3,
                "next_run_at": now + timedelta(days=3650),  # history only: never probed
                "last_ping_at": now - timedelta(hours=5) if kind == CheckKind.HEARTBEAT else None,
                **fields,
            },
        )
        checks[slug] = check
        if kind != CheckKind.HEARTBEAT:
            _history(check, healthy, now, rng)
    dependants = checks["demo:bli-eservice"]
    if not dependants.depends_on.exists():
        dependants.depends_on.add(checks["demo:bli-db"])
    window, made = MaintenanceWindow.objects.get_or_create(
        title="每週系統更新",
        defaults={
            "starts_at": (now + timedelta(days=2)).replace(
                hour=14, minute=0, second=0, microsecond=0
            ),
            "ends_at": (now + timedelta(days=2)).replace(
                hour=16, minute=0, second=0, microsecond=0
            ),
            "repeat": Repeat.WEEKLY,
        },
    )
    if made:
        window.groups.add(groups["bli"])
    _incidents(checks, rule, now)
    rollup_hours(now=now)  # the day of results in the dashboard's 24 h figure
    stdout.write("monitoring: demo checks, incidents and status pages ready")
