"""The inbox page, its filters and bulk actions, the badge endpoint, the header badge, and
permissions from every entry point (owner / colleague / outsider)."""

import pytest
from django.urls import reverse

from notifications.choices import NoticeState
from notifications.models import Notice
from notifications.services import notify

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_quiet_hours(settings):
    settings.NOTIFICATIONS_QUIET_START = settings.NOTIFICATIONS_QUIET_END = "00:00"


def _notice(user, **extra):
    fields = {"kind": "todo", "title": "Sign document 115-001", "link": "/documents/"}
    return notify(recipients=[user], **{**fields, **extra})[0]


def test_the_inbox_needs_a_login(client):
    response = client.get("/notifications/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_inbox_lists_only_the_persons_notices(client, owner, colleague):
    _notice(owner, title="Owner's task")
    _notice(colleague, title="Colleague's task")
    client.force_login(owner)
    page = client.get("/notifications/").content.decode()
    assert "Owner&#x27;s task" in page
    assert "Colleague" not in page


def test_filters(client, owner):
    _notice(owner, title="A to-do")
    _notice(owner, kind="information", title="Some information")
    done = _notice(owner, title="Finished")
    Notice.objects.filter(pk=done.pk).update(state=NoticeState.DONE)
    client.force_login(owner)
    page = client.get("/notifications/", {"kind": "information"}).content.decode()
    assert "Some information" in page and "A to-do" not in page
    page = client.get("/notifications/").content.decode()
    assert "Finished" not in page
    page = client.get("/notifications/", {"state": "done"}).content.decode()
    assert "Finished" in page and "A to-do" not in page
    page = client.get("/notifications/", {"q": "to-do"}).content.decode()
    assert "A to-do" in page and "Some information" not in page


def test_opening_marks_read_and_goes_to_the_item(client, owner):
    notice = _notice(owner)
    client.force_login(owner)
    response = client.get(f"/notifications/{notice.pk}/")
    assert response.status_code == 302 and response["Location"] == "/documents/"
    notice.refresh_from_db()
    assert notice.state == NoticeState.READ and notice.read_at is not None


def test_mark_done_one_and_bulk(client, owner):
    first, second, third = (_notice(owner, title=f"t{i}") for i in range(3))
    client.force_login(owner)
    response = client.post(
        f"/notifications/{first.pk}/mark/", {"action": "done", "next": "/notifications/"}
    )
    assert response.status_code == 302
    response = client.post("/notifications/", {"action": "read", "notices": [second.pk, third.pk]})
    assert response.status_code == 302
    states = dict(Notice.objects.values_list("pk", "state"))
    assert states == {first.pk: "done", second.pk: "read", third.pk: "read"}


def test_others_notices_cannot_be_opened_marked_or_bulk_marked(client, owner, colleague, outsider):
    notice = _notice(owner)
    for intruder in (colleague, outsider):
        client.force_login(intruder)
        assert client.get(f"/notifications/{notice.pk}/").status_code == 404
        assert (
            client.post(f"/notifications/{notice.pk}/mark/", {"action": "done"}).status_code == 404
        )
        client.post("/notifications/", {"action": "done", "notices": [notice.pk]})
    notice.refresh_from_db()
    assert notice.state == NoticeState.UNREAD


def test_the_badge_endpoint(client, owner, colleague):
    client.force_login(owner)
    assert client.get("/notifications/badge/").json()["unread"] == 0
    first = _notice(owner, title="First")
    _notice(colleague)
    data = client.get("/notifications/badge/", {"latest": 0}).json()
    assert data["unread"] == 1 and data["latest"] == first.pk
    second = _notice(owner, title="Second", body="Details")
    data = client.get("/notifications/badge/", {"latest": first.pk, "unread": 1}).json()
    assert data["unread"] == 2
    assert [(n["id"], n["title"], n["body"]) for n in data["new"]] == [
        (second.pk, "Second", "Details")
    ]


def test_the_long_poll_answers_when_something_changes(client, owner, settings):
    settings.NOTIFICATIONS_LONGPOLL_SECONDS = 2
    client.force_login(owner)
    data = client.get("/notifications/badge/", {"latest": 0, "unread": 0, "wait": 1}).json()
    assert data["unread"] == 0  # held 2 s, then answered unchanged
    _notice(owner)
    data = client.get("/notifications/badge/", {"latest": 0, "unread": 0, "wait": 1}).json()
    assert data["unread"] == 1


def test_every_intranet_page_has_the_badge(client, owner):
    _notice(owner)
    _notice(owner)
    client.force_login(owner)
    page = client.get(reverse("core:intranet_home")).content.decode()
    assert "data-notif-badge" in page
    assert 'data-unread="2"' in page
    assert "notifications/badge.js" in page


def test_preferences_are_saved_for_oneself(client, owner):
    client.force_login(owner)
    assert client.get("/notifications/preferences/").status_code == 200
    response = client.post(
        "/notifications/preferences/",
        {"language": "en", "information": [], "todo": ["email", "sms"], "daily_digest": "on",
         "quiet_hours": "on", "quiet_start": "21:30", "quiet_end": "06:45"},
    )  # fmt: skip
    assert response.status_code == 302
    pref = owner.notice_preference
    assert pref.language == "en"
    assert pref.channels == {"information": [], "todo": ["email", "sms"]}
    assert pref.daily_digest and pref.quiet_hours
    assert str(pref.quiet_start) == "21:30:00"


def test_feed_tokens_are_personal_and_revocable(client, owner, colleague):
    client.force_login(owner)
    response = client.post("/notifications/tokens/", {"name": "Office PC"})
    token_value = response.context["created"]
    assert token_value.startswith("mnf_")
    token = owner.notice_feed_tokens.get()
    client.force_login(colleague)
    assert client.post(f"/notifications/tokens/{token.pk}/revoke/").status_code == 404
    client.force_login(owner)
    client.post(f"/notifications/tokens/{token.pk}/revoke/")
    token.refresh_from_db()
    assert token.revoked_at is not None
