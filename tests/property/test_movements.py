"""Movements: numbered, approved through their chain template, applied on completion; status
transitions and their preconditions; transfer acceptance; counter-movements."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from property import services
from property.choices import ItemStatus, MovementKind, MovementStatus
from property.models import Posting, ScrapReason

from .factories import acquire, approve_all, items_of, return_chain, unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def item(officer, sec_head, im_head, owner):
    return items_of(acquire(officer, custodian=owner))[0]


def test_acquisition_splits_into_numbered_items_in_use_after_approval(officer, sec_head):
    movement = acquire(officer, count=3, approve=False)
    assert movement.status == MovementStatus.SUBMITTED
    assert movement.number.startswith("MOL-HQA114")
    items = items_of(movement)
    assert [i.number for i in items] == [f"3140101-01-000000{n}" for n in (1, 2, 3)]
    assert {i.status for i in items} == {ItemStatus.PENDING}
    approve_all(movement)
    assert movement.status == MovementStatus.COMPLETED
    assert {i.status for i in items_of(movement)} == {ItemStatus.IN_USE}
    assert Posting.objects.filter(movement=movement).count() == 3


def test_only_a_property_officer_registers_an_acquisition(owner):
    with pytest.raises(PermissionDenied):
        acquire(owner)


def test_transfer_takes_effect_only_when_the_receiver_accepts(item, owner, colleague, im_head):
    movement = services.movement_create(
        actor=owner,
        kind=MovementKind.TRANSFER,
        item_ids=[item.pk],
        to_custodian=colleague,
        reason="業務調整",
    )
    item.refresh_from_db()
    assert item.status == ItemStatus.TRANSFER_PENDING
    approve_all(movement)
    assert movement.status == MovementStatus.AWAITING_ACCEPTANCE
    item.refresh_from_db()
    assert item.custodian == owner
    with pytest.raises(PermissionDenied):
        services.movement_accept(movement=movement, actor=owner)
    services.movement_accept(movement=movement, actor=colleague)
    item.refresh_from_db()
    movement.refresh_from_db()
    assert (item.custodian, item.status) == (colleague, ItemStatus.IN_USE)
    assert movement.status == MovementStatus.COMPLETED
    assert movement.accepted_by == colleague


def test_a_refused_transfer_releases_the_item(item, owner, colleague, im_head):
    movement = services.movement_create(
        actor=owner, kind=MovementKind.TRANSFER, item_ids=[item.pk], to_custodian=colleague
    )
    approve_all(movement)
    with pytest.raises(ValidationError):
        services.movement_refuse(movement=movement, actor=colleague, reason="")
    services.movement_refuse(movement=movement, actor=colleague, reason="非本人使用")
    item.refresh_from_db()
    assert (item.custodian, item.status) == (owner, ItemStatus.IN_USE)


def test_a_colleague_cannot_move_someone_elses_item(item, colleague, outsider):
    with pytest.raises(PermissionDenied):
        services.movement_create(
            actor=colleague, kind=MovementKind.TRANSFER, item_ids=[item.pk], to_custodian=outsider
        )


def test_an_item_under_scrap_review_cannot_be_transferred(item, owner, colleague):
    services.movement_create(
        actor=owner,
        kind=MovementKind.SCRAP,
        item_ids=[item.pk],
        reason="主機板故障",
        scrap_reason=ScrapReason.objects.get(code="beyond-repair"),
        effective_date=dt.date(2026, 3, 1),
        disposal_method="recycling",
    )
    item.refresh_from_db()
    assert item.status == ItemStatus.SCRAP_REVIEW
    with pytest.raises(ValidationError) as exc:
        services.movement_create(
            actor=owner, kind=MovementKind.TRANSFER, item_ids=[item.pk], to_custodian=colleague
        )
    assert "items" in exc.value.message_dict


def test_early_scrap_needs_a_reason_class_that_allows_it(item, owner):
    with pytest.raises(ValidationError) as exc:
        services.movement_create(
            actor=owner,
            kind=MovementKind.SCRAP,
            item_ids=[item.pk],
            reason="老舊",
            scrap_reason=ScrapReason.objects.get(code="worn-out"),
            effective_date=dt.date(2026, 3, 1),
        )
    assert "scrap_reason" in exc.value.message_dict


def test_scrap_at_the_end_of_life_with_the_ordinary_reason(item, owner, im_head, officer):
    movement = services.movement_create(
        actor=owner,
        kind=MovementKind.SCRAP,
        item_ids=[item.pk],
        reason="年限已屆",
        scrap_reason=ScrapReason.objects.get(code="worn-out"),
        effective_date=dt.date(2029, 2, 1),
        disposal_method="recycling",
    )
    approve_all(movement)
    item.refresh_from_db()
    assert item.status == ItemStatus.SCRAPPED
    assert Posting.objects.get(movement=movement).value == Decimal(-30000)


def test_only_scrapped_items_are_sold(item, officer):
    with pytest.raises(ValidationError):
        services.movement_create(
            actor=officer, kind=MovementKind.SALE, item_ids=[item.pk], proceeds=Decimal(500)
        )


def test_a_returned_chain_releases_the_items(item, owner, colleague, im_head):
    movement = services.movement_create(
        actor=owner, kind=MovementKind.TRANSFER, item_ids=[item.pk], to_custodian=colleague
    )
    return_chain(movement)
    item.refresh_from_db()
    assert movement.status == MovementStatus.RETURNED
    assert item.status == ItemStatus.IN_USE


def test_a_value_change_is_corrected_by_a_counter_movement(item, officer, sec_head):
    increase = services.movement_create(
        actor=officer,
        kind=MovementKind.VALUE_INCREASE,
        item_ids=[item.pk],
        amount=Decimal(5000),
        reason="加裝記憶體",
    )
    approve_all(increase)
    counter = services.movement_create(
        actor=officer,
        kind=MovementKind.VALUE_DECREASE,
        item_ids=[item.pk],
        amount=Decimal(5000),
        reason="更正誤植",
        corrects=increase,
    )
    approve_all(counter)
    item.refresh_from_db()
    assert item.value == Decimal(30000)
    assert list(increase.corrections.all()) == [counter]
    assert Posting.objects.filter(item=item).count() == 3


def test_transfer_to_another_agency_renumbers_and_posts_out_and_in(
    item, owner, im_head, bli_officer, outsider
):
    movement = services.movement_create(
        actor=owner,
        kind=MovementKind.TRANSFER,
        item_ids=[item.pk],
        to_agency=unit("BLI"),
        to_unit=unit("BLI"),
    )
    approve_all(movement)
    services.movement_accept(movement=movement, actor=bli_officer)
    item.refresh_from_db()
    assert item.agency == unit("BLI")
    categories = sorted(
        Posting.objects.filter(movement=movement).values_list("category", "agency__code")
    )
    assert categories == [("transfer_in", "BLI"), ("transfer_out", "MOL-HQ")]


def test_a_scrapped_item_is_sold_with_its_proceeds_without_touching_the_balance(
    item, owner, officer
):
    scrap = services.movement_create(
        actor=owner,
        kind=MovementKind.SCRAP,
        item_ids=[item.pk],
        reason="年限已屆",
        scrap_reason=ScrapReason.objects.get(code="worn-out"),
        effective_date=dt.date(2029, 2, 1),
        disposal_method="sale",
    )
    approve_all(scrap)
    postings = Posting.objects.count()
    sale = services.movement_create(
        actor=officer,
        kind=MovementKind.SALE,
        item_ids=[item.pk],
        proceeds=Decimal(800),
        reason="標售",
        effective_date=dt.date(2029, 3, 1),
    )
    approve_all(sale)
    item.refresh_from_db()
    assert item.status == ItemStatus.SOLD
    assert sale.proceeds == Decimal(800)
    assert Posting.objects.count() == postings


def test_a_multi_line_transfer_moves_every_item_on_acceptance(
    officer, sec_head, im_head, owner, colleague
):
    items = items_of(acquire(officer, custodian=owner, count=3))
    movement = services.movement_create(
        actor=owner,
        kind=MovementKind.TRANSFER,
        item_ids=[i.pk for i in items],
        to_custodian=colleague,
        to_location="C棟2樓",
    )
    approve_all(movement)
    services.movement_accept(movement=movement, actor=colleague)
    for i in items:
        i.refresh_from_db()
        assert (i.custodian, i.location) == (colleague, "C棟2樓")
