"""Staff open the files a citizen attached (issue 8 item 11): through an authorised view (the
case's handler, a petitions role covering its unit, readers of its registered document),
always as a download with nosniff, streamed through the storage API (or handed to the proxy
with X-Accel-Redirect when configured); linked from the staff case page and from the
registered document's page; and no /media/ route serves files without a check."""

import hashlib

import pytest
from django.core.files.base import ContentFile
from django.urls import Resolver404, resolve, reverse

from core.models import Organization
from petitions import roles
from petitions.models import Attachment, RoutingRule
from petitions.services import cases

from .factories import CategoryFactory, PetitionFactory, grant

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _no_staff_mfa(settings):
    settings.MFA_REQUIRED_FOR_STAFF = False


@pytest.fixture
def case():
    """A case routed to IM and registered there (its document is IM's)."""
    unit = Organization.objects.get(code="IM")
    category = CategoryFactory(code="wages")
    RoutingRule.objects.create(category=category, unit=unit)
    petition = PetitionFactory(category=category, handling_unit=unit)
    cases.petition_register_confirmed(petition=petition)
    petition.refresh_from_db()
    return petition


@pytest.fixture
def attachment(case):
    item = Attachment(
        petition=case,
        original_name="加班紀錄.png",
        content_type="image/png",
        size=len(PNG),
        sha256=hashlib.sha256(PNG).hexdigest(),
    )
    item.file.save("加班紀錄.png", ContentFile(PNG), save=False)
    item.save()
    return item


def download(client, attachment):
    return client.get(reverse("petitions:staff:attachment", args=[attachment.pk]))


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_a_handler_of_the_unit_downloads_the_file_safely(client, owner, attachment):
    grant(owner, roles.HANDLER, "IM")
    client.force_login(owner)
    response = download(client, attachment)
    assert response.status_code == 200
    assert body(response) == PNG
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''%E5%8A%A0%E7%8F%AD" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_assigned_handler_and_a_viewer_may_download(client, make_user, case, attachment):
    handler = make_user(username="assigned", organization=Organization.objects.get(code="BLI"))
    case.handler = handler
    case.save()
    client.force_login(handler)
    assert download(client, attachment).status_code == 200
    viewer = make_user(username="viewer")
    grant(viewer, roles.VIEWER, "IM")
    client.force_login(viewer)
    assert download(client, attachment).status_code == 200


def test_a_reader_of_the_registered_document_may_download(client, colleague, attachment):
    """The colleague holds no petitions role but reads the unit's (ordinary) documents."""
    client.force_login(colleague)
    assert download(client, attachment).status_code == 200


def test_others_get_404(client, outsider, make_user, attachment):
    grant(outsider, roles.HANDLER, "BLI")
    client.force_login(outsider)
    assert download(client, attachment).status_code == 404
    client.logout()
    response = download(client, attachment)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_proxy_sends_the_bytes_when_configured(client, owner, attachment, settings):
    settings.MEDIA_X_ACCEL_REDIRECT_PREFIX = "/protected-media/"
    grant(owner, roles.HANDLER, "IM")
    client.force_login(owner)
    response = download(client, attachment)
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == "/protected-media/" + attachment.file.name
    assert response.content == b""
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_staff_case_page_links_each_file(client, owner, case, attachment):
    grant(owner, roles.HANDLER, "IM")
    client.force_login(owner)
    html = client.get(reverse("petitions:staff:detail", args=[case.pk])).content.decode()
    assert f'href="{reverse("petitions:staff:attachment", args=[attachment.pk])}"' in html


def test_the_registered_documents_page_links_the_cases_files(client, colleague, case, attachment):
    client.force_login(colleague)
    response = client.get(reverse("documents:detail", args=[case.document_id]))
    assert response.status_code == 200
    html = response.content.decode()
    link = reverse("petitions:staff:attachment", args=[attachment.pk])
    assert f'href="{link}"' in html and "加班紀錄.png" in html
    assert "No attachments." not in html and "無附件" not in html


def test_no_media_route_serves_uploaded_files(client, owner, attachment):
    with pytest.raises(Resolver404):
        resolve("/media/" + attachment.file.name)
    client.force_login(owner)
    assert client.get("/media/" + attachment.file.name).status_code == 404
