"""Who sees an item, from every entry point (page, API, export, admin, labels, reports):
the custodian (owner), the head of its unit and the agency's officer do; a colleague of the
same unit, an outsider and a unit head of another agency do not."""

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from .factories import acquire, items_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def item(officer, sec_head, im_head, owner):
    return items_of(acquire(officer, custodian=owner))[0]


def _sees(client, user, item) -> dict:
    client.force_login(user)
    page = client.get(reverse("property:item", args=[item.pk])).status_code
    api = client.get(f"/api/v1/property/items/{item.pk}/").status_code
    listed = [row["id"] for row in client.get("/api/v1/property/items/").json()["results"]]
    export = client.get(reverse("property:item-export")).content.decode("utf-8-sig")
    items_page = client.get(reverse("property:items")).content.decode()
    return {
        "page": page == 200,
        "api": api == 200,
        "api_list": item.pk in listed,
        "export": item.number in export,
        "list_page": item.number in items_page,
    }


def test_the_custodian_sees_the_item_everywhere(client, item, owner):
    assert set(_sees(client, owner, item).values()) == {True}


def test_the_unit_head_sees_the_units_item(client, item, im_head):
    assert set(_sees(client, im_head, item).values()) == {True}


def test_the_agency_officer_sees_the_item(client, item, officer):
    assert set(_sees(client, officer, item).values()) == {True}


@pytest.mark.parametrize("who", ["colleague", "outsider", "bli_head", "bli_officer"])
def test_others_see_it_from_no_entry_point(client, item, who, request):
    user = request.getfixturevalue(who)
    assert set(_sees(client, user, item).values()) == {False}
    assert client.get(f"/api/v1/property/items/{item.pk}/").json()["error"]["status"] == 404


def test_a_unit_head_of_another_agency_cannot_see_it_in_the_admin(client, item, bli_head):
    bli_head.is_staff = True
    bli_head.save()
    bli_head.user_permissions.add(Permission.objects.get(codename="view_item"))
    client.force_login(bli_head)
    response = client.get(reverse("admin:property_item_changelist"))
    assert response.status_code == 200
    assert item.number not in response.content.decode()
    assert client.get(reverse("admin:property_item_change", args=[item.pk])).status_code in (
        302,
        404,
    )


def test_the_balance_api_defaults_to_the_agencies_one_may_see(client, item, officer, bli_head):
    client.force_login(bli_head)
    url = "/api/v1/property/reports/balance/?from=2025-01-01&to=2025-12-31"
    assert client.get(url).json()["total"]["closing"]["value"] == 0
    assert client.get(url + "&agency=MOL-HQ").status_code == 404
    client.force_login(officer)
    body = client.get(url + "&agency=MOL-HQ").json()
    assert body["total"]["closing"]["value"] == 30000
    assert body["rows"][0]["classification"] == "3"
    assert set(body["rows"][0]) >= {"opening", "increase", "decrease", "closing"}


def test_the_balance_api_names_a_bad_field(client, officer):
    client.force_login(officer)
    body = client.get("/api/v1/property/reports/balance/?from=2025-13-01&to=2025-12-31").json()
    assert "date_from" in body["error"]["fields"]


def test_posting_a_movement_through_the_api(client, item, owner, colleague):
    client.force_login(owner)
    response = client.post(
        "/api/v1/property/movements/",
        {"kind": "transfer", "items": [item.pk], "to_custodian": colleague.username},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "submitted"


def test_an_outsider_cannot_post_a_movement_of_the_item(client, item, outsider):
    client.force_login(outsider)
    response = client.post(
        "/api/v1/property/movements/",
        {"kind": "transfer", "items": [item.pk], "to_custodian": outsider.username},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "items" in response.json()["error"]["fields"]


def test_api_list_filters(client, item, officer):
    client.force_login(officer)
    assert client.get("/api/v1/property/items/?status=in_use&agency=MOL-HQ").json()["count"] == 1
    assert client.get("/api/v1/property/items/?status=scrapped").json()["count"] == 0
    assert client.get("/api/v1/property/items/?custodian=owner").json()["count"] == 1


def test_the_api_list_asks_a_bounded_number_of_queries(
    client, officer, sec_head, im_head, owner, django_assert_max_num_queries
):
    acquire(officer, custodian=owner, count=30)
    client.force_login(officer)
    with django_assert_max_num_queries(12):
        assert client.get("/api/v1/property/items/").json()["count"] == 30


def test_anonymous_callers_are_refused(client, item):
    assert client.get("/api/v1/property/items/").status_code == 401
    assert client.get(reverse("property:item", args=[item.pk])).status_code == 302


def test_transfer_page_only_offers_and_accepts_ones_own_items(client, item, colleague, owner):
    client.force_login(colleague)
    response = client.post(
        reverse("property:transfer-start"), {"items": [item.pk], "to_custodian": colleague.pk}
    )
    assert response.status_code == 200
    assert "items" in response.context["form"].errors


def test_the_labels_are_a_pdf_of_visible_items(client, item, owner, outsider):
    client.force_login(owner)
    response = client.get(reverse("property:item-labels"))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_the_custody_page_shows_totals_by_register(client, item, owner):
    client.force_login(owner)
    response = client.get(reverse("property:custody"))
    assert response.status_code == 200
    assert response.context["totals"][0]["items"] == 1
    assert item.number in response.content.decode()


def test_a_past_as_of_date_shows_the_depreciation_then(client, item, owner):
    client.force_login(owner)
    response = client.get(reverse("property:item", args=[item.pk]), {"as_of": "2025-03-01"})
    assert response.context["depreciation"].months == 2
    assert response.context["as_of"] == dt.date(2025, 3, 1)


def test_a_refused_movement_answers_in_the_error_shape_naming_the_field(client, item, owner):
    client.force_login(owner)
    response = client.post(
        "/api/v1/property/movements/",
        {"kind": "scrap", "items": [item.pk], "reason": "壞了", "scrap_reason": "worn-out"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "scrap_reason" in response.json()["error"]["fields"]


def test_the_custody_and_list_pages_ask_a_bounded_number_of_queries(
    client, officer, sec_head, owner, django_assert_max_num_queries
):
    acquire(officer, custodian=owner, count=60)
    client.force_login(owner)
    client.get(reverse("property:custody"))
    with django_assert_max_num_queries(20):
        assert client.get(reverse("property:custody")).status_code == 200
    with django_assert_max_num_queries(20):
        assert client.get(reverse("property:items")).status_code == 200
