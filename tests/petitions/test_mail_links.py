"""Every link in every mail the citizen mailbox sends is absolute (issue 8 item 14): the
confirmation, case-number, e-mail acknowledgement, reply, survey and reminder mails are
collected from a whole life of cases, and each URL-like token of each mail is parsed."""

import datetime as dt
import re
from urllib.parse import urlparse

import pytest
from django.core import mail
from django.urls import reverse
from freezegun import freeze_time

from accounts.models import UnitOfficer
from core.models import Organization
from documents.choices import StepStatus
from petitions import roles
from petitions.choices import PetitionSource
from petitions.models import Petition
from petitions.services import cases
from petitions.tasks import send_reminders

from .factories import CategoryFactory, PetitionFactory, county, grant

pytestmark = pytest.mark.django_db

#: A URL with a scheme, or a path starting with "/" and a letter that no word character
#: precedes (a relative link; dates like 115/03/10 are not paths).
LINK = re.compile(r"[a-z][a-z0-9+.-]*://[^\s<>「」]+|(?<![\w/:])/[A-Za-z][^\s<>「」]*", re.I)


def links(text: str) -> list[str]:
    return [token.rstrip(".,;)") for token in LINK.findall(text)]


def assert_absolute(messages, host: str):
    assert messages, "no mail was sent"
    seen = 0
    for message in messages:
        for link in links(message.body):
            parsed = urlparse(link)
            assert parsed.scheme in {"http", "https"} and parsed.netloc == host, (
                f"relative or foreign link {link!r} in mail {message.subject!r}"
            )
            seen += 1
    assert seen >= len(messages) - 1  # every mail but the reply carries a link


def whole_life(client, owner, make_user, django_capture_on_commit_callbacks):
    """Submit and confirm on the web, reply and sign off through the documents page,
    acknowledge an e-mailed petition, send a reminder."""
    unit = Organization.objects.get(code="IM")
    grant(owner, roles.HANDLER, "IM")
    head = make_user(username="head")
    UnitOfficer.objects.create(unit=unit, user=head, kind="head")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("petitions:submit"),
            {
                "name": "林小姐",
                "email": "lin@example.com",
                "subject": "加班費未給付",
                "category": CategoryFactory().pk,
                "county": county().pk,
                "body": "雇主三個月未給付加班費。",
                "consent": "on",
            },
        )
    token = re.search(r"/petitions/confirm/([^/\s]+)/", mail.outbox[0].body).group(1)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("petitions:confirm", args=[token]))
    petition = Petition.objects.get(citizen_email="lin@example.com")
    Petition.objects.filter(pk=petition.pk).update(handling_unit=unit)
    with django_capture_on_commit_callbacks(execute=True):
        cases.reply_submit(petition=petition, text="您好，已函請雇主改善。", actor=owner)
    petition.refresh_from_db()
    step = petition.document.signoff_chains.get().steps.get(status=StepStatus.PENDING)
    client.force_login(head)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("documents:approve", args=[step.chain_id, step.pk]), {})
    assert response.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        numbered = cases.petition_open_from_mail(
            source=PetitionSource.EMAIL,
            citizen_name="陳先生",
            citizen_email="chen@example.com",
            subject="職災",
            body="內容",
        )
        cases.received_mail_queue(numbered=numbered)
    handler = make_user(username="handler", email="handler@mol.gov.tw")
    PetitionFactory(handling_unit=unit, handler=handler, deadline=dt.date(2026, 3, 10))
    with freeze_time("2026-03-09 08:30:00+08:00"), django_capture_on_commit_callbacks(execute=True):
        send_reminders()
    kinds = {m.subject for m in mail.outbox}
    assert len(kinds) >= 6, kinds  # confirm, case number, reply, survey, received, reminder
    return mail.outbox


def test_links_use_the_public_base_url(
    client, owner, make_user, settings, django_capture_on_commit_callbacks
):
    settings.PETITIONS_PUBLIC_BASE_URL = "https://mailbox.mol.example/"
    # Staff notices (sign-off, reminders) link through the notifications app, on SITE_URL.
    settings.SITE_URL = "https://mailbox.mol.example"
    settings.ALLOWED_HOSTS = ["testserver", "mailbox.mol.example"]
    sent = whole_life(client, owner, make_user, django_capture_on_commit_callbacks)
    # The two mails sent in the citizen's own requests link to the host the citizen used.
    assert_absolute(sent[:2], "testserver")
    assert_absolute(sent[2:], "mailbox.mol.example")


def test_links_stay_absolute_without_the_setting(
    client, owner, make_user, settings, django_capture_on_commit_callbacks
):
    settings.PETITIONS_PUBLIC_BASE_URL = ""
    settings.ALLOWED_HOSTS = ["portal.mol.example", "testserver"]
    sent = whole_life(client, owner, make_user, django_capture_on_commit_callbacks)
    assert_absolute(sent[:2], "testserver")
    assert_absolute(sent[2:], "portal.mol.example")
