"""Case services: registration, deadlines over holidays, extension, reply through sign-off,
reject, merge, reminders, anonymisation; each checks its actor."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from freezegun import freeze_time

from accounts.models import UnitOfficer
from core.models import Organization
from documents.choices import StepStatus
from documents.services import signoff_approve, signoff_return
from notifications.choices import NoticeKind, NoticeState, Priority
from notifications.models import Notice
from petitions import roles
from petitions.choices import PetitionStatus
from petitions.constants import ANONYMISED_NAME
from petitions.models import DeadlineExtension, PetitionReminder, RoutingRule
from petitions.services import cases as staff
from petitions.tasks import anonymise_expired, send_reminders

from .factories import CategoryFactory, PetitionFactory, grant

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _owner_handles_im(owner):
    """``owner`` handles the petitions of IM (the unit the routed cases go to)."""
    grant(owner, roles.HANDLER, "IM")


@pytest.fixture
def unit():
    return Organization.objects.get(code="IM")


@pytest.fixture
def routed(unit):
    category = CategoryFactory(code="wages")
    RoutingRule.objects.create(category=category, unit=unit, working_days=6)
    return category


@freeze_time("2026-02-12 10:00:00+08:00")
def test_confirmed_case_is_registered_routed_and_due_after_the_new_year_holidays(routed, unit):
    petition = PetitionFactory(category=routed, confirmed_at=timezone.now())
    staff.petition_register_confirmed(petition=petition)
    petition.refresh_from_db()
    assert petition.handling_unit == unit
    assert petition.document.source == petition
    # Thu 12 Feb + 6 working days: Fri 13, then 14-22 Feb off -> 23, 24, 25, 26, Mon 2 Mar
    # (27 Feb is 和平紀念日補假).
    assert petition.deadline == dt.date(2026, 3, 2)
    assert petition.document.deadline == petition.deadline


def test_registration_is_idempotent(routed):
    petition = PetitionFactory(category=routed)
    staff.petition_register_confirmed(petition=petition)
    first = petition.__class__.objects.get(pk=petition.pk).document_id
    staff.petition_register_confirmed(petition=petition)
    assert petition.__class__.objects.get(pk=petition.pk).document_id == first


@freeze_time("2026-10-05 10:00:00+08:00")
def test_extension_needs_a_reason_and_counts_working_days(routed, owner):
    petition = PetitionFactory(category=routed, confirmed_at=timezone.now())
    staff.petition_register_confirmed(petition=petition)
    petition.refresh_from_db()
    assert petition.deadline == dt.date(2026, 10, 14)  # 9 Oct is off
    with pytest.raises(ValidationError) as err:
        staff.deadline_extend(petition=petition, working_days=5, reason="  ", actor=owner)
    assert "reason" in err.value.message_dict
    ext = staff.deadline_extend(
        petition=petition, working_days=10, reason="需會辦勞保局", actor=owner
    )
    assert ext.new_deadline == dt.date(2026, 10, 29)  # 26 Oct is off
    petition.refresh_from_db()
    assert petition.deadline == ext.new_deadline
    assert DeadlineExtension.objects.filter(petition=petition).count() == 1


def test_reply_is_sent_only_after_the_sign_off_chain_completes(
    routed, owner, make_user, mailoutbox, django_capture_on_commit_callbacks
):
    chief = make_user(username="chief")
    UnitOfficer.objects.create(unit=Organization.objects.get(code="IM"), user=chief, kind="head")
    petition = PetitionFactory(category=routed, handling_unit=Organization.objects.get(code="IM"))
    staff.petition_register_confirmed(petition=petition)
    with django_capture_on_commit_callbacks(execute=True):
        staff.reply_submit(petition=petition, text="您好，已函請雇主改善。", actor=owner)
    petition.refresh_from_db()
    assert petition.status == PetitionStatus.REPLIED

    def to_citizen():
        return [m for m in mailoutbox if m.to == [petition.citizen_email]]

    assert to_citizen() == []  # the signer's own notice may be mailed; nothing to the citizen
    step = petition.document.signoff_chains.get().steps.get(status=StepStatus.PENDING)
    with django_capture_on_commit_callbacks(execute=True):
        signoff_approve(step=step, actor=chief)
    petition.refresh_from_db()
    assert petition.status == PetitionStatus.ANSWERED and petition.replied_at
    assert len(to_citizen()) == 2
    reply, survey = to_citizen()
    assert "已函請雇主改善" in reply.body
    assert reply.reply_to[0].startswith("petitions+")
    assert "/petitions/survey/" in survey.body
    assert survey.to == [petition.citizen_email]
    assert petition.survey_token_hash


def test_returned_reply_goes_back_to_the_handler(routed, unit, owner, make_user, mailoutbox):
    chief = make_user(username="chief")
    UnitOfficer.objects.create(unit=unit, user=chief, kind="head")
    petition = PetitionFactory(category=routed, handling_unit=unit)
    staff.reply_submit(petition=petition, text="草稿", actor=owner)
    petition.refresh_from_db()
    step = petition.document.signoff_chains.get().steps.get(status=StepStatus.PENDING)
    signoff_return(step=step, actor=chief, comment="請補充法條")
    petition.refresh_from_db()
    assert petition.status == PetitionStatus.IN_PROGRESS
    assert petition.notes.filter(text__contains="請補充法條").exists()
    assert not [m for m in mailoutbox if m.to == [petition.citizen_email]]


def test_reject_needs_a_reason(owner, unit):
    petition = PetitionFactory(handling_unit=unit)
    with pytest.raises(ValidationError):
        staff.petition_reject(petition=petition, reason="", actor=owner)
    staff.petition_reject(petition=petition, reason="廣告信件", actor=owner)
    petition.refresh_from_db()
    assert petition.status == PetitionStatus.REJECTED and petition.reject_reason == "廣告信件"


def test_merge_duplicate_into_the_first_case(owner, unit):
    first, duplicate = PetitionFactory(handling_unit=unit), PetitionFactory(handling_unit=unit)
    staff.petition_merge(petition=duplicate, into=first, actor=owner)
    duplicate.refresh_from_db()
    assert duplicate.status == PetitionStatus.MERGED and duplicate.merged_into == first
    with pytest.raises(ValidationError):
        staff.petition_merge(petition=first, into=first, actor=owner)


def test_reminders_before_and_after_the_deadline_are_sent_once(
    routed, unit, make_user, mailoutbox, django_capture_on_commit_callbacks
):
    handler = make_user(username="handler", email="handler@mol.gov.tw")
    petition = PetitionFactory(
        category=routed, handling_unit=unit, handler=handler, deadline=dt.date(2026, 3, 10)
    )
    with freeze_time("2026-03-09 08:30:00+08:00"), django_capture_on_commit_callbacks(execute=True):
        send_reminders()
        send_reminders()
    assert [m.to for m in mailoutbox] == [["handler@mol.gov.tw"]]
    with freeze_time("2026-03-11 08:30:00+08:00"), django_capture_on_commit_callbacks(execute=True):
        send_reminders()
        send_reminders()
    assert len(mailoutbox) == 2
    assert set(
        PetitionReminder.objects.filter(petition=petition).values_list("kind", flat=True)
    ) == {
        "before",
        "overdue",
    }


def test_anonymisation_after_the_retention_period(settings, owner, unit):
    settings.PETITIONS_RETENTION_DAYS = 30
    with freeze_time("2026-01-05 10:00:00+08:00"):
        old = PetitionFactory(citizen_phone="0912345678", handling_unit=unit)
        staff.petition_reject(petition=old, reason="重複", actor=owner)
        recent_open = PetitionFactory()
    with freeze_time("2026-03-01 10:00:00+08:00"):
        assert anonymise_expired() == 1
        assert anonymise_expired() == 0
    old.refresh_from_db()
    assert old.anonymised_at and old.citizen_name == ANONYMISED_NAME
    assert old.citizen_phone == "" and "example.com" not in old.citizen_email
    recent_open.refresh_from_db()
    assert recent_open.anonymised_at is None


def test_reminders_go_to_the_handler_and_the_unit_head_and_deputy(
    routed, unit, make_user, mailoutbox, django_capture_on_commit_callbacks
):
    handler = make_user(username="handler", email="handler@mol.gov.tw")
    head = make_user(username="head", email="head@mol.gov.tw")
    deputy = make_user(username="deputy", email="deputy@mol.gov.tw")
    UnitOfficer.objects.create(unit=unit, user=head, kind="head")
    UnitOfficer.objects.create(unit=unit, user=deputy, kind="deputy")
    # A holder of the old change permission in the unit is no longer taken for its head.
    bystander = make_user(username="bystander", email="bystander@mol.gov.tw")
    grant(bystander, roles.SUPERVISOR, unit)
    PetitionFactory(handling_unit=unit, handler=handler, deadline=dt.date(2026, 3, 2))
    with freeze_time("2026-03-05 08:30:00+08:00"), django_capture_on_commit_callbacks(execute=True):
        send_reminders()
    assert sorted(m.to[0] for m in mailoutbox) == [
        "deputy@mol.gov.tw",
        "handler@mol.gov.tw",
        "head@mol.gov.tw",
    ]


def test_a_reminder_is_a_to_do_in_the_inbox_that_closes_when_the_case_is_answered(
    routed, unit, make_user, owner, mailoutbox, django_capture_on_commit_callbacks
):
    handler = make_user(username="handler", email="handler@mol.gov.tw")
    petition = PetitionFactory(handling_unit=unit, handler=handler, deadline=dt.date(2026, 3, 2))
    with freeze_time("2026-03-05 08:30:00+08:00"), django_capture_on_commit_callbacks(execute=True):
        send_reminders()
    [notice] = Notice.objects.filter(recipient=handler)
    assert notice.kind == NoticeKind.TODO and notice.priority == Priority.HIGH
    assert notice.link == f"/petitions/staff/{petition.pk}/"
    assert petition.case_number in notice.title and notice.state == NoticeState.UNREAD
    [message] = mailoutbox
    assert f"/petitions/staff/{petition.pk}/" in message.body  # the notice's link, absolute
    staff.petition_reject(petition=petition, reason="重複", actor=owner)
    notice.refresh_from_db()
    assert notice.state == NoticeState.DONE


def test_a_person_without_a_role_on_the_unit_cannot_act(outsider, unit):
    petition = PetitionFactory(handling_unit=unit)
    with pytest.raises(PermissionDenied):
        staff.petition_reject(petition=petition, reason="廣告", actor=outsider)
    with pytest.raises(PermissionDenied):
        staff.note_add(petition=petition, text="x", actor=outsider)
    petition.refresh_from_db()
    assert petition.status == PetitionStatus.RECEIVED and not petition.notes.exists()


def test_a_supervisor_assigns_and_extends_but_cannot_reply_or_reject(make_user, unit, owner):
    supervisor = make_user(username="supervisor")
    grant(supervisor, roles.SUPERVISOR, unit)
    petition = PetitionFactory(handling_unit=unit, deadline=dt.date(2026, 3, 2))
    staff.petition_assign(petition=petition, handler=owner, actor=supervisor)
    staff.deadline_extend(petition=petition, working_days=2, reason="會辦", actor=supervisor)
    with pytest.raises(PermissionDenied):
        staff.petition_reject(petition=petition, reason="x", actor=supervisor)
    with pytest.raises(PermissionDenied):
        staff.reply_submit(petition=petition, text="x", signers=[owner], actor=supervisor)
    petition.refresh_from_db()
    assert petition.handler == owner and petition.status == PetitionStatus.ASSIGNED


def test_the_assigned_person_may_act_on_that_case_only(make_user, unit):
    person = make_user(username="person")
    grant(person, roles.HANDLER, "BLI")  # handles another unit's cases
    mine = PetitionFactory(handling_unit=unit, handler=person)
    other = PetitionFactory(handling_unit=unit)
    staff.petition_reject(petition=mine, reason="重複", actor=person)
    with pytest.raises(PermissionDenied):
        staff.petition_reject(petition=other, reason="重複", actor=person)


def test_a_case_is_assigned_only_to_a_handler_of_its_unit(owner, outsider, unit):
    petition = PetitionFactory(handling_unit=unit)
    with pytest.raises(ValidationError) as err:
        staff.petition_assign(petition=petition, handler=outsider, actor=owner)
    assert "handler" in err.value.message_dict
    petition.refresh_from_db()
    assert petition.handler is None


def test_an_extension_sent_twice_with_the_same_version_extends_once(owner, unit):
    petition = PetitionFactory(handling_unit=unit, deadline=dt.date(2026, 3, 2))
    version = staff.petition_version(petition)
    staff.deadline_extend(
        petition=petition, working_days=3, reason="會辦", actor=owner, version=version
    )
    with pytest.raises(ValidationError) as err:
        staff.deadline_extend(
            petition=petition, working_days=3, reason="會辦", actor=owner, version=version
        )
    assert err.value.code == "stale"
    assert DeadlineExtension.objects.filter(petition=petition).count() == 1


def test_system_callers_pass_no_actor(unit):
    petition = PetitionFactory(handling_unit=unit)
    staff.note_add(petition=petition, text="自動註記", actor=None)
    assert petition.notes.get().author is None


def test_an_extension_is_bounded_by_the_setting(routed, owner, settings):
    settings.PETITIONS_MAX_EXTENSION_WORKING_DAYS = 30
    petition = PetitionFactory(category=routed)
    staff.petition_register_confirmed(petition=petition)
    petition.refresh_from_db()
    before = petition.deadline
    for days in (99999, 31):
        with pytest.raises(ValidationError) as err:
            staff.deadline_extend(petition=petition, working_days=days, reason="會辦", actor=owner)
        assert list(err.value.message_dict) == ["working_days"]
        assert "30" in err.value.message_dict["working_days"][0]
    petition.refresh_from_db()
    assert petition.deadline == before
    assert not DeadlineExtension.objects.filter(petition=petition).exists()
    staff.deadline_extend(petition=petition, working_days=30, reason="會辦", actor=owner)
    assert DeadlineExtension.objects.filter(petition=petition, working_days=30).exists()
