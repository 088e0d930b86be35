"""IT repair through its services: filing, SLA due times, queues, reassignment, status notices,
comments, closing with a rating, and the refusals."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404

from core.models import WorkCalendarDay
from notifications.models import Notice
from portal.models import Ticket, TicketStatus
from portal.selectors import repair as selectors
from portal.services import repair as services
from portal.sla import add_working_hours
from tests.portal.conftest import taipei

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)


def png(name="screen.png"):
    return SimpleUploadedFile(name, PNG, content_type="image/png")


@pytest.fixture
def file_ticket(clock, owner, pc_category, slas, agent):
    def make(**kwargs):
        kwargs.setdefault("actor", owner)
        kwargs.setdefault("category", pc_category)
        kwargs.setdefault("location", "A棟 3 樓 301")
        kwargs.setdefault("description", "螢幕無法開啟")
        return services.ticket_create(**kwargs)

    return make


def test_working_hours_skip_lunch_nights_and_weekends(db):
    # Friday 16:30 + 4 working hours: 1 h on Friday, Monday 08:30 + 3 h = 11:30.
    assert add_working_hours(taipei(2026, 3, 6, 16, 30), 4) == taipei(2026, 3, 9, 11, 30)
    # Monday 11:00 + 2 h: 1.5 h before lunch, 0.5 h after = 14:00.
    assert add_working_hours(taipei(2026, 3, 2, 11, 0), 2) == taipei(2026, 3, 2, 14, 0)


def test_working_hours_follow_the_holiday_calendar(db):
    WorkCalendarDay.objects.create(date=dt.date(2026, 3, 9), is_workday=False)
    assert add_working_hours(taipei(2026, 3, 6, 16, 30), 4) == taipei(2026, 3, 10, 11, 30)


def test_ticket_gets_a_number_team_and_sla_due_time(file_ticket, agent):
    ticket = file_ticket(priority="urgent")
    assert ticket.number.startswith("R115-")
    assert ticket.team.code == "desk"
    assert ticket.due_at == taipei(2026, 3, 2, 14, 0)  # 09:00 + 3.5 h, lunch, + 0.5 h
    assert Notice.objects.filter(recipient=agent, target_id=str(ticket.pk)).exists()


def test_two_tickets_get_consecutive_numbers(file_ticket):
    first, second = file_ticket(), file_ticket()
    assert int(second.number[-5:]) == int(first.number[-5:]) + 1


def test_asset_must_be_one_the_requester_holds(file_ticket, pc, colleague):
    assert file_ticket(asset=pc.pk).asset_label.startswith("3140101-01-0000001")
    with pytest.raises(ValidationError) as exc:
        file_ticket(actor=colleague, asset=pc.pk)
    assert "asset" in exc.value.message_dict


def test_screenshot_is_stored_and_a_program_renamed_png_is_refused(file_ticket):
    ticket = file_ticket(screenshots=[png()])
    shot = ticket.screenshots.get()
    assert shot.content_type == "image/png" and shot.name == "screen.png"
    assert not shot.file.name.endswith("screen.png")  # stored under a random name
    fake = SimpleUploadedFile("x.png", b"MZ\x90\x00" + b"\x00" * 100, content_type="image/png")
    with pytest.raises(ValidationError) as exc:
        file_ticket(screenshots=[fake])
    assert "screenshots" in exc.value.message_dict
    assert Ticket.objects.count() == 1


def test_a_pdf_is_not_a_screenshot(file_ticket):
    pdf = SimpleUploadedFile("a.pdf", b"%PDF-1.4\n%\xe2\xe3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF")
    with pytest.raises(ValidationError) as exc:
        file_ticket(screenshots=[pdf])
    assert "screenshots" in exc.value.message_dict


def test_bidi_controls_are_removed_and_empty_text_refused(file_ticket):
    ticket = file_ticket(location="\u202e301 室", description="<script>x</script>")
    assert ticket.location == "301 室"
    assert ticket.description == "<script>x</script>"  # stored as typed, escaped when shown
    with pytest.raises(ValidationError) as exc:
        file_ticket(description="   ")
    assert "description" in exc.value.message_dict


def test_status_changes_are_told_to_the_requester(file_ticket, agent, owner):
    ticket = file_ticket()
    ticket = services.ticket_status_set(ticket=ticket, actor=agent, status="in_progress")
    assert ticket.assignee == agent
    services.ticket_status_set(ticket=ticket, actor=agent, status="resolved")
    notices = Notice.objects.filter(recipient=owner, target_id=str(ticket.pk))
    assert notices.count() == 2
    assert all(ticket.number in n.title and n.link == ticket.get_absolute_url() for n in notices)


def test_other_team_may_not_touch_the_ticket(file_ticket, netter):
    ticket = file_ticket()
    with pytest.raises(PermissionDenied):
        services.ticket_status_set(ticket=ticket, actor=netter, status="in_progress")
    with pytest.raises(PermissionDenied):
        services.ticket_comment_add(ticket=ticket, actor=netter, body="hi")


def test_reassignment_moves_the_ticket_to_the_other_queue(file_ticket, agent, netter, net):
    ticket = file_ticket()
    services.ticket_assign(ticket=ticket, actor=agent, assignee=netter, team=net)
    assert list(selectors.queue(netter)) == [ticket]
    assert list(selectors.queue(agent)) == []


def test_assignee_must_be_in_the_team(file_ticket, agent, colleague):
    with pytest.raises(ValidationError) as exc:
        services.ticket_assign(ticket=file_ticket(), actor=agent, assignee=colleague)
    assert "assignee" in exc.value.message_dict


def test_requester_closes_a_resolved_ticket_with_a_rating(file_ticket, agent, owner):
    ticket = file_ticket()
    with pytest.raises(ValidationError):
        services.ticket_close(ticket=ticket, actor=owner, rating=5)
    services.ticket_status_set(ticket=ticket, actor=agent, status="resolved")
    with pytest.raises(PermissionDenied):
        services.ticket_close(ticket=ticket, actor=agent, rating=5)
    with pytest.raises(ValidationError) as exc:
        services.ticket_close(ticket=ticket, actor=owner, rating=9)
    assert "rating" in exc.value.message_dict
    ticket = services.ticket_close(ticket=ticket, actor=owner, rating=4, comment="快")
    assert ticket.status == TicketStatus.CLOSED and ticket.rating == 4


def test_reopen_returns_the_ticket_to_work(file_ticket, agent, owner):
    ticket = file_ticket()
    services.ticket_status_set(ticket=ticket, actor=agent, status="resolved")
    ticket = services.ticket_reopen(ticket=ticket, actor=owner, reason="又壞了")
    assert ticket.status == TicketStatus.IN_PROGRESS and ticket.resolved_at is None


def test_comments_notify_the_other_side(file_ticket, agent, owner):
    ticket = file_ticket()
    services.ticket_comment_add(ticket=ticket, actor=agent, body="請重新開機")
    assert Notice.objects.filter(recipient=owner, target_id=str(ticket.pk)).count() == 1


def test_visibility_owner_team_unit_head_but_not_colleague_or_outsider(
    file_ticket, owner, agent, colleague, outsider, netter, im_head
):
    ticket = file_ticket()
    for user in (owner, agent, im_head):
        assert selectors.ticket_get(user, ticket.pk) == ticket
    for user in (colleague, outsider, netter):
        with pytest.raises(Http404):
            selectors.ticket_get(user, ticket.pk)


def test_reports_count_open_by_age_and_sla_met_by_month(file_ticket, agent, clock):
    first, second = file_ticket(priority="urgent"), file_ticket(priority="urgent")
    clock.tick(dt.timedelta(hours=2))
    services.ticket_status_set(ticket=first, actor=agent, status="resolved")
    clock.tick(dt.timedelta(days=3))
    rows = selectors.open_by_team_and_age(agent)
    assert rows[0]["total"] == 1 and rows[0]["bands"] == [0, 0, 1, 0] and rows[0]["overdue"] == 1
    services.ticket_status_set(ticket=second, actor=agent, status="resolved")  # late
    month = selectors.sla_by_month(agent)[0]
    assert (month["resolved"], month["met"], month["percent"]) == (2, 1, 50)


def test_huge_description_is_refused(file_ticket):
    with pytest.raises(ValidationError) as exc:
        file_ticket(description="x" * 6000)
    assert "description" in exc.value.message_dict
