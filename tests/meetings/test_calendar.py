"""Calendar: the per-meeting invitation and the attendee's personal subscription feed (a
revocable token URL, read-only, the meetings they attend), checked by a strict RFC 5545 parse
(the icalendar package is not a dependency of the project)."""

import hashlib
import re

import pytest
from django.urls import reverse

from core import ical as core_ical
from meetings import ical, services
from meetings.models import CalendarFeed

from .conftest import at

#: RFC 5545 3.1: contentline = name *(";" param) ":" value; names are IANA tokens or X-names.
CONTENT_LINE = re.compile(
    r'^(?P<name>[A-Za-z0-9-]+)(?P<params>(;[A-Za-z0-9-]+=("[^"\x00-\x1f]*"|[^";:,\x00-\x1f]*)'
    r'(,("[^"\x00-\x1f]*"|[^";:,\x00-\x1f]*))*)*):(?P<value>[^\x00-\x08\x0a-\x1f\x7f]*)$'
)
DATE_TIME_UTC = re.compile(r"^\d{8}T\d{6}Z$")


def parse(body: bytes) -> list[dict]:
    """The VEVENTs of a VCALENDAR, strictly: CRLF line ends, at most 75 octets a line, folded
    lines begin with a space or tab, every content line well formed, BEGIN/END nested and
    matched, the calendar's and each event's required properties present once."""
    assert body.endswith(b"\r\n")
    physical = body[:-2].split(b"\r\n")
    assert all(b"\n" not in line and b"\r" not in line for line in physical)
    assert all(len(line) <= 75 for line in physical), [len(x) for x in physical]
    lines: list[str] = []
    for raw in physical:
        text = raw.decode("utf-8")  # a fold never splits a character
        if text[:1] in (" ", "\t"):
            assert lines, "a continuation line first"
            lines[-1] += text[1:]
        else:
            lines.append(text)
    stack, events, calendar, current = [], [], {}, None
    for line in lines:
        match = CONTENT_LINE.match(line)
        assert match, f"not a content line: {line!r}"
        name, value = match["name"].upper(), match["value"]
        if name == "BEGIN":
            stack.append(value)
            if value == "VEVENT":
                assert stack == ["VCALENDAR", "VEVENT"]
                current = {}
            continue
        if name == "END":
            assert stack and stack.pop() == value, f"END:{value} unmatched"
            if value == "VEVENT":
                for required in ("UID", "DTSTAMP", "DTSTART"):
                    assert required in current, f"VEVENT without {required}"
                events.append(current)
                current = None
            continue
        target = current if current is not None else calendar
        assert name not in target, f"{name} twice"
        target[name] = value
    assert stack == [] and lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"]
    for event in events:
        assert DATE_TIME_UTC.match(event["DTSTART"]) and DATE_TIME_UTC.match(event["DTSTAMP"])
    return events


def unescape(value: str) -> str:
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m[1] in "nN" else m[1], value)


def test_long_chinese_lines_are_folded_between_characters_and_text_is_escaped():
    title = "部務會報；第三次，" + "勞動基準法修正草案" * 8 + "\\結束\n第二行"
    line = core_ical.fold(f"SUMMARY:{core_ical.text(title)}")
    assert all(len(part.encode()) <= 75 for part in line.split("\r\n"))
    body = ical.calendar(
        [
            [
                "BEGIN:VEVENT",
                "UID:x@h",
                "DTSTAMP:20260301T010000Z",
                "DTSTART:20260312T013000Z",
                f"SUMMARY:{core_ical.text(title)}",
                "END:VEVENT",
            ]
        ]
    ).encode()
    (event,) = parse(body)
    assert unescape(event["SUMMARY"]) == title


@pytest.fixture
def attended(meeting, make_meeting, owner, chair):
    meeting.attendees.add(owner)
    with at(2026, 3, 1, 9, 0):
        other = make_meeting(title="另一場會議", starts=(2026, 3, 19, 9, 30), open_filing=False)
    return meeting, other


