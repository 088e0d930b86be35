"""A sign-off chain that will not approve puts its movement back: returned by a signer,
withdrawn by the requester, or cancelled on the documents side. The items leave their
open-movement status (scrap review, transfer pending) and are free again; submitting again
re-checks and re-holds them."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from documents.choices import ChainStatus
from documents.models import SignOffChain
from documents.services import signoff_cancel
from property import services
from property.choices import ItemStatus, MovementKind, MovementStatus
from property.models import ScrapReason
from property.tasks import settle_cancelled_movements

from .factories import acquire, approve_all, chain_of, items_of, make_head, return_chain, unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def item(officer, sec_head, im_head, owner):
    return items_of(acquire(officer, custodian=owner))[0]


def _scrap(item, owner):
    return services.movement_create(
        actor=owner,
        kind=MovementKind.SCRAP,
        item_ids=[item.pk],
        reason="主機板故障",
        scrap_reason=ScrapReason.objects.get(code="beyond-repair"),
        effective_date=dt.date(2026, 3, 1),
        disposal_method="recycling",
    )


def _status(obj):
    obj.refresh_from_db()
    return obj.status


def test_a_returned_scrap_releases_the_item_from_review(item, owner, colleague):
    movement = _scrap(item, owner)
    assert _status(item) == ItemStatus.SCRAP_REVIEW
    return_chain(movement)
    assert movement.status == MovementStatus.RETURNED
    assert _status(item) == ItemStatus.IN_USE
    # Free again: another movement may take it.
    services.movement_create(
        actor=owner, kind=MovementKind.TRANSFER, item_ids=[item.pk], to_custodian=colleague
    )
    assert _status(item) == ItemStatus.TRANSFER_PENDING


def test_submitting_a_returned_movement_again_holds_the_item_again(item, owner, colleague):
    movement = _scrap(item, owner)
    return_chain(movement)
    services.movement_submit(movement=movement, actor=owner)
    assert _status(movement) == MovementStatus.SUBMITTED
    assert _status(item) == ItemStatus.SCRAP_REVIEW
    with pytest.raises(ValidationError) as exc:
        services.movement_create(
            actor=owner, kind=MovementKind.TRANSFER, item_ids=[item.pk], to_custodian=colleague
        )
    assert "items" in exc.value.message_dict


def test_a_returned_movement_is_not_resubmitted_over_a_newer_one(item, owner, colleague):
    movement = _scrap(item, owner)
    return_chain(movement)
    services.movement_create(
        actor=owner, kind=MovementKind.TRANSFER, item_ids=[item.pk], to_custodian=colleague
    )
    with pytest.raises(ValidationError) as exc:
        services.movement_submit(movement=movement, actor=owner)
    assert "items" in exc.value.message_dict
    assert _status(movement) == MovementStatus.RETURNED


def test_the_requester_withdraws_a_submitted_movement(item, owner, colleague):
    movement = services.movement_create(
        actor=owner, kind=MovementKind.TRANSFER, item_ids=[item.pk], to_custodian=colleague
    )
    with pytest.raises(PermissionDenied):
        services.movement_withdraw(movement=movement, actor=colleague, reason="不要了")
    assert _status(item) == ItemStatus.TRANSFER_PENDING
    services.movement_withdraw(movement=movement, actor=owner, reason="填錯了")
    assert _status(movement) == MovementStatus.RETURNED
    assert _status(item) == ItemStatus.IN_USE
    assert chain_of(movement).status == ChainStatus.CANCELLED
    with pytest.raises(ValidationError):
        services.movement_withdraw(movement=movement, actor=owner, reason="again")


def test_a_chain_cancelled_on_the_documents_side_puts_the_movement_back(item, owner):
    movement = _scrap(item, owner)
    signoff_cancel(chain=chain_of(movement), actor=owner, reason="撤回")  # the engine's hook
    assert _status(movement) == MovementStatus.RETURNED
    assert _status(item) == ItemStatus.IN_USE
    assert settle_cancelled_movements.apply().get() == 0


def _cancelled_without_the_hook(movement):
    """A chain cancelled before the cancel hook existed (or its row changed by hand)."""
    SignOffChain.objects.filter(pk=chain_of(movement).pk).update(status=ChainStatus.CANCELLED)


def test_the_sweep_settles_a_chain_cancelled_without_the_hook(item, owner):
    movement = _scrap(item, owner)
    _cancelled_without_the_hook(movement)
    assert _status(movement) == MovementStatus.SUBMITTED
    assert settle_cancelled_movements.apply().get() == 1
    assert _status(movement) == MovementStatus.RETURNED
    assert _status(item) == ItemStatus.IN_USE
    assert settle_cancelled_movements.apply().get() == 0  # idempotent


def test_the_movement_page_settles_a_cancelled_chain(item, owner, client):
    movement = _scrap(item, owner)
    _cancelled_without_the_hook(movement)
    client.force_login(owner)
    assert client.get(movement.get_absolute_url()).status_code == 200
    assert _status(movement) == MovementStatus.RETURNED
    assert _status(item) == ItemStatus.IN_USE


def test_a_resubmitted_movement_with_a_cancelled_first_chain_is_not_settled(item, owner):
    movement = _scrap(item, owner)
    signoff_cancel(chain=chain_of(movement), actor=owner, reason="撤回")
    services.movement_submit(movement=movement, actor=owner)
    assert settle_cancelled_movements.apply().get() == 0
    assert _status(movement) == MovementStatus.SUBMITTED


def test_a_returned_handover_is_a_draft_again_for_the_head_to_assign(
    officer, sec_head, im_head, owner, colleague, make_user
):
    make_head(make_user(username="hq-head", organization=unit("MOL-HQ")), "MOL-HQ")
    held = items_of(acquire(officer, custodian=owner, count=2))
    owner.is_active = False
    owner.save()
    movement = services.handover_draft_for_person(person=owner)[0]
    services.handover_assign(movement=movement, actor=im_head, to_custodian=colleague)
    assert {_status(i) for i in held} == {ItemStatus.TRANSFER_PENDING}
    return_chain(movement)
    assert (movement.status, movement.to_custodian) == (MovementStatus.DRAFT, None)
    assert {_status(i) for i in held} == {ItemStatus.IN_USE}
    services.handover_assign(movement=movement, actor=im_head, to_custodian=colleague)
    approve_all(movement)
    services.movement_accept(movement=movement, actor=colleague)
    assert {_status(i) for i in held} == {ItemStatus.IN_USE}
    held[0].refresh_from_db()
    assert held[0].custodian == colleague


def test_the_requester_withdraws_from_the_movement_page(item, owner, colleague, client):
    movement = services.movement_create(
        actor=owner, kind=MovementKind.TRANSFER, item_ids=[item.pk], to_custodian=colleague
    )
    url = movement.get_absolute_url()
    withdraw = reverse("property:movement-withdraw", args=[movement.pk])
    client.force_login(colleague)  # the receiving custodian sees the page, not the button
    page = client.get(url)
    assert page.status_code == 200 and withdraw not in page.content.decode()
    assert client.post(withdraw, {"reason": "不要了"}).status_code == 403
    assert _status(movement) == MovementStatus.SUBMITTED

    client.force_login(owner)
    assert withdraw in client.get(url).content.decode()
    empty = client.post(withdraw, {"reason": "  "})
    assert empty.status_code == 400 and 'id="id_reason"' in empty.content.decode()
    assert "id_reason_error" in empty.content.decode()
    assert _status(movement) == MovementStatus.SUBMITTED
    done = client.post(withdraw, {"reason": "填錯了 <script>x</script>"}, follow=True)
    assert done.redirect_chain[-1][0] == url
    assert _status(movement) == MovementStatus.RETURNED and _status(item) == ItemStatus.IN_USE
    assert chain_of(movement).status == ChainStatus.CANCELLED
    assert withdraw not in done.content.decode()
    again = client.post(withdraw, {"reason": "again"})  # a double submit changes nothing
    assert again.status_code == 400 and _status(movement) == MovementStatus.RETURNED


def test_a_withdrawn_handover_is_a_draft_again(
    officer, sec_head, im_head, owner, colleague, make_user
):
    make_head(make_user(username="hq-head", organization=unit("MOL-HQ")), "MOL-HQ")
    held = items_of(acquire(officer, custodian=owner, count=2))
    owner.is_active = False
    owner.save()
    movement = services.handover_draft_for_person(person=owner)[0]
    services.handover_assign(movement=movement, actor=im_head, to_custodian=colleague)
    services.movement_withdraw(movement=movement, actor=im_head, reason="指派錯人")
    movement.refresh_from_db()
    assert (movement.status, movement.to_custodian) == (MovementStatus.DRAFT, None)
    assert {_status(i) for i in held} == {ItemStatus.IN_USE}
