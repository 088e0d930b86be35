"""Every staff page answers in both languages with one h1, for the people who use it; the
page forms refuse what the services refuse and say so on the field."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from property.choices import MovementStatus
from property.models import Movement, ScrapReason
from tests.language_support import english

from .factories import acquire, approve_all, items_of, make_consolidator

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(officer, sec_head, im_head, owner, colleague):
    make_consolidator(officer)
    movement = acquire(officer, custodian=owner, count=2)
    return {"item": items_of(movement)[0], "movement": movement}


def _pages(world):
    item, movement = world["item"], world["movement"]
    return [
        reverse("property:custody"),
        reverse("property:items"),
        reverse("property:item", args=[item.pk]),
        reverse("property:transfer-start"),
        reverse("property:scrap-start"),
        reverse("property:value-change-start"),
        reverse("property:sale-start"),
        reverse("property:acquisition-start"),
        reverse("property:movements"),
        reverse("property:movement", args=[movement.pk]),
        reverse("property:stocktakes"),
        reverse("property:item-import"),
        reverse("property:balance") + "?register=property&date_from=2025-01-01&date_to=2025-12-31",
        reverse("property:consolidations"),
    ]


@pytest.mark.parametrize("language", ["zh-hant", "en"])
def test_every_page_answers_with_one_h1(client, world, officer, language):
    english(client, language)
    client.force_login(officer)
    for url in _pages(world):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert len(re.findall(r"<h1[\s>]", html)) == 1, url
        if language == "en":
            assert "Property" in html or "property" in html, url


def test_the_balance_page_in_english_shows_the_total(client, world, officer):
    english(client)
    client.force_login(officer)
    response = client.get(
        reverse("property:balance"),
        {"register": "property", "date_from": "2025-01-01", "date_to": "2025-12-31"},
    )
    assert "Total" in response.content.decode()
    assert "60,000" in response.content.decode()


def test_the_scrap_form_names_the_reason_class_when_too_early(client, world, owner):
    client.force_login(owner)
    response = client.post(
        reverse("property:scrap-start"),
        {
            "items": [world["item"].pk],
            "kind": "scrap",
            "scrap_reason": ScrapReason.objects.get(code="worn-out").pk,
            "disposal_method": "recycling",
            "reason": "太舊",
            "effective_date": "2026-01-05",
        },
    )
    assert "scrap_reason" in response.context["form"].errors


def test_accepting_a_transfer_from_the_movement_page(client, world, owner, colleague):
    client.force_login(owner)
    response = client.post(
        reverse("property:transfer-start"),
        {"items": [world["item"].pk], "to_custodian": colleague.pk},
    )
    movement = Movement.objects.get(kind="transfer")
    assert response.status_code == 302
    approve_all(movement)
    client.force_login(colleague)
    page = client.get(reverse("property:movement", args=[movement.pk]))
    assert page.context["may_accept"]
    client.post(reverse("property:movement-accept", args=[movement.pk]))
    movement.refresh_from_db()
    assert movement.status == MovementStatus.COMPLETED


def test_the_movement_form_pdf_is_served_to_who_sees_the_movement(client, world, owner, outsider):
    url = reverse("property:movement-form", args=[world["movement"].pk])
    client.force_login(owner)
    assert client.get(url)["Content-Type"] == "application/pdf"
    client.force_login(outsider)
    assert client.get(url).status_code == 404


def test_the_item_page_is_what_the_qr_code_opens(client, world, owner):
    client.force_login(owner)
    response = client.get(reverse("property:item", args=[world["item"].pk]))
    assert response.context["qr"].startswith("data:image/svg+xml")


PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)


def test_attachments_are_checked_and_served_only_to_who_sees_the_movement(
    client, world, owner, outsider, tmp_path, settings
):
    settings.MEDIA_ROOT = str(tmp_path)
    movement = world["movement"]
    client.force_login(owner)
    bad = client.post(
        reverse("property:movement-attachment-add", args=[movement.pk]),
        {"file": SimpleUploadedFile("x.pdf", b"not a pdf")},
    )
    assert bad.status_code == 400
    client.post(
        reverse("property:movement-attachment-add", args=[movement.pk]),
        {"file": SimpleUploadedFile("damage.png", PNG, content_type="image/png")},
    )
    attachment = movement.attachments.get()
    url = reverse("property:movement-attachment", args=[movement.pk, attachment.pk])
    assert b"".join(client.get(url).streaming_content) == PNG
    client.force_login(outsider)
    assert client.get(url).status_code == 404
