"""Migration 0007: the calendar feeds' tokens are replaced by their SHA-256, so an address
already given to a calendar program keeps working and the token itself is no longer stored."""

import hashlib

import pytest
from django.urls import reverse

from tests.migration_support import migrate, migrate_to_latest

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = ("meetings", "0006_calendar_feed")
AFTER = ("meetings", "0007_calendar_feed_token_hash")


def test_existing_tokens_are_hashed_and_their_addresses_keep_working(client):
    old = migrate([BEFORE])
    User = old.get_model("accounts", "User")
    Feed = old.get_model("meetings", "CalendarFeed")
    person = User.objects.create(username="subscriber", password="!")
    Feed.objects.create(user=person, token="old-token-given-to-outlook")

    new = migrate([AFTER])
    (stored,) = new.get_model("meetings", "CalendarFeed").objects.values()
    assert "token" not in stored
    assert stored["token_hash"] == hashlib.sha256(b"old-token-given-to-outlook").hexdigest()
    migrate_to_latest()
    answer = client.get(reverse("meetings:calendar_feed", args=["old-token-given-to-outlook"]))
    assert answer.status_code == 200 and b"BEGIN:VCALENDAR" in answer.content
