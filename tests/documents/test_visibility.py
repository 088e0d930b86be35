import pytest
from django.contrib.auth.models import AnonymousUser

from documents.choices import SecurityLevel
from documents.models import Document

from .factories import DocumentFactory, UserFactory, unit

pytestmark = pytest.mark.django_db


def visible(user):
    return set(Document.objects.visible_to(user).values_list("pk", flat=True))


def test_unit_members_see_their_units_documents(owner, outsider):
    document = DocumentFactory(unit=unit("IM"))
    assert document.pk in visible(owner)
    assert document.pk not in visible(outsider)


def test_parent_unit_sees_ordinary_documents_of_units_below():
    head = UserFactory(username="hq", organization=unit("MOL-HQ"))
    ordinary = DocumentFactory(unit=unit("IM"))
    secret = DocumentFactory(unit=unit("IM"), security_level=SecurityLevel.CONFIDENTIAL)
    assert ordinary.pk in visible(head)
    assert secret.pk not in visible(head)


def test_classified_documents_are_seen_by_the_owning_unit_and_signers(owner, start, signer_a):
    outsider_signer = UserFactory(username="bli-signer", organization=unit("BLI"))
    secret = DocumentFactory(unit=unit("IM"), security_level=SecurityLevel.SECRET)
    assert secret.pk in visible(owner)
    assert secret.pk not in visible(outsider_signer)
    start(secret, [(1, outsider_signer)])
    assert secret.pk in visible(outsider_signer)


def test_signers_from_other_units_see_the_document(start, outsider):
    document = DocumentFactory(unit=unit("IM"))
    start(document, [(1, outsider)])
    assert document.pk in visible(outsider)


def test_superuser_sees_everything():
    boss = UserFactory(username="root", is_superuser=True, organization=None)
    document = DocumentFactory(unit=unit("BLI"), security_level=SecurityLevel.TOP_SECRET)
    assert document.pk in visible(boss)


def test_anonymous_and_inactive_users_see_nothing(owner):
    DocumentFactory(unit=unit("IM"))
    assert not visible(AnonymousUser())
    owner.is_active = False
    assert not visible(owner)
