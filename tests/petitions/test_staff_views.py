"""Staff pages: login, visibility (404 for outsiders), masking in lists and CSV, bounded
queries, overdue dashboard, actions through the pages."""

import datetime as dt

import pytest
from django.urls import reverse
from freezegun import freeze_time

from core.models import Organization
from petitions.choices import PetitionStatus

from .factories import PetitionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_staff_mfa(settings):
    settings.MFA_REQUIRED_FOR_STAFF = False


@pytest.fixture
def unit():
    return Organization.objects.get(code="IM")


@pytest.fixture
def case(unit):
    return PetitionFactory(
        handling_unit=unit,
        citizen_name="王小明",
        citizen_email="wangxm@example.com",
        subject="=HYPERLINK(1)",
        deadline=dt.date(2026, 3, 2),
    )


def test_staff_pages_need_login(client, case):
    response = client.get(reverse("petitions:staff:triage"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_outsider_gets_404_on_a_case_of_another_unit(client, outsider, case):
    client.force_login(outsider)
    assert client.get(reverse("petitions:staff:detail", args=[case.pk])).status_code == 404
    response = client.post(
        reverse("petitions:staff:act", args=[case.pk, "reject"]), {"reason": "x"}
    )
    assert response.status_code == 404
    case.refresh_from_db()
    assert case.status == PetitionStatus.RECEIVED


def test_triage_list_masks_personal_data(client, owner, case):
    client.force_login(owner)
    body = client.get(reverse("petitions:staff:triage")).content.decode()
    assert case.case_number in body
    assert "王*明" in body and "王小明" not in body
    assert "wangxm@example.com" not in body


def test_csv_export_masks_and_neutralises_formulas(client, owner, case):
    client.force_login(owner)
    response = client.get(reverse("petitions:staff:export"))
    text = response.content.decode("utf-8-sig")
    assert "王*明" in text and "wangxm@" not in text
    assert "'=HYPERLINK(1)" in text


def test_triage_list_query_count_is_bounded(
    client, owner, unit, make_user, django_assert_max_num_queries
):
    handler = make_user(username="h1")
    for _ in range(30):
        PetitionFactory(handling_unit=unit, handler=handler)
    client.force_login(owner)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("petitions:staff:triage"))
    assert response.status_code == 200


@freeze_time("2026-03-05 09:00:00+08:00")
def test_overdue_dashboard_counts_per_unit(client, owner, case, unit):
    PetitionFactory(handling_unit=unit, deadline=dt.date(2026, 4, 1))
    client.force_login(owner)
    response = client.get(reverse("petitions:staff:overdue"))
    rows = list(response.context["units"])
    assert rows[0]["handling_unit__code"] == "IM"
    assert rows[0]["open"] == 2 and rows[0]["overdue"] == 1


def test_note_and_reject_through_the_page(client, owner, case):
    client.force_login(owner)
    client.post(reverse("petitions:staff:act", args=[case.pk, "note"]), {"text": "<b>內部</b>"})
    response = client.get(reverse("petitions:staff:detail", args=[case.pk]))
    assert "&lt;b&gt;內部&lt;/b&gt;" in response.content.decode()
    response = client.post(reverse("petitions:staff:act", args=[case.pk, "reject"]), {"reason": ""})
    case.refresh_from_db()
    assert case.status == PetitionStatus.RECEIVED
    client.post(reverse("petitions:staff:act", args=[case.pk, "reject"]), {"reason": "廣告"})
    case.refresh_from_db()
    assert case.status == PetitionStatus.REJECTED


def test_seeing_every_case_is_not_enough_to_act_on_it(client, outsider, case):
    from django.contrib.auth.models import Permission

    outsider.user_permissions.add(Permission.objects.get(codename="view_petition"))
    client.force_login(outsider)
    page = client.get(reverse("petitions:staff:detail", args=[case.pk]))
    assert page.status_code == 200
    assert reverse("petitions:staff:act", args=[case.pk, "reject"]) not in page.content.decode()
    response = client.post(
        reverse("petitions:staff:act", args=[case.pk, "reject"]), {"reason": "廣告"}
    )
    assert response.status_code == 403
    case.refresh_from_db()
    assert case.status == PetitionStatus.RECEIVED


def test_staff_case_page_escapes_citizen_text(client, owner, unit):
    case = PetitionFactory(
        handling_unit=unit,
        subject="<script>alert(1)</script>",
        body="<img src=x onerror=alert(2)>",
        citizen_name="<b>王</b>",
    )
    client.force_login(owner)
    content = client.get(reverse("petitions:staff:detail", args=[case.pk])).content.decode()
    assert "<script>alert(1)</script>" not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content
    assert "<img src=x" not in content
    assert "<b>王</b>" not in content


def test_a_deactivated_reply_template_cannot_be_used(client, owner, case, make_user):
    from petitions.models import ReplyTemplate

    template = ReplyTemplate.objects.create(name="舊範本", body="舊的答復內容", active=False)
    chief = make_user(username="chief2")
    client.force_login(owner)
    client.post(
        reverse("petitions:staff:act", args=[case.pk, "reply"]),
        {"template": template.pk, "text": "", "signers": [chief.pk]},
    )
    case.refresh_from_db()
    assert case.reply_text != "舊的答復內容"


def test_admin_cannot_change_the_workflow_fields_directly(client, staff_user, case):
    staff_user.is_superuser = True
    staff_user.save()
    client.force_login(staff_user)
    page = client.get(reverse("admin:petitions_petition_change", args=[case.pk]))
    assert page.status_code == 200
    form = page.context["adminform"].form
    assert "status" not in form.fields and "deadline" not in form.fields
    assert "category" in form.fields
    assert client.get(reverse("admin:petitions_petition_add")).status_code == 403