def test_the_feed_lists_the_meetings_the_person_attends(client, owner, attended):
    meeting, other = attended
    with at(2026, 3, 2, 9, 0):
        feed = services.calendar_feed_enable(actor=owner)
        answer = client.get(feed.get_absolute_url())  # anonymous: a calendar program
    assert answer.status_code == 200
    assert answer["Content-Type"] == "text/calendar; charset=utf-8"
    events = parse(answer.content)
    assert [unescape(e["SUMMARY"]) for e in events] == [meeting.title]
    assert events[0]["UID"].startswith(f"meeting-{meeting.pk}@")
    assert events[0]["DTSTART"] == "20260312T013000Z"  # 09:30 in Taipei
    assert unescape(events[0]["LOCATION"]) == "第一會議室"
    assert other.title not in answer.content.decode()


def test_the_feed_is_read_only_and_revocable(client, owner, attended):
    with at(2026, 3, 2, 9, 0):
        feed = services.calendar_feed_enable(actor=owner)
        url = feed.get_absolute_url()
        assert client.post(url).status_code == 405
        new = services.calendar_feed_reset(actor=owner)
        assert client.get(url).status_code == 404  # the old address stops working
        assert client.get(new.get_absolute_url()).status_code == 200
        assert services.calendar_feed_revoke(actor=owner) is True
        assert client.get(new.get_absolute_url()).status_code == 404
    assert not CalendarFeed.objects.exists()


def test_an_unknown_token_or_an_inactive_person_gets_nothing(client, owner, attended):
    with at(2026, 3, 2, 9, 0):
        feed = services.calendar_feed_enable(actor=owner)
    assert client.get(reverse("meetings:calendar_feed", args=["x" * 43])).status_code == 404
    owner.is_active = False
    owner.save(update_fields=["is_active"])
    assert client.get(feed.get_absolute_url()).status_code == 404


def test_the_settings_page_makes_resets_and_revokes_the_address(client, owner, attended):
    client.force_login(owner)
    page = reverse("meetings:calendar")
    with at(2026, 3, 2, 9, 0):
        assert 'value="enable"' in client.get(page).content.decode()
        made = client.post(page, {"action": "enable"})
        assert made.status_code == 200 and made["Cache-Control"] == "no-store"
        url = re.search(r'id="calendar-url"[^>]*value="([^"]+)"', made.content.decode())[1]
        assert client.get(url).status_code == 200 and attended[0].title in made.content.decode()
        later = client.get(page).content.decode()  # shown once: only its hash is kept
        assert url not in later and "calendar-url" not in later and 'value="reset"' in later
        again = client.post(page, {"action": "enable"}).content.decode()  # a second click
        assert "calendar-url" not in again and CalendarFeed.objects.filter(user=owner).count() == 1
        reset = client.post(page, {"action": "reset"}).content.decode()
        new_url = re.search(r'id="calendar-url"[^>]*value="([^"]+)"', reset)[1]
        assert new_url != url and client.get(url).status_code == 404
        assert client.get(new_url).status_code == 200
        client.post(page, {"action": "revoke"})
    assert not CalendarFeed.objects.filter(user=owner).exists()
    assert client.get(new_url).status_code == 404


def test_only_the_tokens_hash_is_stored_and_tokens_differ_per_person(owner, chair):
    a = services.calendar_feed_enable(actor=owner)
    b = services.calendar_feed_enable(actor=chair)
    assert a.token != b.token and len(a.token) >= 43
    stored = CalendarFeed.objects.get(pk=a.pk)
    assert stored.token is None
    assert stored.token_hash == hashlib.sha256(a.token.encode()).hexdigest()
    assert a.token not in str(CalendarFeed.objects.values().get(pk=a.pk))
    assert services.calendar_feed_enable(actor=owner).token is None  # not known any more
    with pytest.raises(ValueError):
        stored.get_absolute_url()


def test_the_meeting_invitation_parses_strictly(client, owner, attended):
    meeting, _other = attended
    client.force_login(owner)
    answer = client.get(reverse("meetings:ics", args=[meeting.pk]))
    assert answer.status_code == 200
    (event,) = parse(answer.content)
    assert unescape(event["SUMMARY"]) == meeting.title
    assert answer["Content-Disposition"] == f'attachment; filename="meeting-{meeting.pk}.ics"'
