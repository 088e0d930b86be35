"""The register page cleans one-line texts with core.text: no bidirectional controls in a
document's subject, sender or receiver."""

import pytest
from django.urls import reverse

from core.text import BIDI_CONTROLS
from documents.models import Document

from .factories import unit

pytestmark = pytest.mark.django_db


def test_bidi_controls_are_removed_from_subject_sender_and_receiver(client, owner):
    client.force_login(owner)
    response = client.post(
        reverse("documents:register"),
        {
            "unit": unit("IM").pk,
            "subject": "\u202e網站改版\u202c簽呈",
            "sender": "\u2067資訊處\u2069",
            "receiver": "\u200f秘書處\u061c",
            "category": "memo",
            "security_level": "ordinary",
        },
    )
    assert response.status_code == 302
    document = Document.objects.get()
    assert (document.subject, document.sender, document.receiver) == (
        "網站改版簽呈",
        "資訊處",
        "秘書處",
    )
    for text in (document.subject, document.sender, document.receiver):
        assert not set(text) & BIDI_CONTROLS


def test_the_unit_must_be_one_the_register_form_offers(client, owner, outsider):
    """Item 12: a unit posted outside ``registrable_units`` (the outsider's) is refused."""
    client.force_login(owner)
    response = client.post(
        reverse("documents:register"),
        {
            "unit": outsider.organization_id,
            "subject": "他單位公文",
            "category": "memo",
            "security_level": "ordinary",
        },
    )
    assert response.status_code == 400
    assert 'id="id_unit_error"' in response.content.decode()
    assert not Document.objects.exists()
