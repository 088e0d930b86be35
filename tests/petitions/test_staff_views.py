"""Staff pages: login, visibility (404 for outsiders), masking in lists and CSV, bounded
queries, overdue dashboard, and each action through its own form and URL."""

import datetime as dt

import pytest
from django.urls import reverse
from freezegun import freeze_time

from accounts.models import UnitOfficer
from core.models import Organization
from petitions import roles
from petitions.choices import PetitionStatus
from petitions.models import DeadlineExtension, InternalNote, ReplyTemplate

from .factories import PetitionFactory, grant

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _owner_handles_im(owner):
    grant(owner, roles.HANDLER, "IM")


def url(name, case):
    return reverse(f"petitions:staff:{name}", args=[case.pk])


def version(client, case):
    """The version the case page's forms carry now."""
    page = client.get(url("detail", case))
    return page.context["forms"]["note"]["version"].value()


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


def test_a_user_without_a_petitions_role_gets_403(client, outsider, case):
    client.force_login(outsider)
    assert client.get(reverse("petitions:staff:triage")).status_code == 403
    assert client.get(url("detail", case)).status_code == 403
    assert client.post(url("reject", case), {"reject-reason": "x"}).status_code == 403
    case.refresh_from_db()
    assert case.status == PetitionStatus.RECEIVED


def test_outsider_gets_404_on_a_case_of_another_unit(client, outsider, case):
    grant(outsider, roles.HANDLER, "BLI")
    client.force_login(outsider)
    assert client.get(url("detail", case)).status_code == 404
    assert client.post(url("reject", case), {"reject-reason": "x"}).status_code == 404
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
    response = client.post(
        url("note", case), {"note-text": "<b>內部</b>", "note-version": version(client, case)}
    )
    assert response.status_code == 302
    response = client.get(url("detail", case))
    assert "&lt;b&gt;內部&lt;/b&gt;" in response.content.decode()
    response = client.post(
        url("reject", case), {"reject-reason": "", "reject-version": version(client, case)}
    )
    assert response.status_code == 400
    assert 'id="id_reject-reason_error"' in response.content.decode()
    case.refresh_from_db()
    assert case.status == PetitionStatus.RECEIVED
    client.post(
        url("reject", case), {"reject-reason": "廣告", "reject-version": version(client, case)}
    )
    case.refresh_from_db()
    assert case.status == PetitionStatus.REJECTED


def test_each_form_posts_to_its_own_url(client, owner, case):
    client.force_login(owner)
    html = client.get(url("detail", case)).content.decode()
    for action in ("note", "assign", "reply", "extend", "merge", "reject"):
        assert f'action="{url(action, case)}"' in html


def test_a_note_sent_twice_is_saved_once(client, owner, case):
    client.force_login(owner)
    data = {"note-text": "請會辦勞保局", "note-version": version(client, case)}
    assert client.post(url("note", case), data).status_code == 302
    again = client.post(url("note", case), data)
    assert again.status_code == 400
    assert InternalNote.objects.filter(petition=case).count() == 1
    assert "nothing was saved" in again.content.decode() or "未儲存" in again.content.decode()


def test_an_extension_sent_twice_extends_once(client, owner, case):
    client.force_login(owner)
    data = {
        "extend-working_days": "3",
        "extend-reason": "會辦",
        "extend-version": version(client, case),
    }
    client.post(url("extend", case), data)
    client.post(url("extend", case), data)
    assert DeadlineExtension.objects.filter(petition=case).count() == 1


