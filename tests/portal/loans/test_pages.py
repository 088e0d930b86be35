"""The loans and supplies pages, the API read side and the admin: the main flows through HTTP,
and the refusals (anonymous, outsider, another person's ids, ids the page did not offer,
over quantity, double submit), with bounded queries on the list pages."""

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from mol_portal.celery import collect_beat_schedule
from portal import models, services
from portal.models import Loan, LoanItem, Stock, SupplyRequest
from tests.accounts.mfa_support import force_login_verified

from .conftest import TODAY, approve, day


def zh(message: str) -> str:
    """``message`` as the pages show it (in Chinese once translated)."""
    with translation.override("zh-hant"):
        return translation.gettext(message)


pytestmark = pytest.mark.usefixtures("clock")


def loan_form(item, **extra):
    data = {
        "item": item.pk,
        "start": day(1).isoformat(),
        "end": day(3).isoformat(),
        "quantity": "1",
        "purpose": "出差簡報",
        "key": "8a4c6f5e-1111-4222-8333-444455556666",
    }
    data.update(extra)
    return data


def test_anonymous_visitor_is_sent_to_the_login_page(client, laptop):
    for name in (
        "portal:loans",
        "portal:loan_new",
        "portal:my_loans",
        "portal:supplies",
        "portal:supply_new",
        "portal:my_supplies",
        "portal:supply_report",
    ):
        answer = client.get(reverse(name))
        assert answer.status_code == 302 and "/accounts/login/" in answer["Location"]


def test_catalogue_request_and_my_loans(
    client, owner, laptop, adapters, django_assert_max_num_queries
):
    client.force_login(owner)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("portal:loans"))
    assert page.status_code == 200 and "筆記型電腦 NB-07" in page.content.decode()
    assert client.get(laptop.get_absolute_url()).status_code == 200
    assert client.get(reverse("portal:loan_new") + f"?item={laptop.pk}").status_code == 200
    answer = client.post(reverse("portal:loan_new"), loan_form(laptop))
    assert answer.status_code == 302
    loan = Loan.objects.get()
    assert answer["Location"] == loan.get_absolute_url()
    # Double submit: the same form key asks once.
    assert client.post(reverse("portal:loan_new"), loan_form(laptop)).status_code == 302
    assert Loan.objects.count() == 1
    with django_assert_max_num_queries(12):
        mine = client.get(reverse("portal:my_loans"))
    assert loan.number in mine.content.decode()
    assert client.get(loan.get_absolute_url()).status_code == 200


@pytest.mark.parametrize(
    "extra, field, message",
    [
        ({"end": day(0).isoformat()}, "end", "The last day cannot be before the first."),
        ({"quantity": "2"}, "quantity", "This item is lent one at a time."),
        ({"purpose": ""}, "purpose", "This field is required."),
        ({"start": "not a date"}, "start", "Enter a valid date."),
        ({"item": "999999"}, "item", None),
    ],
)
def test_bad_loan_forms_are_400_naming_the_field(client, owner, laptop, extra, field, message):
    client.force_login(owner)
    answer = client.post(reverse("portal:loan_new"), {**loan_form(laptop), **extra})
    assert answer.status_code == 400
    if message:
        assert zh(message) in answer.content.decode()
    assert field in answer.context["form"].errors
    assert not Loan.objects.exists()


def test_over_quantity_and_taken_dates_are_refused(client, owner, colleague, adapters):
    client.force_login(owner)
    answer = client.post(reverse("portal:loan_new"), loan_form(adapters, quantity="4", key=""))
    assert answer.status_code == 400 and "quantity" in answer.context["form"].errors
    services.loan_request(
        actor=colleague, item=adapters, start=day(1), end=day(1), quantity=3, purpose="x"
    )
    answer = client.post(reverse("portal:loan_new"), loan_form(adapters, key=""))
    assert answer.status_code == 400
    assert zh("Not available on those dates: %(n)d free.") % {"n": 0} in answer.content.decode()


def test_an_inactive_item_is_not_offered(client, owner, laptop):
    laptop.is_active = False
    laptop.save()
    client.force_login(owner)
    answer = client.post(reverse("portal:loan_new"), loan_form(laptop))
    assert answer.status_code == 400 and "item" in answer.context["form"].errors
    assert client.get(laptop.get_absolute_url()).status_code == 404


