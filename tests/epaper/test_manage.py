# ruff: noqa: F811 - the fixtures imported from subscriber_support are arguments of the tests
"""The managers' subscriber pages: who may use them (from every entry point: page, export,
erasure, import, services, admin), the search, the CSV import (report, de-duplication,
recorded source), the personal-data export and the erasure (audited, without the address)."""

import csv
import io
import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from core.choices import AuditAction
from core.models import AuditLogEntry
from epaper.models import (
    Bounce,
    DeliveryState,
    ImportBatch,
    Issue,
    IssueDelivery,
    IssueState,
    Newsletter,
    OptIn,
    Subscriber,
    SubscriberState,
)
from epaper.services import links, privacy
from epaper.services.imports import subscribers_import
from notifications.models import Delivery
from tests.accounts.mfa_support import force_login_verified

from .subscriber_support import (  # noqa: F401 - fixtures
    commit,
    editor,
    manager,
    plain_staff,
    start,
    states,
    subscribed,
)

pytestmark = pytest.mark.django_db

TAIPEI = ZoneInfo("Asia/Taipei")


@pytest.fixture(autouse=True)
def _no_second_factor(settings):
    settings.MFA_REQUIRED_FOR_STAFF = False


@pytest.fixture
def chen(commit):
    """A confirmed subscriber with an opt-in (IP recorded), an outbox mail and a delivery."""
    _opt_in, token = start(commit, email="chen@example.com", codes=("weekly", "bli"))
    from epaper.services.subscriptions import opt_in_confirm  # noqa: PLC0415

    opt_in_confirm(token=token)
    subscriber = Subscriber.objects.get(email="chen@example.com")
    weekly = Newsletter.objects.get(code="weekly")
    sent = Issue.objects.create(newsletter=weekly, title="第1期", number=1, state=IssueState.SENT)
    sending = Issue.objects.create(
        newsletter=weekly, title="第2期", number=2, state=IssueState.SENDING
    )
    IssueDelivery.objects.create(
        issue=sent,
        subscriber=subscriber,
        message_id="<1@x>",
        state=DeliveryState.SENT,
        sent_at=timezone.now(),
    )
    IssueDelivery.objects.create(issue=sending, subscriber=subscriber, message_id="<2@x>")
    Bounce.objects.create(
        message_id="<b@x>",
        subscriber=subscriber,
        issue=sent,
        kind="soft",
        reason="mailbox of chen@example.com full",
    )
    return subscriber


def pages(subscriber):
    return [
        ("get", reverse("epaper:subscribers")),
        ("get", reverse("epaper:subscriber", args=[subscriber.pk])),
        ("get", reverse("epaper:subscriber_export", args=[subscriber.pk, "json"])),
        ("get", reverse("epaper:subscriber_export", args=[subscriber.pk, "csv"])),
        ("post", reverse("epaper:subscriber_erase", args=[subscriber.pk])),
        ("get", reverse("epaper:import")),
        ("post", reverse("epaper:import")),
    ]


# --- Who may ------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["editor", "plain_staff", "owner", "colleague", "outsider"])
def test_only_managers_reach_the_pages(request, client, chen, who):
    user = request.getfixturevalue(who)
    force_login_verified(client, user)
    for method, url in pages(chen):
        response = getattr(client, method)(url, {"confirm": "on"} if method == "post" else None)
        assert response.status_code == 403, (who, url)
    chen.refresh_from_db()
    assert chen.state == SubscriberState.ACTIVE
    assert not AuditLogEntry.objects.filter(action=AuditAction.VIEW).exists()
    assert not ImportBatch.objects.exists()


