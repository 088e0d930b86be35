"""factory_boy factories for the citizen mailbox. Confirmed cases get their number from the
case counter (``core.sequences``, no gaps), with a known query code. ``grant`` gives a user a
petitions role."""

import factory
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from accounts.oidc.services import role_assign
from core.dates import roc_year
from core.models import County, Organization
from core.sequences import next_value
from petitions.choices import PetitionSource, PetitionStatus
from petitions.constants import CASE_NUMBER_SCOPE
from petitions.models import BlockRule, Category, Petition, StatusEvent
from petitions.services.abuse import normalise_text
from petitions.services.cases import case_number_format

QUERY_CODE = "ABCDEFGH23"


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"cat{n}")
    name_zh = factory.Sequence(lambda n: f"勞動條件{n}")
    name_en = factory.Sequence(lambda n: f"Working conditions {n}")
    sort = factory.Sequence(int)


def county(code: str = "63000") -> County:
    return County.objects.get(code=code)


class PetitionFactory(factory.django.DjangoModelFactory):
    """A confirmed web case (status received) whose query code is ``QUERY_CODE``."""

    class Meta:
        model = Petition

    source = PetitionSource.WEB
    status = PetitionStatus.RECEIVED
    citizen_name = factory.Sequence(lambda n: f"陳民眾{n}")
    citizen_email = factory.Sequence(lambda n: f"citizen{n}@example.com")
    subject = factory.Sequence(lambda n: f"加班費未給付 {n}")
    body = factory.Sequence(lambda n: f"雇主未依法給付加班費，已經{n}個月。")
    category = factory.SubFactory(CategoryFactory)
    county = factory.LazyFunction(county)
    consent = True
    consent_at = factory.LazyFunction(timezone.now)
    confirmed_at = factory.LazyFunction(timezone.now)
    query_code_hash = factory.LazyFunction(lambda: make_password(QUERY_CODE))

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        with transaction.atomic():
            if kwargs.get("status") != PetitionStatus.PENDING_CONFIRMATION:
                year = roc_year()
                serial = next_value(scope=CASE_NUMBER_SCOPE, year=year)
                kwargs.setdefault("roc_year", year)
                kwargs.setdefault("serial", serial)
                kwargs.setdefault("case_number", case_number_format(year=year, serial=serial))
            kwargs.setdefault(
                "body_fingerprint", normalise_text(kwargs["subject"] + "\n" + kwargs["body"])
            )
            petition = super()._create(model_class, *args, **kwargs)
            if petition.case_number:
                StatusEvent.objects.create(petition=petition, status=PetitionStatus.RECEIVED)
        return petition


def answer(
    petition: Petition, text: str = "您好，已請雇主補發加班費。", *, note: str = ""
) -> Petition:
    """What the staff side does when the signed-off reply is sent (tests only)."""
    now = timezone.now()
    petition.reply_text = text
    petition.replied_at = now
    petition.status = PetitionStatus.ANSWERED
    petition.save()
    StatusEvent.objects.create(petition=petition, status=PetitionStatus.ANSWERED, public_note=note)
    return petition


class BlockRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BlockRule

    kind = "domain"
    value = "spam.example"


def grant(user, role: str, unit: str | Organization | None = None):
    """Give ``user`` the portal-wide ``role`` for ``unit`` (a code or a unit; None: every
    unit), with its sub-units."""
    if isinstance(unit, str):
        unit = Organization.objects.get(code=unit)
    assignment, _created = role_assign(application=None, user=user, role_code=role, scope=unit)
    return assignment