def test_another_persons_loan_is_a_404_to_colleague_and_outsider(
    client, owner, colleague, outsider, laptop
):
    loan = services.loan_request(actor=owner, item=laptop, start=day(1), end=day(2), purpose="x")
    for person in (colleague, outsider):
        client.force_login(person)
        assert client.get(loan.get_absolute_url()).status_code == 404
        assert client.post(reverse("portal:loan_cancel", args=[loan.pk])).status_code == 404
        assert (
            client.post(
                reverse("portal:loan_checkout", args=[loan.pk]), {"condition": "good"}
            ).status_code
            == 404
        )
        assert client.get(reverse("portal:loan_desk")).status_code == 404
    loan.refresh_from_db()
    assert loan.status == "pending"


def test_the_loan_desk_checks_out_and_takes_back(
    client, owner, desk, laptop, django_assert_max_num_queries
):
    loan = services.loan_request(actor=owner, item=laptop, start=day(0), end=day(2), purpose="x")
    approve(loan, desk)
    client.force_login(desk)
    with django_assert_max_num_queries(14):
        page = client.get(reverse("portal:loan_desk"))
    assert loan.number in page.content.decode()
    answer = client.post(
        reverse("portal:loan_checkout", args=[loan.pk]), {"condition": "good", "next": "desk"}
    )
    assert answer.status_code == 302 and answer["Location"] == reverse("portal:loan_desk")
    loan.refresh_from_db()
    assert loan.status == "out"
    answer = client.post(reverse("portal:loan_return", args=[loan.pk]), {"condition": "bogus"})
    loan.refresh_from_db()
    assert loan.status == "out"
    client.post(
        reverse("portal:loan_return", args=[loan.pk]), {"condition": "damaged", "note": "螢幕刮傷"}
    )
    loan.refresh_from_db()
    assert (loan.status, loan.condition_in, loan.note) == ("returned", "damaged", "螢幕刮傷")


def test_the_requester_cancels_from_the_page(client, owner, laptop):
    loan = services.loan_request(actor=owner, item=laptop, start=day(1), end=day(2), purpose="x")
    client.force_login(owner)
    client.post(reverse("portal:loan_cancel", args=[loan.pk]))
    loan.refresh_from_db()
    assert loan.status == "cancelled"


def supply_form(row, **extra):
    data = {
        "stock": row.pk,
        "quantity": "2",
        "purpose": "換碳粉",
        "key": "9a4c6f5e-1111-4222-8333-444455556666",
    }
    data.update(extra)
    return data


def test_supplies_catalogue_request_issue_and_report(
    client, owner, keeper, store, toner, django_assert_max_num_queries
):
    row = Stock.objects.get(item=toner)
    client.force_login(owner)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("portal:supplies"))
    assert "HP 碳粉匣" in page.content.decode()
    assert client.post(reverse("portal:supply_new"), supply_form(row)).status_code == 302
    assert client.post(reverse("portal:supply_new"), supply_form(row)).status_code == 302
    made = SupplyRequest.objects.get()
    with django_assert_max_num_queries(12):
        assert made.number in client.get(reverse("portal:my_supplies")).content.decode()
    # The requester cannot issue nor read the report.
    assert (
        client.post(reverse("portal:supply_issue", args=[made.pk]), {"quantity": "2"}).status_code
        == 404
    )
    assert client.get(reverse("portal:supply_report")).status_code == 404
    assert client.get(reverse("portal:supply_report_csv")).status_code == 404
    approve(made, keeper)
    client.force_login(keeper)
    assert made.number in client.get(reverse("portal:supply_desk")).content.decode()
    answer = client.post(
        reverse("portal:supply_issue", args=[made.pk]), {"quantity": "2", "next": "desk"}
    )
    assert answer["Location"] == reverse("portal:supply_desk")
    assert Stock.objects.get(pk=row.pk).quantity == 4
    month = TODAY.strftime("%Y-%m")
    report = client.get(reverse("portal:supply_report") + f"?month={month}")
    assert report.status_code == 200 and "HP 碳粉匣" in report.content.decode()
    csv_answer = client.get(reverse("portal:supply_report_csv") + f"?month={month}")
    assert csv_answer["Content-Type"].startswith("text/csv")
    lines = csv_answer.content.decode("utf-8-sig").strip().splitlines()
    assert lines[1].startswith("IM,") and lines[1].endswith(",2,1")