def test_anonymous_visitors_are_sent_to_the_login_page(client, chen):
    for method, url in pages(chen):
        response = getattr(client, method)(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_manager_reaches_the_pages(client, manager, chen):
    force_login_verified(client, manager)
    for url in (
        reverse("epaper:subscribers"),
        reverse("epaper:subscriber", args=[chen.pk]),
        reverse("epaper:import"),
    ):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("who", ["editor", "plain_staff", "outsider"])
def test_the_services_refuse_everyone_but_managers(request, chen, who):
    user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        privacy.subscriber_export(subscriber=chen, actor=user)
    with pytest.raises(PermissionDenied):
        privacy.subscriber_erase(subscriber=chen, actor=user)
    with pytest.raises(PermissionDenied):
        subscribers_import(data=b"email,newsletters\n", source="old", actor=user)
    assert Subscriber.objects.get(pk=chen.pk).email == "chen@example.com"


def _with_admin_permissions(user):
    user.is_staff = True
    user.save()
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="epaper"))
    return user


@pytest.mark.parametrize(
    ("who", "allowed"), [("manager", True), ("editor", False), ("plain_staff", False)]
)
def test_the_admin_needs_the_manager_role_too(request, client, chen, who, allowed):
    user = _with_admin_permissions(request.getfixturevalue(who))
    force_login_verified(client, user)
    for url in (
        "/admin/epaper/subscriber/",
        f"/admin/epaper/subscriber/{chen.pk}/change/",
        "/admin/epaper/optin/",
        "/admin/epaper/subscription/",
        "/admin/epaper/importbatch/",
        "/admin/epaper/issuedelivery/",
        "/admin/epaper/bounce/",
        "/admin/epaper/newsletter/",
        "/admin/epaper/issue/",
    ):
        response = client.get(url)
        assert response.status_code == (200 if allowed else 403), (who, url)
    index = client.get("/admin/").content.decode()
    assert ("/admin/epaper/" in index) is allowed


