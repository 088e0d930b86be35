"""The pages of the value increase / decrease and of the sale of scrapped items: only the
agency's property officer; every posted id is checked against the selector that built the
choices (another agency's item, an item in the wrong status); the services' refusals shown on
the field they name, in the person's language."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from property import services
from property.choices import ItemStatus, MovementKind, MovementStatus
from property.models import Movement, ScrapReason
from tests.language_support import english

from .factories import acquire, approve_all, items_of

pytestmark = pytest.mark.django_db

VALUE = reverse("property:value-change-start")
SALE = reverse("property:sale-start")


@pytest.fixture
def items(officer, sec_head, im_head, owner):
    return items_of(acquire(officer, custodian=owner, count=2))


@pytest.fixture
def bli_item(bli_officer, bli_head):
    return items_of(acquire(bli_officer, agency="BLI", user_unit="BLI"))[0]


@pytest.fixture
def scrapped(items, owner):
    item = items[1]
    approve_all(
        services.movement_create(
            actor=owner,
            kind=MovementKind.SCRAP,
            item_ids=[item.pk],
            reason="年限已屆",
            scrap_reason=ScrapReason.objects.get(code="worn-out"),
            effective_date=dt.date(2029, 2, 1),
            disposal_method="sale",
        )
    )
    item.refresh_from_db()
    assert item.status == ItemStatus.SCRAPPED
    return item


@pytest.mark.parametrize("url", [VALUE, SALE])
def test_only_a_property_officer_opens_the_pages(client, owner, im_head, url):
    for user in (owner, im_head):
        client.force_login(user)
        assert client.get(url).status_code == 403


def test_the_value_page_lists_the_officers_items_in_use(client, officer, items, bli_item):
    client.force_login(officer)
    html = client.get(VALUE).content.decode()
    assert f'value="{items[0].pk}"' in html and f'value="{items[1].pk}"' in html
    assert f'value="{bli_item.pk}"' not in html  # (its number may repeat: unique per agency)


def test_a_value_increase_is_sent_for_approval_and_raises_the_book_cost(
    client, officer, items, sec_head
):
    client.force_login(officer)
    response = client.post(
        VALUE,
        {
            "kind": MovementKind.VALUE_INCREASE,
            "items": [items[0].pk],
            "amount": "5000",
            "reason": "加裝記憶體",
            "effective_date": "2026-03-02",
        },
    )
    movement = Movement.objects.get(kind=MovementKind.VALUE_INCREASE)
    assert response.status_code == 302 and response.url == movement.get_absolute_url()
    assert movement.status == MovementStatus.SUBMITTED
    assert movement.lines.get().amount == Decimal(5000)
    approve_all(movement)
    items[0].refresh_from_db()
    assert items[0].value == Decimal(35000)


def test_a_decrease_below_the_residual_value_is_refused_on_the_amount(client, officer, items):
    english(client)
    client.force_login(officer)
    response = client.post(
        VALUE,
        {
            "kind": MovementKind.VALUE_DECREASE,
            "items": [items[0].pk],
            "amount": "30001",
            "reason": "毀損",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["amount"]
    assert "exceeds the book cost" in errors["amount"][0]
    assert not Movement.objects.filter(kind=MovementKind.VALUE_DECREASE).exists()


@pytest.mark.parametrize("language", ["zh-hant", "en"])
def test_another_agencys_item_is_refused_on_the_items_field(
    client, officer, items, bli_item, language
):
    english(client, language)
    client.force_login(officer)
    response = client.post(
        VALUE,
        {
            "kind": MovementKind.VALUE_INCREASE,
            "items": [items[0].pk, bli_item.pk],
            "amount": "100",
            "reason": "x",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["items"]
    message = errors["items"][0]
    assert str(bli_item.pk) in message
    expected = "請選擇有效的選項" if language == "zh-hant" else "Select a valid choice"
    assert expected in message
    assert 'id="id_items_error"' in response.content.decode()
    assert not Movement.objects.filter(kind=MovementKind.VALUE_INCREASE).exists()


def test_the_sale_page_lists_only_scrapped_items(client, officer, items, scrapped):
    client.force_login(officer)
    html = client.get(SALE).content.decode()
    assert f'value="{scrapped.pk}"' in html
    assert f'value="{items[0].pk}"' not in html


def test_an_item_in_use_cannot_be_posted_for_sale(client, officer, items, scrapped):
    english(client)
    client.force_login(officer)
    response = client.post(SALE, {"items": [items[0].pk], "proceeds": "500", "reason": "標售"})
    assert list(response.context["form"].errors) == ["items"]
    assert not Movement.objects.filter(kind=MovementKind.SALE).exists()


def test_a_sale_without_proceeds_is_refused_on_the_proceeds(client, officer, scrapped):
    english(client)
    client.force_login(officer)
    response = client.post(SALE, {"items": [scrapped.pk], "proceeds": "", "reason": "標售"})
    assert list(response.context["form"].errors) == ["proceeds"]


def test_a_sale_records_the_proceeds_and_sells_the_item(client, officer, scrapped, sec_head):
    client.force_login(officer)
    response = client.post(
        SALE,
        {
            "items": [scrapped.pk],
            "proceeds": "800",
            "reason": "標售",
            "effective_date": "2029-03-01",
        },
    )
    movement = Movement.objects.get(kind=MovementKind.SALE)
    assert response.status_code == 302
    assert movement.proceeds == Decimal(800)
    approve_all(movement)
    scrapped.refresh_from_db()
    assert scrapped.status == ItemStatus.SOLD


def test_items_asked_for_are_preselected(client, officer, items):
    client.force_login(officer)
    html = client.get(VALUE + f"?items={items[1].pk}").content.decode()
    assert f'value="{items[1].pk}" checked' in html or (
        f'value="{items[1].pk}"' in html and "checked" in html
    )
