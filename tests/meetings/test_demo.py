"""The demo data: loads, is idempotent, and shows each part of the app."""

from io import StringIO

from accounts.demo import load_users
from meetings.demo import load_meetings
from meetings.models import CaseDecision, Meeting, MeetingBook, SearchEntry, TrackedCase
from meetings.selectors import carried_cases


def test_demo_loads_once_with_every_part(db):
    out = StringIO()
    load_users(out)
    load_meetings(out)
    load_meetings(out)
    assert Meeting.objects.count() == 4
    assert Meeting.objects.filter(status="filing").count() == 1
    assert TrackedCase.objects.filter(status="closed").count() == 1
    assert CaseDecision.objects.filter(decision="keep").count() == 1
    assert MeetingBook.objects.count() == 1
    assert SearchEntry.objects.filter(kind="material").count() >= 13
    upcoming = Meeting.objects.get(status="filing")
    assert len(carried_cases(upcoming)) == 2
    assert "already loaded" in out.getvalue()