def test_the_admin_masks_addresses_in_lists_and_writes_nothing(client, manager, chen):
    force_login_verified(client, _with_admin_permissions(manager))
    listing = client.get("/admin/epaper/subscriber/").content.decode()
    assert "chen@example.com" not in listing and "c***@example.com" in listing
    change = client.get(f"/admin/epaper/subscriber/{chen.pk}/change/").content.decode()
    assert "chen@example.com" in change
    assert client.get("/admin/epaper/subscriber/add/").status_code == 403
    response = client.post(f"/admin/epaper/subscriber/{chen.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert Subscriber.objects.filter(pk=chen.pk).exists()
    optins = client.get("/admin/epaper/optin/").content.decode()
    assert OptIn.objects.get().token_hash not in optins


# --- Search -------------------------------------------------------------------------------------


def test_the_list_masks_addresses_filters_and_paginates(client, manager):
    for n in range(55):
        subscribed(f"person{n:02d}@example.com", "weekly")
    subscribed("lin@example.org", "bli")
    force_login_verified(client, manager)
    first = client.get(reverse("epaper:subscribers")).content.decode()
    assert "person54@example.com" not in first and "p*******@example.com" in first
    assert "56" in first  # the count in the caption
    second = client.get(reverse("epaper:subscribers"), {"page": 2}).content.decode()
    assert second.count("@example.") == 6
    found = client.get(reverse("epaper:subscribers"), {"q": "LIN@"}).content.decode()
    assert "l**@example.org" in found and "p*******@example.com" not in found
    by_list = client.get(reverse("epaper:subscribers"), {"newsletter": "bli"}).content.decode()
    assert "l**@example.org" in by_list and "p*******@" not in by_list


# --- Export -------------------------------------------------------------------------------------


def test_the_json_export_has_everything_and_is_audited_without_the_address(client, manager, chen):
    force_login_verified(client, manager)
    response = client.get(reverse("epaper:subscriber_export", args=[chen.pk, "json"]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert f'filename="subscriber-{chen.pk}.json"' in response["Content-Disposition"]
    assert response["Cache-Control"] == "no-store"
    data = json.loads(response.content)
    assert data["email"] == "chen@example.com"
    assert {s["newsletter"]: s["state"] for s in data["subscriptions"]} == {
        "weekly": "confirmed",
        "bli": "confirmed",
    }
    assert data["opt_ins"][0]["ip"] == "192.0.2.10"
    assert data["opt_ins"][0]["newsletters"] == ["bli", "weekly"]
    assert data["consent"]["source"] == "web" and data["consent"]["privacy_version"]
    assert [d["issue_number"] for d in data["deliveries"]] == [1, 2]
    assert data["bounces"][0]["reason"] == "mailbox of chen@example.com full"
    entry = AuditLogEntry.objects.get(action=AuditAction.VIEW)
    assert entry.actor == manager
    assert entry.object_id == str(chen.pk) and entry.content_type.model == "subscriber"
    assert "chen@example.com" not in f"{entry.object_repr} {entry.message} {entry.changes}"
    assert list(AuditLogEntry.objects.for_object(chen)) == [entry]


def test_the_csv_export_is_a_field_value_table_safe_for_spreadsheets(client, manager, chen):
    chen.subscriptions.filter(newsletter__code="weekly").update(source="=cmd|' /C calc'!A0")
    force_login_verified(client, manager)
    response = client.get(reverse("epaper:subscriber_export", args=[chen.pk, "csv"]))
    assert response.status_code == 200
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0] == ["field", "value"]
    values = dict(rows[1:])
    assert values["email"] == "chen@example.com"
    assert values["subscriptions.1.source"].startswith("'=")  # never run as a formula
    assert AuditLogEntry.objects.filter(action=AuditAction.VIEW).count() == 1


def test_an_unknown_export_format_is_404(client, manager, chen):
    force_login_verified(client, manager)
    assert client.get(f"/epaper/manage/{chen.pk}/export.xml").status_code == 404
    assert not AuditLogEntry.objects.filter(action=AuditAction.VIEW).exists()


# --- Erasure ------------------------------------------------------------------------------------


def test_erasure_removes_the_person_and_keeps_the_statistics(client, manager, chen):
    old_token = links.preferences_token(chen)
    version = chen.link_version
    assert Delivery.objects.filter(to="chen@example.com").exists()
    force_login_verified(client, manager)
    response = client.post(
        reverse("epaper:subscriber_erase", args=[chen.pk]),
        {"confirm": "on", "reason": "request by phone 2026-03-02"},
    )
    assert response.status_code == 302
    chen.refresh_from_db()
    assert chen.state == SubscriberState.ERASED
    assert chen.email == f"erased-{chen.pk}@erased.invalid"
    assert chen.link_version == version + 1
    assert chen.consent_ip is None and chen.consented_at is None and chen.consent_source == ""
    assert set(states(chen).values()) == {"unsubscribed"}
    assert not OptIn.objects.filter(subscriber=chen).exists()
    deliveries = dict(
        IssueDelivery.objects.filter(subscriber=chen).values_list("message_id", "state")
    )
    assert deliveries == {"<1@x>": DeliveryState.SENT, "<2@x>": DeliveryState.SKIPPED}
    assert Bounce.objects.get().reason == "" and Bounce.objects.get().subscriber == chen
    assert not Delivery.objects.filter(to="chen@example.com").exists()
    assert links.subscriber_for_preferences(old_token) is None
    entry = AuditLogEntry.objects.get(action=AuditAction.DELETE, object_id=str(chen.pk))
    assert entry.actor == manager and "request by phone" in entry.message
    assert "chen@example.com" not in f"{entry.object_repr} {entry.message} {entry.changes}"
    page = client.get(reverse("epaper:subscriber", args=[chen.pk])).content.decode()
    assert "chen@example.com" not in page


def test_erasure_needs_the_confirmation_box_and_happens_once(client, manager, chen):
    force_login_verified(client, manager)
    url = reverse("epaper:subscriber_erase", args=[chen.pk])
    assert client.post(url, {}).status_code == 400
    assert Subscriber.objects.get(pk=chen.pk).state == SubscriberState.ACTIVE
    assert privacy.subscriber_erase(subscriber=chen, actor=manager) is True
    assert privacy.subscriber_erase(subscriber=chen, actor=manager) is False
    assert AuditLogEntry.objects.filter(action=AuditAction.DELETE).count() == 1


def test_an_erased_address_can_subscribe_again_as_a_new_person(chen, manager, commit):
    privacy.subscriber_erase(subscriber=chen, actor=manager)
    mail.outbox.clear()
    start(commit, email="chen@example.com", codes=("weekly",))
    fresh = Subscriber.objects.get(email="chen@example.com")
    assert fresh.pk != chen.pk and states(fresh) == {"weekly": "pending"}


def test_erased_subscribers_are_left_out_of_the_list_unless_asked_for(client, manager, chen):
    privacy.subscriber_erase(subscriber=chen, actor=manager)
    force_login_verified(client, manager)
    assert "erased-" not in client.get(reverse("epaper:subscribers")).content.decode()
    shown = client.get(reverse("epaper:subscribers"), {"state": "erased"}).content.decode()
    assert "e*****" in shown


# --- Import -------------------------------------------------------------------------------------

CSV = (
    "email,newsletters,language,subscribed_at,old_id\n"
    "chen@example.com,weekly;statistics,zh-hant,2023-05-01,1\n"
    "lin@example.com,bli,en,2024/01/15 09:30,2\n"
    "CHEN@EXAMPLE.COM,weekly;wda,,,3\n"
    "not-an-address,weekly,,,4\n"
    "wang@example.com,weekly;nope,,,5\n"
    "\n"
    "li@example.com,,,,6\n"
    "zhao@example.com,weekly,fr,,7\n"
    "qian@example.com,weekly,,yesterday,8\n"
    "sun@example.com,weekly,,2999-01-01,9\n"
    "known@example.com,weekly;bli;bulletin,,,10\n"
)


def test_the_import_reports_each_row_and_removes_duplicates(manager):
    known = subscribed("known@example.com", "weekly")
    subscribed("known@example.com", "bulletin", state="unsubscribed")
    batch = subscribers_import(
        data=CSV.encode("utf-8-sig"), source="舊電子報系統", actor=manager, file_name="old.csv"
    )
    assert (batch.rows, batch.created, batch.merged, batch.rejected) == (10, 2, 1, 6)
    assert batch.created_by == manager and batch.source == "舊電子報系統"
    assert batch.file_name == "old.csv"
    report = {line["row"]: line for line in batch.report}
    assert report[1]["status"] == "note" and "old_id" in report[1]["messages"][0]
    assert report[4]["status"] == "duplicate" and "第 2 列" in report[4]["messages"][0]
    assert report[4]["email"] == "c***@example.com"
    for row in (5, 6, 8, 9, 10, 11):
        assert report[row]["status"] == "rejected", row
    assert "nope" in report[6]["messages"][0]
    assert 7 not in report  # the blank line
    assert report[12]["status"] == "merged"
    assert any("bulletin" in message for message in report[12]["messages"])
    assert "chen@example.com" not in json.dumps(batch.report)

    chen = Subscriber.objects.get(email="chen@example.com")
    assert states(chen) == {"weekly": "confirmed", "statistics": "confirmed", "wda": "confirmed"}
    assert chen.consent_source == "import:舊電子報系統" and chen.import_batch == batch
    assert chen.consented_at == datetime(2023, 5, 1, tzinfo=TAIPEI)
    assert chen.subscriptions.get(newsletter__code="weekly").source == "import:舊電子報系統"
    lin = Subscriber.objects.get(email="lin@example.com")
    assert lin.language == "en"
    assert lin.subscriptions.get().confirmed_at == datetime(2024, 1, 15, 9, 30, tzinfo=TAIPEI)
    # A known address gets the lists it lacks, never one it left; its own consent is kept.
    assert states(known) == {"weekly": "confirmed", "bli": "confirmed", "bulletin": "unsubscribed"}
    known.refresh_from_db()
    assert known.import_batch is None
    assert not Subscriber.objects.filter(email__in=["wang@example.com", "sun@example.com"]).exists()
    assert mail.outbox == []  # an import mails nobody


def test_importing_the_same_file_twice_creates_nothing_new(manager):
    first = subscribers_import(data=CSV.encode(), source="old", actor=manager)
    second = subscribers_import(data=CSV.encode(), source="old", actor=manager)
    assert first.created == 3 and second.created == 0 and second.merged == 3
    assert Subscriber.objects.count() == 3


def test_a_big5_file_is_read(manager):
    """Excel in Taiwan saves CSV as Big5 (CP950)."""
    data = "email,newsletters,備註\nchen@example.com,weekly,老訂戶\n".encode("cp950")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    batch = subscribers_import(data=data, source="舊系統", actor=manager)
    assert batch.created == 1
    assert "備註" in batch.report[0]["messages"][0]  # the extra column, named as it was


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "檔案是空的"),
        (b"mail,lists\nchen@example.com,weekly\n", "email, newsletters"),
        (b"\xff\xfe\x00\x00garbage\x81\x00", "UTF-8"),
    ],
)
def test_a_file_that_cannot_be_read_imports_and_records_nothing(manager, data, message):
    from django.core.exceptions import ValidationError  # noqa: PLC0415

    with pytest.raises(ValidationError) as caught:
        subscribers_import(data=data, source="old", actor=manager)
    assert "file" in caught.value.message_dict
    assert message in " ".join(caught.value.message_dict["file"])
    assert not ImportBatch.objects.exists() and not Subscriber.objects.exists()


