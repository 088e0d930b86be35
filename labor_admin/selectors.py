"""Reads of the labour-administration platform. Every list of cases starts from
``Case.objects.visible_to(who)`` (``querysets``): pages, API, export, the admin, the board."""

from __future__ import annotations

import datetime as dt
import time

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from accounts import authz
from accounts.models import User
from core.models import County, Organization

from .choices import ActorRole
from .constants import READ_ROLES, WRITE_ROLES
from .models import (
    ApiClient,
    Case,
    CaseDayCount,
    CaseEvent,
    CaseField,
    CaseOpenCount,
    CaseStatus,
    CaseTransition,
    CaseType,
    IndustryDivision,
)
from .querysets import unit_q


def is_client(who) -> bool:
    return isinstance(who, ApiClient)


def covers(who, unit, roles=READ_ROLES) -> bool:
    """Whether ``who`` (a person or an API client) covers ``unit`` with one of ``roles``."""
    unit_id = unit.pk if isinstance(unit, Organization) else unit
    if is_client(who):
        return who.active and who.unit_id == unit_id and (roles != WRITE_ROLES or who.may_write)
    return any(authz.has_role(who, role, unit_id) for role in roles)


def can_use(user) -> bool:
    """Whether ``user`` holds any role of this app (the tile and the pages)."""
    return any(authz.has_role(user, role) for role in READ_ROLES)


def can_write_anywhere(user) -> bool:
    return any(authz.has_role(user, role) for role in WRITE_ROLES)


def writable_units(who) -> QuerySet[Organization]:
    """Units where ``who`` may take in cases (the intake form's and the import's choices)."""
    if is_client(who):
        return (
            Organization.objects.filter(pk=who.unit_id)
            if who.may_write and who.active
            else (Organization.objects.none())
        )
    ids: set[int] = set()
    for role in WRITE_ROLES:
        ids |= authz.units_where(who, role)
    return Organization.objects.filter(pk__in=ids, is_active=True).order_by("sort_order", "code")


def case_types(*, active_only: bool = True) -> QuerySet[CaseType]:
    qs = CaseType.objects.all()
    if active_only:
        qs = qs.filter(is_active=True)
    return qs.prefetch_related("fields", "statuses", "transitions")


def case_type_by_code(code: str, *, active_only: bool = True) -> CaseType | None:
    return case_types(active_only=active_only).filter(code=code).first()


def case_type_for_intake(code: str) -> CaseType | None:
    """An active case type with its fields and statuses (what intake needs), kept per process
    for ``REFERENCE_SECONDS`` and forgotten in this process as soon as a type, field, status
    or transition is saved or deleted (``forget_reference``; the admin's saves). Treat the
    instance as read-only: it is shared by the requests of this process."""
    types = _cached(
        "intake_types",
        lambda: {
            t.code: t
            for t in CaseType.objects.filter(is_active=True).prefetch_related("fields", "statuses")
        },
    )
    return types.get(code)


def type_fields(case_type: CaseType) -> list[CaseField]:
    return list(case_type.fields.all())


# Reference tables read on every intake (22 counties, ~90 industry divisions) are kept per
# process for REFERENCE_SECONDS: a division or county added in the admin counts within that.
REFERENCE_SECONDS = 60
_reference: dict[str, tuple[float, dict]] = {}


def _cached(name: str, load) -> dict:
    now = time.monotonic()
    entry = _reference.get(name)
    if entry is None or entry[0] < now:
        entry = (now + REFERENCE_SECONDS, load())
        _reference[name] = entry
    return entry[1]


def forget_reference(**_kwargs) -> None:
    """Forget the reference tables and case types kept in this process."""
    _reference.clear()


for _model in (CaseType, CaseField, CaseStatus, CaseTransition, IndustryDivision, County):
    post_save.connect(forget_reference, sender=_model, dispatch_uid=f"labor-ref-{_model}")
    post_delete.connect(forget_reference, sender=_model, dispatch_uid=f"labor-ref-del-{_model}")


def divisions_by_code() -> dict[str, IndustryDivision]:
    return _cached(
        "divisions",
        lambda: {d.code: d for d in IndustryDivision.objects.select_related("sector")},
    )


def case_type_ids() -> dict[str, int]:
    """Codes of every case type to ids (types are never deleted while cases use them)."""
    return _cached("type_ids", lambda: dict(CaseType.objects.values_list("code", "pk")))


