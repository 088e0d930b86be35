"""HR deactivation drafts the hand-over of everything the person holds, for their unit head
to assign; the new custodian accepts it."""

from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

from notifications.models import Notice
from property import selectors, services
from property.choices import ItemStatus, MovementKind, MovementStatus
from property.models import Movement
from property.tasks import draft_handovers

from .factories import acquire, approve_all, items_of, make_head, unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def held(officer, sec_head, im_head, owner):
    return items_of(acquire(officer, custodian=owner, count=3))


def test_deactivation_drafts_a_handover_of_everything_held(held, owner, im_head):
    owner.is_active = False
    owner.save()
    assert draft_handovers.apply().get() == 1
    movement = Movement.objects.get(kind=MovementKind.HANDOVER)
    assert movement.status == MovementStatus.DRAFT
    assert movement.handover_from == owner
    assert movement.lines.count() == 3
    assert list(selectors.handovers_to_assign(user=im_head)) == [movement]


def test_the_sweep_drafts_once(held, owner):
    owner.is_active = False
    owner.save()
    draft_handovers.apply()
    draft_handovers.apply()
    assert Movement.objects.filter(kind=MovementKind.HANDOVER).count() == 1


def test_a_person_moved_to_another_agency_gets_a_handover(held, owner):
    owner.organization = unit("BLI")
    owner.save()
    assert services.handovers_sweep() == 1


def test_the_unit_head_assigns_and_the_new_custodian_accepts(
    held, owner, colleague, im_head, make_user
):
    make_head(make_user(username="hq-head", organization=unit("MOL-HQ")), "MOL-HQ")
    owner.is_active = False
    owner.save()
    movement = services.handover_draft_for_person(person=owner)[0]
    with pytest.raises(PermissionDenied):
        services.handover_assign(movement=movement, actor=colleague, to_custodian=colleague)
    services.handover_assign(movement=movement, actor=im_head, to_custodian=colleague)
    approve_all(movement)
    assert movement.status == MovementStatus.AWAITING_ACCEPTANCE
    services.movement_accept(movement=movement, actor=colleague)
    for item in held:
        item.refresh_from_db()
        assert (item.custodian, item.status) == (colleague, ItemStatus.IN_USE)


# --- through the real HR sync: accounts sends its signal, property drafts at once -----------

HR_HEADER = (
    "employee_number,username,name_zh,name_en,unit_code,title,email,mobile,status,effective_date"
)


@pytest.fixture
def hr_sync(tmp_path, settings):
    settings.SECURE_SSL_REDIRECT = False
    settings.HR_MAX_DEACTIVATE_RATIO = 1.0
    settings.HR_FEED_DEACTIVATE_MISSING = False

    def run(person, *, unit_code, status="active"):
        path = tmp_path / "feed.csv"
        line = (
            f"{person.employee_number},{person.username},{person.name_zh},Tester,{unit_code},"
            f"科員,{person.email},,{status},2025-07-31"
        )
        path.write_text(f"{HR_HEADER}\n{line}\n", encoding="utf-8")
        call_command("hr_sync", "--file", str(path), stdout=StringIO(), stderr=StringIO())

    return run


def test_hr_deactivation_drafts_the_handover_at_once(
    held, owner, im_head, hr_sync, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        hr_sync(owner, unit_code="IM", status="left")
    owner.refresh_from_db()
    assert owner.is_active is False
    movement = Movement.objects.get(kind=MovementKind.HANDOVER)
    assert (movement.status, movement.handover_from) == (MovementStatus.DRAFT, owner)
    assert movement.lines.count() == 3
    assert list(selectors.handovers_to_assign(user=im_head)) == [movement]
    assert Notice.objects.filter(recipient=im_head, target_id=str(movement.pk)).exists()
    # The hourly sweep is only a safety net: it drafts nothing a second time.
    assert draft_handovers.apply().get() == 0
    assert Movement.objects.filter(kind=MovementKind.HANDOVER).count() == 1


def test_hr_move_to_another_agency_drafts_the_handover(
    held, owner, hr_sync, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        hr_sync(owner, unit_code="BLI")
    movement = Movement.objects.get(kind=MovementKind.HANDOVER)
    assert movement.lines.count() == 3
    assert movement.agency == held[0].agency


def test_hr_move_inside_the_agency_drafts_nothing(
    held, owner, hr_sync, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        hr_sync(owner, unit_code="SEC")
    owner.refresh_from_db()
    assert owner.organization.code == "SEC"
    assert not Movement.objects.filter(kind=MovementKind.HANDOVER).exists()


def test_a_rolled_back_sync_drafts_nothing(held, owner, hr_sync):
    # Without the commit (the test's transaction never commits) the receiver is not called.
    hr_sync(owner, unit_code="IM", status="left")
    assert not Movement.objects.filter(kind=MovementKind.HANDOVER).exists()
