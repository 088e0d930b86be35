"""Every model is in the admin; case types (fields, statuses, transitions) are edited there."""

import pytest
from django.contrib import admin
from django.urls import reverse

from labor_admin.models import (
    ApiClient,
    Case,
    CaseAttachment,
    CaseEvent,
    CaseField,
    CaseReminder,
    CaseStatus,
    CaseTransition,
    CaseType,
    DailyFact,
    IndustryDivision,
    IndustrySector,
)
from tests.accounts.factories import UserFactory
from tests.accounts.mfa_support import force_login_verified

from .factories import make_case

pytestmark = pytest.mark.django_db

REGISTERED = [ApiClient, Case, CaseAttachment, CaseReminder, CaseType, DailyFact,
              IndustryDivision, IndustrySector]  # fmt: skip


@pytest.fixture
def admin_client(client):
    boss = UserFactory(username="boss", is_staff=True, is_superuser=True)
    force_login_verified(client, boss)
    return client


@pytest.mark.parametrize("model", REGISTERED, ids=lambda m: m.__name__)
def test_every_model_has_a_working_changelist(admin_client, model, la_owner, office):
    make_case(unit=office, actor=la_owner)
    url = reverse(f"admin:labor_admin_{model._meta.model_name}_changelist")
    assert admin_client.get(url).status_code == 200


def test_inline_models_are_edited_with_their_type():
    # statuses, fields and transitions are inlines of the case type; events of the case
    inlines = {i.model for i in admin.site._registry[CaseType].inlines}
    assert inlines == {CaseField, CaseStatus, CaseTransition}
    assert {i.model for i in admin.site._registry[Case].inlines} == {CaseEvent}


def test_case_type_change_page_links_the_preview(admin_client):
    med = CaseType.objects.get(code="MED")
    page = admin_client.get(reverse("admin:labor_admin_casetype_change", args=[med.pk]))
    assert page.status_code == 200
    assert reverse("labor_admin:type_preview", args=["MED"]) in page.content.decode()


def test_a_field_added_in_the_admin_appears_on_the_intake_form(admin_client, la_owner, office):
    med = CaseType.objects.get(code="MED")
    CaseField.objects.create(case_type=med, code="union", label_zh="工會名稱", kind="text")
    page = admin_client.get(reverse("labor_admin:type_preview", args=["MED"])).content.decode()
    assert "工會名稱" in page
    case = make_case(unit=office, actor=la_owner,
                     data={"dispute_kind": "wage", "workers": 1, "union": "產業工會"})  # fmt: skip
    assert case.data["union"] == "產業工會"