def test_the_size_and_row_limits(manager, settings):
    from django.core.exceptions import ValidationError  # noqa: PLC0415

    settings.EPAPER_IMPORT_MAX_ROWS = 3
    rows = "".join(f"p{n}@example.com,weekly\n" for n in range(4))
    with pytest.raises(ValidationError):
        subscribers_import(data=("email,newsletters\n" + rows).encode(), source="x", actor=manager)
    settings.EPAPER_IMPORT_MAX_BYTES = 1024
    with pytest.raises(ValidationError):
        subscribers_import(data=b"email,newsletters\n" + b"x" * 2000, source="x", actor=manager)
    assert not ImportBatch.objects.exists()


def test_hostile_cells_are_kept_as_text(manager, client):
    data = (
        b"email,newsletters\n"
        b'"<script>alert(1)</script>@x.com",weekly\n'
        b'chen@example.com,"weekly;<img src=x onerror=alert(1)>"\n'
    )
    batch = subscribers_import(data=data, source="<b>old</b>", actor=manager)
    assert batch.rejected == 2 and batch.created == 0
    force_login_verified(client, manager)
    page = client.get(reverse("epaper:import_batch", args=[batch.pk])).content.decode()
    assert "<img src=x" not in page and "<script>alert" not in page and "<b>old</b>" not in page


def test_the_import_page_uploads_and_shows_the_report(client, manager):
    force_login_verified(client, manager)
    upload = SimpleUploadedFile("old list.csv", CSV.encode(), content_type="text/csv")
    response = client.post(reverse("epaper:import"), {"source": "舊系統", "file": upload})
    assert response.status_code == 302
    batch = ImportBatch.objects.get()
    assert response["Location"] == reverse("epaper:import_batch", args=[batch.pk])
    report = client.get(response["Location"]).content.decode()
    assert "舊系統" in report and "c***@example.com" in report
    listing = client.get(reverse("epaper:import")).content.decode()
    assert reverse("epaper:import_batch", args=[batch.pk]) in listing


def test_the_import_page_shows_a_file_error_on_its_field(client, manager):
    force_login_verified(client, manager)
    upload = SimpleUploadedFile("x.csv", b"mail\nx\n", content_type="text/csv")
    response = client.post(reverse("epaper:import"), {"source": "x", "file": upload})
    assert response.status_code == 400
    assert 'href="#id_file"' in response.content.decode()
    assert not ImportBatch.objects.exists()
