"""Every page of meeting tracking a demo controller reaches, in Chromium at 360 and 1280 px:
one h1, no sideways scroll, axe-core clean (the same checks as the project's crawl, on this
app's pages with its demo data)."""

from io import StringIO

import pytest
from django.urls import reverse

from accounts.demo import DEMO_PASSWORD, load_users
from meetings.demo import load_meetings
from meetings.models import Meeting, TrackedCase, UnitReport
from tests.browser_support import (
    DESKTOP,
    PHONE,
    check_axe,
    check_no_horizontal_overflow,
    log_in,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def pages(transactional_db, settings):
    settings.MFA_REQUIRED_FOR_STAFF = False
    load_users(StringIO())
    load_meetings(StringIO())
    upcoming = Meeting.objects.get(status="filing")
    held = Meeting.objects.filter(books__isnull=False).get()
    case = TrackedCase.objects.filter(status="open").first()
    report = UnitReport.objects.get(meeting=upcoming, unit__code="IM")
    return [
        reverse("meetings:list"),
        reverse("meetings:new"),
        upcoming.get_absolute_url(),
        held.get_absolute_url(),
        report.get_absolute_url(),
        held.books.get().get_absolute_url(),
        reverse("meetings:cases"),
        case.get_absolute_url(),
        reverse("meetings:overdue"),
        reverse("meetings:statistics"),
        reverse("meetings:search") + "?q=資安",
        reverse("meetings:screen", args=[held.pk]),
    ]


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["360px", "1280px"])
def test_every_page_is_accessible(pages, live_server, open_page, viewport):
    page = open_page(viewport)
    log_in(page, live_server.url, "lin.meihua", DEMO_PASSWORD)
    for path in pages:
        response = page.goto(live_server.url + path)
        assert response is not None and response.status == 200, path
        assert page.locator("h1").count() == 1, path
        check_no_horizontal_overflow(page, viewport, path)
        check_axe(page, f"{path} at {viewport['width']}px")