def counties_by_code() -> dict[str, County]:
    return _cached("counties", lambda: {c.code: c for c in County.objects.all()})


def industry_codes() -> set[str]:
    return set(divisions_by_code())


def industry_choices() -> list[tuple[str, str]]:
    return [
        (d.code, f"{d.sector.code}{d.code} {d.name}")
        for d in IndustryDivision.objects.select_related("sector")
    ]


def county_choices() -> list[tuple[str, str]]:
    return [(c.code, c.name) for c in County.objects.all()]


def handler_choices(unit) -> QuerySet[User]:
    """People who may handle a case of ``unit``: holders of a writing role covering it."""
    ids: set[int] = set()
    for role in WRITE_ROLES:
        ids |= set(authz.role_holders(role, unit).values_list("pk", flat=True))
    return User.objects.filter(pk__in=ids).order_by("username")


def case_list(who, *, filters: dict | None = None) -> QuerySet[Case]:
    """The cases ``who`` sees, filtered: ``case_type`` (code), ``status`` (code), ``unit``
    (id), ``county`` (code), ``handler`` (a user), ``overdue`` (bool), ``open`` (bool), ``q``
    (number, subject, employer or business ID), ``received_from``/``received_to``."""
    qs = Case.objects.visible_to(who)
    f = filters or {}
    if f.get("case_type"):
        # By id, not through a join on the code: the planner then walks labor_case_unit_type
        # in order and stops after the page.
        qs = qs.filter(case_type_id=case_type_ids().get(f["case_type"], 0))
    if f.get("status"):
        qs = qs.filter(status__code=f["status"])
    if f.get("unit"):
        qs = qs.filter(unit_id=f["unit"])
    if f.get("county"):
        qs = qs.filter(county__code=f["county"])
    if f.get("handler") is not None:
        qs = qs.filter(handler=f["handler"])
    if f.get("open") is not None:
        qs = qs.filter(is_open=f["open"])
    if f.get("overdue"):
        qs = qs.overdue(timezone.localdate())
    if f.get("received_from"):
        qs = qs.filter(received_on__gte=f["received_from"])
    if f.get("received_to"):
        qs = qs.filter(received_on__lte=f["received_to"])
    if f.get("q"):
        term = f["q"]
        qs = qs.filter(
            Q(number__icontains=term)
            | Q(subject__icontains=term)
            | Q(employer_name__icontains=term)
            | Q(employer_business_id=term)
        )
    return qs.select_related("case_type", "unit", "county", "status", "handler", "industry")


def case_get(who, pk) -> Case | None:
    return case_list(who).filter(pk=pk).first()


def case_detail(who, pk) -> Case | None:
    """``case_get`` with the timeline (and each line's statuses and person) prefetched."""
    events = CaseEvent.objects.select_related("from_status", "to_status", "actor", "api_client")
    return (
        case_list(who)
        .filter(pk=pk)
        .select_related("industry", "pending_transition")
        .prefetch_related(Prefetch("events", queryset=events))
        .first()
    )


def available_transitions(who, case: Case) -> list[CaseTransition]:
    """The transitions ``who`` may make on ``case`` now (its status, the role each needs)."""
    if not case.is_open and not case.status.transitions_out.exists():
        return []
    if case.pending_transition_id:
        return []
    out = []
    for transition in case.status.transitions_out.select_related("to_status").order_by(
        "sort_order", "pk"
    ):
        if may_make(who, case, transition):
            out.append(transition)
    return out


def may_make(who, case: Case, transition: CaseTransition) -> bool:
    if is_client(who):
        return (
            transition.actor_role == ActorRole.CLERK
            and not transition.requires_approval
            and covers(who, case.unit_id, WRITE_ROLES)
        )
    return authz.has_role(who, transition.actor_role, case.unit_id)


# --- the national board ------------------------------------------------------------------


