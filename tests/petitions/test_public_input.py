"""Hostile and unusual input on the public form: phone numbers validated, full-width e-mail
and phone accepted (NFKC), bidirectional control characters removed from names and subjects
(also of e-mailed petitions), so nothing displays reversed on staff pages or in mail."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from core.text import BIDI_CONTROLS
from petitions.choices import PetitionSource
from petitions.models import Petition
from petitions.services import cases

from .factories import CategoryFactory, county

pytestmark = pytest.mark.django_db


@pytest.fixture
def form_data():
    category = CategoryFactory(code="wages")

    def make(**overrides):
        data = {
            "name": "林小姐",
            "email": "lin@example.com",
            "phone": "",
            "subject": "加班費未給付",
            "category": category.pk,
            "county": county().pk,
            "body": "雇主三個月未給付加班費，請協助。",
            "consent": "on",
            "website": "",
        }
        data.update(overrides)
        return data

    return make


@pytest.fixture
def post(client, django_capture_on_commit_callbacks):
    def run(data):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("petitions:submit"), data)

    return run


@pytest.mark.parametrize("phone", ["=1+1<b>", "<script>alert(1)</script>", "12", "0912-abc-678"])
def test_an_invalid_phone_is_refused_on_its_field(post, form_data, phone):
    response = post(form_data(phone=phone))
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["phone"]
    assert 'id="id_phone_error"' in response.content.decode()
    assert not Petition.objects.exists()


def test_full_width_email_and_phone_are_accepted_and_stored_normalised(post, form_data):
    response = post(
        form_data(email="ｌｉｎ＠ＥＸＡＭＰＬＥ．ｃｏｍ", phone="０２－８５９０－２５６７")
    )
    assert response.status_code == 302
    petition = Petition.objects.get()
    assert petition.citizen_email == "lin@example.com"
    assert petition.citizen_phone == "02-8590-2567"
    assert mail.outbox[0].to == ["lin@example.com"]


def test_bidi_controls_are_removed_from_name_and_subject(post, form_data, owner, client):
    response = post(
        form_data(
            name="\u202e明小林\u202c",
            subject="\u2067欠薪\u2069 \u202dexe.txt\u202c\u200f\u061c",
        )
    )
    assert response.status_code == 302
    petition = Petition.objects.get()
    assert petition.citizen_name == "明小林"
    assert petition.subject == "欠薪 exe.txt"
    for text in (petition.citizen_name, petition.subject, mail.outbox[0].body):
        assert not set(text) & BIDI_CONTROLS


def test_the_service_cleans_what_a_caller_passes_without_the_form(form_data):
    petition = cases.petition_submit(
        name="\u202e王\u202c",
        email=" ｗａｎｇ＠example.com ",
        phone="＋８８６ ２ ８５９０ ２５６７",
        subject="\u202e主旨",
        body="內容",
        category=None,
        county=None,
        consent=True,
    )
    assert (petition.citizen_name, petition.subject) == ("王", "主旨")
    assert petition.citizen_email == "wang@example.com"
    assert petition.citizen_phone == "+886 2 8590 2567"
    with pytest.raises(ValidationError) as err:
        cases.petition_submit(
            name="王",
            email="wang2@example.com",
            phone="=1+1<b>",
            subject="主旨二",
            body="另一個內容",
            category=None,
            county=None,
            consent=True,
        )
    assert "phone" in err.value.message_dict


def test_an_e_mailed_petition_gets_the_same_cleaning():
    numbered = cases.petition_open_from_mail(
        source=PetitionSource.EMAIL,
        citizen_name="\u202e陳\u202c先生",
        citizen_email="ｃｈｅｎ＠example.com",
        subject="\u2066主旨\u2069",
        body="內容",
    )
    petition = numbered.petition
    assert (petition.citizen_name, petition.subject) == ("陳先生", "主旨")
    assert petition.citizen_email == "chen@example.com"
