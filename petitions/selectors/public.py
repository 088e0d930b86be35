"""Reads of the public side: one case's public view, public statistics (counts only)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Avg, Count, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from core.models import County

from ..choices import ANSWERED_STATUSES, PetitionStatus
from ..models import Category, Petition, SatisfactionSurvey, StatusEvent


def public_timeline(*, petition: Petition):
    """Status events of this case only, oldest first (no actor, no internal data)."""
    return StatusEvent.objects.filter(petition=petition).only("status", "public_note", "created_at")


@dataclass
class PublicStatistics:
    total: int = 0
    answered: int = 0
    by_month: list = field(default_factory=list)  # [(date, count)]
    by_category: list = field(default_factory=list)  # [(category, count)]
    by_county: list = field(default_factory=list)  # [(county, count)]
    average_days: float | None = None
    answered_with_deadline: int = 0
    answered_in_time: int = 0
    survey_count: int = 0
    survey_average: float | None = None

    @property
    def in_time_share(self) -> float | None:
        if not self.answered_with_deadline:
            return None
        return self.answered_in_time / self.answered_with_deadline


def public_statistics() -> PublicStatistics:
    """Confirmed cases (web and e-mail) by month of confirmation, category and county; handling
    days from confirmation to the answer; answered by the deadline (Taipei date)."""
    cases = Petition.objects.confirmed().exclude(status=PetitionStatus.MERGED)
    stats = PublicStatistics(total=cases.count())
    stats.by_month = [
        (row["month"], row["n"])
        for row in cases.exclude(confirmed_at=None)
        .annotate(month=TruncMonth("confirmed_at"))
        .values("month")
        .annotate(n=Count("id"))
        .order_by("month")
    ]
    names = {c.pk: c for c in Category.objects.all()}
    stats.by_category = [
        (names.get(row["category"]), row["n"])
        for row in cases.values("category").annotate(n=Count("id")).order_by("-n", "category")
    ]
    counties = {c.pk: c for c in County.objects.all()}
    stats.by_county = [
        (counties.get(row["county"]), row["n"])
        for row in cases.values("county").annotate(n=Count("id")).order_by("-n", "county")
    ]
    answered = cases.filter(status__in=ANSWERED_STATUSES).exclude(replied_at=None)
    stats.answered = answered.count()
    total_days = 0.0
    n = 0
    with_deadline = in_time = 0
    tz = timezone.get_current_timezone()
    for confirmed_at, replied_at, deadline in (
        answered.exclude(confirmed_at=None)
        .values_list("confirmed_at", "replied_at", "deadline")
        .iterator(chunk_size=2000)
    ):
        total_days += (replied_at - confirmed_at).total_seconds() / 86400
        n += 1
        if deadline:
            with_deadline += 1
            if replied_at.astimezone(tz).date() <= deadline:
                in_time += 1
    stats.average_days = total_days / n if n else None
    stats.answered_with_deadline = with_deadline
    stats.answered_in_time = in_time
    survey = SatisfactionSurvey.objects.aggregate(n=Count("id"), avg=Avg("rating"))
    stats.survey_count = survey["n"]
    stats.survey_average = survey["avg"]
    return stats


def confirmed_count_q():
    return ~Q(status=PetitionStatus.PENDING_CONFIRMATION)