def _month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def board(who, *, today: dt.date | None = None) -> dict:
    """The figures of every case ``who`` sees: received and closed today and this month by
    type and county, open and overdue, average handling days of the cases closed this month.

    Three small queries, whatever the number of cases: the month's ``CaseDayCount`` rows
    (received, closed, handling days; at most days × units × types), the ``CaseOpenCount``
    rows (open), and the open cases not yet due (``labor_case_open_due``, a range of the
    partial index covering only recent cases); overdue is open minus not yet due. The counters
    are kept in the transaction of every intake and transition (``services.counters``), so the
    figures are exact, and filtered by the same ``unit_q`` as the cases."""
    today = today or timezone.localdate()
    month = _month_start(today)
    scope = unit_q(who, READ_ROLES)
    key = ("case_type_id", "county_id")
    days = list(
        CaseDayCount.objects.filter(scope, day__gte=month, day__lte=today)
        .values(*key)
        .annotate(
            received_month=Sum("received"),
            received_today=Sum("received", filter=Q(day=today)),
            closed_month=Sum("closed"),
            closed_today=Sum("closed", filter=Q(day=today)),
            days=Sum("handling_days"),
        )
        .order_by()
    )
    open_counts = {
        (row["case_type_id"], row["county_id"]): row["n"]
        for row in CaseOpenCount.objects.filter(scope)
        .values(*key)
        .annotate(n=Sum("open_cases"))
        .order_by()
    }
    not_due = {
        (row["case_type_id"], row["county_id"]): row["n"]
        for row in Case.objects.visible_to(who)
        .filter(is_open=True, due_on__gte=today)
        .values(*key)
        .annotate(n=Count("pk"))
        .order_by()
    }

    def rows(name):
        return [
            {"case_type_id": r["case_type_id"], "county_id": r["county_id"], "n": r[name] or 0}
            for r in days
            if r[name]
        ]

    return _board_table(
        today=today,
        received_month=rows("received_month"),
        received_today=rows("received_today"),
        closed_month=[
            {
                "case_type_id": r["case_type_id"],
                "county_id": r["county_id"],
                "n": r["closed_month"],
                "days": r["days"] or 0,
            }
            for r in days
            if r["closed_month"]
        ],  # fmt: skip
        closed_today=rows("closed_today"),
        open_rows=[
            {"case_type_id": t, "county_id": c, "n": n, "overdue": n - not_due.get((t, c), 0)}
            for (t, c), n in open_counts.items()
            if n
        ],
    )


def _board_table(*, today, received_month, received_today, closed_month, closed_today, open_rows):
    types = {t.pk: t for t in CaseType.objects.all()}
    counties = {c.pk: c for c in County.objects.all()}

    def blank():
        return {
            "received_today": 0,
            "received_month": 0,
            "closed_today": 0,
            "closed_month": 0,
            "open": 0,
            "overdue": 0,
            "_days": 0,
        }

    by_type: dict[int, dict] = {}
    by_county: dict[int, dict] = {}
    total = blank()

    def add(type_id, county_id, key, n):
        for bucket, k in ((by_type, type_id), (by_county, county_id)):
            bucket.setdefault(k, blank())[key] += n
        total[key] += n

    for row in received_month:
        add(row["case_type_id"], row["county_id"], "received_month", row["n"])
    for row in received_today:
        add(row["case_type_id"], row["county_id"], "received_today", row["n"])
    for row in closed_today:
        add(row["case_type_id"], row["county_id"], "closed_today", row["n"])
    for row in closed_month:
        add(row["case_type_id"], row["county_id"], "closed_month", row["n"])
        add(row["case_type_id"], row["county_id"], "_days", row["days"] or 0)
    for row in open_rows:
        add(row["case_type_id"], row["county_id"], "open", row["n"])
        add(row["case_type_id"], row["county_id"], "overdue", row["overdue"])

    def finish(row):
        closed = row["closed_month"]
        row["average_days"] = round(row.pop("_days") / closed, 1) if closed else None
        return row

    type_rows = [
        {"case_type": types[k], **finish(v)}
        for k, v in sorted(
            by_type.items(), key=lambda kv: (types[kv[0]].sort_order, types[kv[0]].code)
        )
    ]
    county_rows = [
        {"county": counties[k], **finish(v)}
        for k, v in sorted(by_county.items(), key=lambda kv: counties[kv[0]].sort_order)
    ]
    return {
        "today": today,
        "month": _month_start(today),
        "total": finish(total),
        "by_type": type_rows,
        "by_county": county_rows,
    }


def api_client_for(application) -> ApiClient | None:
    """The case API client an application is registered as (None when it is not)."""
    return ApiClient.objects.select_related("unit").filter(application=application).first()
