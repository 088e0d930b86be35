"""HR deactivation drafts the hand-over of everything the person holds, for their unit head
to assign; the new custodian accepts it."""

import pytest
from django.core.exceptions import PermissionDenied

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