def test_extension_errors_name_the_field(client, owner, case):
    client.force_login(owner)
    response = client.post(
        url("extend", case),
        {"extend-working_days": "0", "extend-reason": "x", "extend-version": version(client, case)},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_extend-working_days_error"' in html
    assert 'href="#id_extend-working_days"' in html  # the error summary links the field


def test_the_handler_choice_is_the_case_units_handlers(client, owner, outsider, case, make_user):
    colleague = make_user(username="colleague")
    grant(colleague, roles.HANDLER, "IM")
    client.force_login(owner)
    choices = client.get(url("detail", case)).context["forms"]["assign"].fields["handler"].queryset
    assert set(choices) == {owner, colleague}
    v = version(client, case)
    refused = client.post(url("assign", case), {"assign-handler": outsider.pk, "assign-version": v})
    assert refused.status_code == 400
    assert 'id="id_assign-handler_error"' in refused.content.decode()
    case.refresh_from_db()
    assert case.handler is None
    client.post(url("assign", case), {"assign-handler": colleague.pk, "assign-version": v})
    case.refresh_from_db()
    assert case.handler == colleague and case.status == PetitionStatus.ASSIGNED


def test_merge_target_must_be_a_case_the_actor_may_act_on(client, owner, case):
    elsewhere = PetitionFactory(handling_unit=Organization.objects.get(code="BLI"))
    mine = PetitionFactory(handling_unit=case.handling_unit)
    client.force_login(owner)
    v = version(client, case)
    refused = client.post(
        url("merge", case), {"merge-into": elsewhere.case_number, "merge-version": v}
    )
    assert refused.status_code == 400
    assert 'id="id_merge-into_error"' in refused.content.decode()
    client.post(url("merge", case), {"merge-into": f" {mine.case_number} ", "merge-version": v})
    case.refresh_from_db()
    assert case.status == PetitionStatus.MERGED and case.merged_into == mine


def test_reply_signers_keep_the_posted_order(client, owner, case, make_user, unit):
    first, second = make_user(username="zz-first"), make_user(username="aa-second")
    for person in (first, second):
        grant(person, roles.SUPERVISOR, "IM")
    head = make_user(username="head")
    UnitOfficer.objects.create(unit=unit, user=head, kind="head")
    client.force_login(owner)
    response = client.post(
        url("reply", case),
        {
            "reply-text": "您好，已函請雇主改善。",
            "reply-signers": [first.pk, second.pk],
            "reply-version": version(client, case),
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    steps = case.document.signoff_chains.get().steps.order_by("order")
    assert [s.assignee for s in steps] == [first, second, head]  # then the unit head


def test_a_viewer_reads_but_gets_no_forms_and_403_on_actions(client, outsider, case):
    grant(outsider, roles.VIEWER)
    client.force_login(outsider)
    page = client.get(url("detail", case))
    assert page.status_code == 200
    assert page.context["forms"] == {}
    assert url("reject", case) not in page.content.decode()
    response = client.post(url("reject", case), {"reject-reason": "廣告"})
    assert response.status_code == 403
    case.refresh_from_db()
    assert case.status == PetitionStatus.RECEIVED


def test_a_supervisor_gets_the_manage_forms_only(client, make_user, case):
    supervisor = make_user(username="sup")
    grant(supervisor, roles.SUPERVISOR, "IM")
    client.force_login(supervisor)
    forms = client.get(url("detail", case)).context["forms"]
    assert set(forms) == {"note", "assign", "extend"}


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
    template = ReplyTemplate.objects.create(name="舊範本", body="舊的答復內容", active=False)
    chief = make_user(username="chief2")
    client.force_login(owner)
    grant(chief, roles.SUPERVISOR, "IM")
    client.force_login(owner)
    response = client.post(
        url("reply", case),
        {
            "reply-template": template.pk,
            "reply-text": "",
            "reply-signers": [chief.pk],
            "reply-version": version(client, case),
        },
    )
    assert response.status_code == 400
    assert 'id="id_reply-template_error"' in response.content.decode()
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


@pytest.mark.parametrize("days", ["31", "99999"])
def test_an_extension_above_the_setting_is_refused_naming_the_field(
    client, owner, case, settings, days
):
    settings.PETITIONS_MAX_EXTENSION_WORKING_DAYS = 30
    client.force_login(owner)
    response = client.post(
        url("extend", case),
        {
            "extend-working_days": days,
            "extend-reason": "會辦",
            "extend-version": version(client, case),
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_extend-working_days_error"' in html
    error = response.context["forms"]["extend"].errors["working_days"][0]
    assert "30" in error and ("Working days" in error or "工作天" in error)
    case.refresh_from_db()
    assert case.deadline == dt.date(2026, 3, 2)
    assert not DeadlineExtension.objects.filter(petition=case).exists()