def test_supply_refusals(client, owner, colleague, outsider, keeper, store, toner):
    row = Stock.objects.get(item=toner)
    client.force_login(owner)
    answer = client.post(reverse("portal:supply_new"), supply_form(row, quantity="21", key=""))
    assert answer.status_code == 400 and "quantity" in answer.context["form"].errors
    answer = client.post(reverse("portal:supply_new"), supply_form(row, stock="999999", key=""))
    assert answer.status_code == 400 and "stock" in answer.context["form"].errors
    made = services.supply_request(actor=owner, store=store, item=toner, quantity=2, purpose="x")
    for person in (colleague, outsider):
        client.force_login(person)
        assert client.get(made.get_absolute_url()).status_code == 404
        assert client.post(reverse("portal:supply_cancel", args=[made.pk])).status_code == 404
    # Issuing more than in stock: refused with a message, nothing changes.
    approve(made, keeper)
    Stock.objects.filter(pk=row.pk).update(quantity=1)
    client.force_login(keeper)
    answer = client.post(
        reverse("portal:supply_issue", args=[made.pk]), {"quantity": "2"}, follow=True
    )
    assert zh("Only %(n)d in stock.") % {"n": 1} in answer.content.decode()
    assert Stock.objects.get(pk=row.pk).quantity == 1


def test_the_report_refuses_a_bad_month(client, keeper, store):
    client.force_login(keeper)
    answer = client.get(reverse("portal:supply_report") + "?month=2026-13")
    assert answer.status_code == 200
    assert zh("Give the month as YYYY-MM.") in answer.content.decode()


def test_api_read_side(
    owner, outsider, laptop, adapters, store, toner, django_assert_max_num_queries
):
    api = APIClient()
    assert api.get("/api/v1/portal/loans/items/").status_code in (401, 403)
    api.force_authenticate(owner)
    services.loan_request(
        actor=owner, item=adapters, start=day(0), end=day(1), quantity=2, purpose="x"
    )
    with django_assert_max_num_queries(6):
        answer = api.get("/api/v1/portal/loans/items/")
    assert answer.status_code == 200
    rows = answer.json()["results"] if "results" in answer.json() else answer.json()
    assert {r["code"]: r["free_today"] for r in rows} == {"nb-07": 1, "hdmi": 1}
    mine = api.get("/api/v1/portal/loans/").json()
    mine = mine["results"] if "results" in mine else mine
    assert [r["quantity"] for r in mine] == [2]
    api.force_authenticate(outsider)
    theirs = api.get("/api/v1/portal/loans/").json()
    assert (theirs["results"] if "results" in theirs else theirs) == []
    supplies = api.get("/api/v1/portal/supplies/items/").json()
    supplies = supplies["results"] if "results" in supplies else supplies
    assert [(r["item_code"], r["quantity"], r["low"]) for r in supplies] == [("toner-hp", 6, False)]


def test_the_overdue_job_is_in_the_beat_schedule():
    assert "portal-loan-overdue-reminders" in collect_beat_schedule()


@pytest.fixture
def superuser(make_user):
    return make_user(username="root", is_staff=True, is_superuser=True)


@pytest.mark.parametrize(
    "model", ["loanitem", "loan", "store", "supplyitem", "stock", "supplyrequest"]
)
def test_admin_changelists_answer_and_loans_are_read_only(
    client, superuser, owner, laptop, store, toner, model
):
    services.loan_request(actor=owner, item=laptop, start=day(1), end=day(2), purpose="x")
    force_login_verified(client, superuser)
    assert client.get(reverse(f"admin:portal_{model}_changelist") + "?q=x").status_code == 200
    if model in ("loan", "supplyrequest"):
        assert client.get(reverse(f"admin:portal_{model}_add")).status_code == 403


def test_every_model_is_in_the_admin(db):
    for model in (
        models.LoanItem,
        models.Loan,
        models.Store,
        models.SupplyItem,
        models.Stock,
        models.SupplyRequest,
    ):
        assert model in admin.site._registry
    assert LoanItem.objects.count() == 0


def test_my_requests_lists_my_loans_and_supply_requests_only(
    client, owner, colleague, laptop, store, toner
):
    mine = services.loan_request(actor=owner, item=laptop, start=day(1), end=day(2), purpose="x")
    asked = services.supply_request(actor=owner, store=store, item=toner, quantity=1, purpose="y")
    theirs = services.supply_request(
        actor=colleague, store=store, item=toner, quantity=1, purpose="z"
    )
    client.force_login(owner)
    page = client.get(reverse("portal:my_requests")).content.decode()
    assert mine.number in page and asked.number in page
    assert theirs.number not in page
    page = client.get(reverse("portal:my_requests") + "?open=1").content.decode()
    assert mine.number in page
