"""Reads of IT repair. Who sees a ticket: its requester, the members of its team, and the
head or deputies of the requester's unit. Anyone else gets a 404 from ``ticket_get``."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.http import Http404
from django.utils import timezone

from accounts.models import UnitOfficer

from ..models import ITTeam, RepairCategory, Ticket
from ..models.repair import OPEN_STATUSES


def _active(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def team_ids(user) -> list[int]:
    if not _active(user):
        return []
    return list(
        ITTeam.members.through.objects.filter(user_id=user.pk).values_list("itteam_id", flat=True)
    )


def tickets_visible_to(user) -> QuerySet[Ticket]:
    if not _active(user):
        return Ticket.objects.none()
    if user.is_superuser:
        scope = Q()
    else:
        headed = UnitOfficer.objects.filter(user_id=user.pk).values("unit_id")
        scope = Q(requester=user) | Q(team_id__in=team_ids(user)) | Q(unit_id__in=headed)
    return Ticket.objects.filter(scope).select_related(
        "requester", "team", "category", "assignee", "unit"
    )


def ticket_get(user, pk) -> Ticket:
    try:
        return tickets_visible_to(user).get(pk=int(pk))
    except (Ticket.DoesNotExist, TypeError, ValueError):
        raise Http404 from None


def my_tickets(user) -> QuerySet[Ticket]:
    return tickets_visible_to(user).filter(requester_id=getattr(user, "pk", None))


def queue(user, *, team: ITTeam | None = None, open_only: bool = True) -> QuerySet[Ticket]:
    """The tickets of the teams ``user`` belongs to (or of one of them), oldest due first."""
    ids = team_ids(user)
    if team is not None:
        ids = [team.pk] if team.pk in ids else []
    queryset = Ticket.objects.filter(team_id__in=ids).select_related(
        "requester", "team", "category", "assignee"
    )
    if open_only:
        queryset = queryset.filter(status__in=OPEN_STATUSES)
    return queryset.order_by("due_at", "pk")


def my_teams(user) -> QuerySet[ITTeam]:
    return ITTeam.objects.filter(pk__in=team_ids(user), is_active=True)


def is_agent(user) -> bool:
    return bool(team_ids(user))


def categories() -> QuerySet[RepairCategory]:
    return RepairCategory.objects.filter(is_active=True, team__is_active=True).select_related(
        "team"
    )


def teams() -> QuerySet[ITTeam]:
    return ITTeam.objects.filter(is_active=True)


def assignee_choices(team: ITTeam):
    return team.members.filter(is_active=True).order_by("username")


def comments(ticket: Ticket):
    return ticket.comments.select_related("author")


AGE_BANDS = ((1, "0-1"), (3, "1-3"), (7, "3-7"), (None, "7+"))


def open_by_team_and_age(user, *, now: dt.datetime | None = None) -> list[dict]:
    """Per team of ``user`` (every team for a superuser): open tickets by age in days
    (0–1, 1–3, 3–7, over 7) and how many are past due."""
    now = now or timezone.now()
    if user.is_superuser:
        team_list = list(ITTeam.objects.all())
    else:
        team_list = list(ITTeam.objects.filter(pk__in=team_ids(user)))
    counts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    rows = Ticket.objects.filter(team__in=team_list, status__in=OPEN_STATUSES).values_list(
        "team_id", "created_at", "due_at"
    )
    for team_id, created_at, due_at in rows:
        days = (now - created_at).total_seconds() / 86400
        for limit, label in AGE_BANDS:
            if limit is None or days < limit:
                counts[team_id][label] += 1
                break
        if due_at < now:
            counts[team_id]["overdue"] += 1
        counts[team_id]["total"] += 1
    return [
        {
            "team": team,
            "bands": [counts[team.pk][label] for _limit, label in AGE_BANDS],
            "overdue": counts[team.pk]["overdue"],
            "total": counts[team.pk]["total"],
        }
        for team in team_list
    ]


def sla_by_month(user, *, months: int = 12) -> list[dict]:
    """Per month of resolution: tickets resolved, resolved by their due time, the share."""
    queryset = Ticket.objects.filter(resolved_at__isnull=False)
    if not user.is_superuser:
        queryset = queryset.filter(team_id__in=team_ids(user))
    rows = (
        queryset.annotate(month=TruncMonth("resolved_at"))
        .values("month")
        .annotate(
            resolved=Count("pk"),
            met=Count("pk", filter=Q(resolved_at__lte=F("due_at"))),
        )
        .order_by("-month")[:months]
    )
    return [
        {
            "month": row["month"],
            "resolved": row["resolved"],
            "met": row["met"],
            "percent": round(100 * row["met"] / row["resolved"]) if row["resolved"] else None,
        }
        for row in rows
    ]
