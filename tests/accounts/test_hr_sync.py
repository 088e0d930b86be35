"""``manage.py hr_sync``: create, move, deactivate, row errors, dry run, safety valve, lock."""

from datetime import date, timedelta
from io import StringIO

import psycopg
import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection
from django.dispatch import Signal
from django.urls import reverse
from django.utils import timezone, translation
from freezegun import freeze_time
from oauth2_provider.models import get_access_token_model, get_application_model

from accounts import authz
from accounts.choices import EmploymentStatus, HRSyncStatus, LoginMethod, UnitOfficerKind
from accounts.hr.constants import LOCK_NAME
from accounts.models import HRSyncRun, UnitOfficer, User, UserSession
from core import alerts
from core.choices import AuditAction
from core.locks import lock_key, single_flight
from core.models import AuditLogEntry, Organization
from notifications.models import Delivery, Notice

pytestmark = pytest.mark.django_db

HEADER = (
    "employee_number,username,name_zh,name_en,unit_code,title,email,mobile,status,effective_date"
)


def row(
    number,
    unit="IM",
    status="active",
    effective="2025-06-01",
    *,
    username="",
    name_zh="測試員",
    name_en="Tester",
    title="科員",
    email="",
    mobile="",
):
    return ",".join(
        [number, username, name_zh, name_en, unit, title, email, mobile, status, effective]
    )


@pytest.fixture
def feed(tmp_path):
    def write(*rows, name="feed.csv", header=HEADER):
        path = tmp_path / name
        path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
        return str(path)

    return write


@pytest.fixture
def sync():
    """Run the command; return (stdout, latest run)."""

    def run(path, *args):
        out = StringIO()
        call_command("hr_sync", "--file", path, *args, stdout=out, stderr=StringIO())
        return out.getvalue(), HRSyncRun.objects.latest("pk")

    return run


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English (the catalogues translate them to zh-Hant)."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _no_valve(settings):
    settings.SECURE_SSL_REDIRECT = False  # production-mode test runs (DATABASE_URL) turn it on
    """Most tests deactivate a large share of their few users; the valve has its own tests."""
    settings.HR_MAX_DEACTIVATE_RATIO = 1.0
    settings.HR_FEED_DEACTIVATE_MISSING = False
    # Users' passwords play no part here; Argon2 would only slow the fixtures down.
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        *settings.PASSWORD_HASHERS,
    ]


def test_new_employee_gets_an_account_named_by_lowercased_employee_number(feed, sync):
    out, run = sync(feed(row("E0100", unit="DLR", email="e100@mol.gov.tw", mobile="0912-000-111")))
    user = User.objects.get(employee_number="E0100")
    assert user.username == "e0100"
    assert user.organization.code == "DLR"
    assert (user.email, user.mobile, user.job_title) == ("e100@mol.gov.tw", "0912000111", "科員")
    assert user.hr_effective_date == date(2025, 6, 1)
    assert user.is_active and not user.has_usable_password()
    assert (run.status, run.created_count) == (HRSyncStatus.APPLIED, 1)
    assert "create" in out and "E0100" in out


def test_login_name_given_by_the_feed_is_used(feed, sync):
    sync(feed(row("E0101", username="wu.mei")))
    assert User.objects.get(employee_number="E0101").username == "wu.mei"


def test_employee_moves_to_another_unit(feed, sync, make_user):
    user = make_user(employee_number="E0200", organization=Organization.objects.get(code="SEC"))
    out, run = sync(feed(row("E0200", unit="IM", name_zh=user.name_zh, email=user.email)))
    user.refresh_from_db()
    assert user.organization.code == "IM"
    assert run.moved_count == 1 and run.updated_count == 0
    assert "move" in out and "organization: SEC → IM" in out


def test_change_of_personal_data_is_audited_masked(feed, sync, make_user):
    user = make_user(employee_number="E0250", email="old@mol.gov.tw")
    sync(feed(row("E0250", name_zh=user.name_zh, email="new.addr@mol.gov.tw")))
    entry = AuditLogEntry.objects.filter(action=AuditAction.UPDATE, object_id=str(user.pk)).latest(
        "pk"
    )
    assert "new.addr" not in str(entry.changes)
    assert entry.changes["email"][1].endswith("@mol.gov.tw")


def test_columns_absent_from_the_feed_are_left_alone(feed, sync, make_user):
    user = make_user(employee_number="E0260", mobile="0911222333", email="keep@mol.gov.tw")
    header = "employee_number,unit_code,title,status,effective_date"
    sync(feed("E0260,IM,技正,active,2025-06-01", header=header))
    user.refresh_from_db()
    assert (user.job_title, user.mobile, user.email) == ("技正", "0911222333", "keep@mol.gov.tw")


def test_leaver_is_deactivated_signed_out_and_never_deleted(feed, sync, make_user, client):
    user = make_user(employee_number="E0300")
    client.force_login(user)
    key = client.session.session_key
    # What the login view records (the MFA part may already have done so on user_logged_in).
    UserSession.objects.get_or_create(
        session_key=key, defaults={"user": user, "method": LoginMethod.PASSWORD}
    )
    assert client.get(reverse("core:intranet_home")).wsgi_request.user.is_authenticated

    out, run = sync(feed(row("E0300", status="left", effective="2025-07-31")))

    user.refresh_from_db()
    assert user.is_active is False
    assert user.employment_status == EmploymentStatus.LEFT
    assert run.deactivated_count == 1
    assert not Session.objects.filter(session_key=key).exists()
    assert UserSession.objects.get(session_key=key).ended_at is not None
    assert not client.get(reverse("core:intranet_home")).wsgi_request.user.is_authenticated
    assert AuditLogEntry.objects.filter(
        object_id=str(user.pk), message__startswith=f"HR sync run #{run.pk}: deactivated"
    ).exists()
    assert "deactivate" in out
    # A leaver's account is kept.
    sync(feed(row("E0300", status="left", effective="2025-07-31")))
    assert User.objects.filter(pk=user.pk).exists()


def test_leaver_tokens_are_revoked(feed, sync, make_user):
    user = make_user(employee_number="E0310")
    app = get_application_model().objects.create(
        name="Leave system",
        client_type="confidential",
        authorization_grant_type="authorization-code",
        redirect_uris="https://leave.mol.gov.tw/cb",
        algorithm="RS256",
    )
    AccessToken = get_access_token_model()
    AccessToken.objects.create(
        user=user,
        application=app,
        token="leaver-token-0123456789",
        expires=timezone.now() + timedelta(hours=1),
        scope="openid",
    )
    sync(feed(row("E0310", status="left")))
    assert not AccessToken.objects.filter(user=user).exists()


def test_malformed_rows_are_reported_by_line_and_the_rest_applies(feed, sync, make_user):
    make_user(employee_number="E0400", organization=Organization.objects.get(code="SEC"))
    path = feed(
        row("E0401"),  # line 2: ok
        row("", name_zh="無號"),  # line 3: no employee number
        row("E0403", email="broken@"),  # line 4
        row("E0404", unit="NO-SUCH-UNIT"),  # line 5
        row("E0405", status="fired"),  # line 6
        row("E0406", effective="2025-13-01"),  # line 7
        row("E0400", unit="IM"),  # line 8: ok (a move)
    )
    out, run = sync(path)
    assert User.objects.filter(employee_number="E0401").exists()
    assert User.objects.get(employee_number="E0400").organization.code == "IM"
    assert not User.objects.filter(
        employee_number__in=["E0403", "E0404", "E0405", "E0406"]
    ).exists()
    assert run.status == HRSyncStatus.APPLIED
    assert run.error_count == 5
    assert [(e["line"], e["field"], e["code"]) for e in run.errors] == [
        (3, "employee_number", "required"),
        (4, "email", "invalid"),
        (5, "unit_code", "unknown_unit"),
        (6, "status", "invalid"),
        (7, "effective_date", "invalid"),
    ]
    assert "line 5" in out and "NO-SUCH-UNIT" in out


def test_login_name_taken_by_another_account_is_a_row_error(feed, sync, make_user):
    make_user(username="e0500", employee_number="X9999")
    out, run = sync(feed(row("E0500"), row("E0501")))
    assert not User.objects.filter(employee_number="E0500").exists()
    assert User.objects.filter(employee_number="E0501").exists()
    assert [(e["line"], e["field"], e["code"]) for e in run.errors] == [(2, "username", "taken")]


def test_dry_run_prints_the_diff_and_changes_nothing(feed, sync, make_user):
    mover = make_user(employee_number="E0600", organization=Organization.objects.get(code="SEC"))
    leaver = make_user(employee_number="E0601")
    path = feed(
        row("E0600", unit="IM", name_zh=mover.name_zh, email=mover.email),
        row("E0601", status="left", name_zh=leaver.name_zh, email=leaver.email),
        row("E0602", unit="DLR", title="專員"),
        row("E0603", email="bad@"),
    )
    users_before = list(User.objects.order_by("pk").values())
    out, run = sync(path, "--dry-run")
    assert list(User.objects.order_by("pk").values()) == users_before
    assert run.status == HRSyncStatus.DRY_RUN
    assert (run.created_count, run.moved_count, run.deactivated_count) == (1, 1, 1)
    lines = out.splitlines()
    assert any(line.split()[:2] == ["move", "E0600"] and "SEC → IM" in line for line in lines)
    assert any(
        line.split()[:2] == ["deactivate", "E0601"] and "is_active: True → False" in line
        for line in lines
    )
    assert any(
        line.split()[:2] == ["create", "E0602"] and "organization=DLR" in line for line in lines
    )
    assert any(line.split()[:2] == ["error", "E0603"] and "line 5" in line for line in lines)


def test_running_the_same_feed_twice_changes_nothing_the_second_time(feed, sync, make_user):
    make_user(employee_number="E0700", organization=Organization.objects.get(code="SEC"))
    path = feed(row("E0700", unit="IM"), row("E0701"), row("E0702", status="left"))
    sync(path)
    audit_count = AuditLogEntry.objects.count()
    users_before = list(User.objects.order_by("pk").values())
    out, run = sync(path)
    assert list(User.objects.order_by("pk").values()) == users_before
    assert AuditLogEntry.objects.count() == audit_count
    assert (run.created_count, run.updated_count, run.moved_count, run.deactivated_count) == (
        0,
        0,
        0,
        0,
    )
    assert run.unchanged_count == 3


def test_a_row_older_than_the_account_record_is_ignored(feed, sync, make_user):
    make_user(employee_number="E0800")
    sync(feed(row("E0800", unit="DLR", effective="2025-08-01")))
    out, run = sync(feed(row("E0800", unit="SEC", effective="2025-05-01")))
    user = User.objects.get(employee_number="E0800")
    assert user.organization.code == "DLR"
    assert user.hr_effective_date == date(2025, 8, 1)
    assert run.skipped_count == 1 and run.moved_count == 0


def test_within_one_feed_the_latest_row_of_an_employee_wins(feed, sync):
    out, run = sync(
        feed(
            row("E0900", unit="DLR", effective="2025-09-01"),
            row("E0900", unit="SEC", effective="2025-03-01"),
        )
    )
    assert User.objects.get(employee_number="E0900").organization.code == "DLR"
    assert (run.created_count, run.skipped_count) == (1, 1)


def test_a_row_dated_in_the_future_waits_for_its_day(feed, sync, make_user):
    make_user(employee_number="E1000")
    path = feed(
        row("E1000", unit="IM", effective="2025-06-01"),
        row("E1000", status="left", effective="2025-12-31"),
    )
    with freeze_time("2025-12-01 09:00:00"):
        out, run = sync(path)
    assert User.objects.get(employee_number="E1000").is_active
    assert run.skipped_count == 1
    with freeze_time("2025-12-31 09:00:00"):
        sync(path)
    assert not User.objects.get(employee_number="E1000").is_active


def test_leaver_who_comes_back_is_reactivated(feed, sync, make_user):
    make_user(employee_number="E1100")
    sync(feed(row("E1100", status="left", effective="2025-02-01")))
    out, run = sync(feed(row("E1100", status="active", effective="2025-09-01")))
    user = User.objects.get(employee_number="E1100")
    assert user.is_active and user.employment_status == EmploymentStatus.ACTIVE
    assert run.updated_count == 1
    assert "reactivate" in out


def test_account_made_without_a_password_is_still_updated(feed, sync):
    user = User.objects.create(username="legacy", employee_number="E1150")  # password ""
    sync(feed(row("E1150", unit="DLR")))
    user.refresh_from_db()
    assert user.organization.code == "DLR" and user.password == ""


def test_account_an_administrator_disabled_stays_disabled(feed, sync, make_user):
    make_user(employee_number="E1200", is_active=False)
    sync(feed(row("E1200", title="科長")))
    user = User.objects.get(employee_number="E1200")
    assert user.job_title == "科長"
    assert user.is_active is False


# --- safety valve ----------------------------------------------------------------------------


@pytest.fixture
def staff_of_ten(make_user):
    return [make_user(employee_number=f"V{n:04d}") for n in range(10)]


def test_feed_deactivating_too_many_is_refused_alerted_and_changes_nothing(
    feed, make_user, staff_of_ten, settings, django_capture_on_commit_callbacks
):
    settings.HR_MAX_DEACTIVATE_RATIO = 0.10
    settings.ADMINS = [("Ops", "ops@mol.gov.tw"), ("Root", "ROOT@mol.gov.tw")]
    root = make_user(
        username="root", is_superuser=True, email="root@mol.gov.tw", employee_number="R1"
    )
    path = feed(row("V0000", status="left"), row("V0001", status="left"), row("N0001"))
    users_before = list(User.objects.order_by("pk").values())

    # The alert's mail is relayed by the notifications outbox after commit.
    with pytest.raises(CommandError) as excinfo, django_capture_on_commit_callbacks(execute=True):
        call_command("hr_sync", "--file", path, stdout=StringIO(), stderr=StringIO())

    assert excinfo.value.returncode == 2
    assert list(User.objects.order_by("pk").values()) == users_before
    run = HRSyncRun.objects.latest("pk")
    assert run.status == HRSyncStatus.REFUSED
    assert run.deactivated_count == 2  # what it would have done
    assert "could not be sent" not in run.message
    # ADMINS by e-mail, the superuser (also listed in ADMINS) once, as an alert in the inbox.
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == ["ops@mol.gov.tw", "root@mol.gov.tw"]
    for message in mail.outbox:
        assert "V0000" in message.body and "--force" in message.body
    [notice] = Notice.objects.all()
    assert notice.recipient == root
    assert (notice.kind, notice.priority, notice.source) == ("alert", "high", "accounts")
    assert "V0000" in notice.body and notice.link.endswith(f"/hrsyncrun/{run.pk}/change/")
    assert Delivery.objects.get(to="ops@mol.gov.tw").kind == "accounts.hr_sync_refused"


def test_the_same_refused_feed_alerts_once_a_day(
    feed, staff_of_ten, settings, django_capture_on_commit_callbacks
):
    settings.HR_MAX_DEACTIVATE_RATIO = 0.10
    settings.ADMINS = [("Ops", "ops@mol.gov.tw")]
    path = feed(row("V0000", status="left"), row("V0001", status="left"))
    for _attempt in range(2):
        with pytest.raises(CommandError), django_capture_on_commit_callbacks(execute=True):
            call_command("hr_sync", "--file", path, stdout=StringIO(), stderr=StringIO())
    assert len(mail.outbox) == 1
    assert HRSyncRun.objects.filter(status=HRSyncStatus.REFUSED).count() == 2
    assert "already alerted" in HRSyncRun.objects.latest("pk").message


def test_a_refusal_nobody_could_be_told_about_is_recorded_on_the_run(
    feed, staff_of_ten, settings, monkeypatch
):
    """With no receiver for the alert (or one that fails), the run says so and the alert
    text is logged (core.alerts), instead of the refusal going unnoticed."""
    settings.HR_MAX_DEACTIVATE_RATIO = 0.10
    monkeypatch.setattr(alerts, "admin_alert_requested", Signal())
    path = feed(row("V0000", status="left"), row("V0001", status="left"))
    with pytest.raises(CommandError):
        call_command("hr_sync", "--file", path, stdout=StringIO(), stderr=StringIO())
    run = HRSyncRun.objects.latest("pk")
    assert run.status == HRSyncStatus.REFUSED
    assert "The alert e-mail could not be sent." in run.message
    assert not Notice.objects.exists() and not Delivery.objects.exists()


def test_deactivations_up_to_the_limit_apply(feed, sync, staff_of_ten, settings):
    settings.HR_MAX_DEACTIVATE_RATIO = 0.10
    out, run = sync(feed(row("V0000", status="left")), "--force")  # 1 of 10 = 10%, not more
    assert run.status == HRSyncStatus.APPLIED
    assert run.forced is False  # --force given, but the valve had nothing to hold back
    assert not User.objects.get(employee_number="V0000").is_active


def test_force_applies_a_refused_feed_after_review(feed, sync, staff_of_ten, settings):
    settings.HR_MAX_DEACTIVATE_RATIO = 0.10
    out, run = sync(feed(row("V0000", status="left"), row("V0001", status="left")), "--force")
    assert run.status == HRSyncStatus.APPLIED and run.forced
    assert User.objects.filter(employee_number__in=["V0000", "V0001"], is_active=False).count() == 2
    assert mail.outbox == []


def test_full_export_deactivates_employees_it_no_longer_lists(feed, sync, make_user, settings):
    settings.HR_FEED_DEACTIVATE_MISSING = True
    kept = make_user(employee_number="S0001")
    gone = make_user(employee_number="S0002")
    admin = make_user(employee_number="S0003", is_superuser=True)
    broken = make_user(employee_number="S0004")
    out, run = sync(
        feed(row("S0001", name_zh=kept.name_zh, email=kept.email), row("S0004", email="x@"))
    )
    assert User.objects.get(pk=gone.pk).is_active is False
    assert User.objects.get(pk=kept.pk).is_active
    assert User.objects.get(pk=admin.pk).is_active  # local administrators are not HR's to remove
    assert User.objects.get(pk=broken.pk).is_active  # listed, if on a broken row
    assert run.deactivated_count == 1


def test_truncated_full_export_is_refused(feed, staff_of_ten, settings):
    settings.HR_FEED_DEACTIVATE_MISSING = True
    settings.HR_MAX_DEACTIVATE_RATIO = 0.10
    path = feed(row("V0000"), row("V0001"))  # the other 8 fell off the end
    with pytest.raises(CommandError):
        call_command("hr_sync", "--file", path, stdout=StringIO(), stderr=StringIO())
    assert User.objects.filter(is_active=True).count() == 10
    assert HRSyncRun.objects.latest("pk").status == HRSyncStatus.REFUSED


# --- runs and locking ------------------------------------------------------------------------


def test_unreadable_feed_fails_the_run(tmp_path):
    with pytest.raises(CommandError, match="cannot be read"):
        call_command("hr_sync", "--file", str(tmp_path / "missing.csv"), stdout=StringIO())
    run = HRSyncRun.objects.latest("pk")
    assert run.status == HRSyncStatus.FAILED and run.finished_at is not None


def test_without_a_source_the_command_says_so(settings):
    settings.HR_FEED_URL = settings.HR_FEED_PATH = ""
    with pytest.raises(CommandError, match="HR_FEED_PATH"):
        call_command("hr_sync", stdout=StringIO())


def test_sync_does_not_start_while_another_holds_the_lock(feed):
    with single_flight(LOCK_NAME) as held:
        assert held
        with pytest.raises(CommandError, match="Another HR sync"):
            call_command("hr_sync", "--file", feed(row("L0001")), stdout=StringIO())
    assert not User.objects.filter(employee_number="L0001").exists()
    assert HRSyncRun.objects.latest("pk").status == HRSyncStatus.FAILED
    call_command("hr_sync", "--file", feed(row("L0001")), stdout=StringIO())
    assert User.objects.filter(employee_number="L0001").exists()


def test_postgres_advisory_lock_keeps_two_syncs_apart(feed, needs_postgres):
    params = connection.get_connection_params()
    with psycopg.connect(
        **{k: v for k, v in params.items() if k in {"host", "port", "user", "password"}},
        dbname=params.get("dbname") or params.get("database"),
        autocommit=True,
    ) as other:
        other.execute("SELECT pg_advisory_lock(%s)", [lock_key(LOCK_NAME)])
        with pytest.raises(CommandError, match="Another HR sync"):
            call_command("hr_sync", "--file", feed(row("L0002")), stdout=StringIO())
        other.execute("SELECT pg_advisory_unlock(%s)", [lock_key(LOCK_NAME)])
    assert not User.objects.filter(employee_number="L0002").exists()
    call_command("hr_sync", "--file", feed(row("L0002")), stdout=StringIO())
    assert User.objects.filter(employee_number="L0002").exists()


# --- Heads and deputies of units (unit_role) ----------------------------------------------------

OFFICER_HEADER = HEADER + ",unit_role"


def officer_row(number, unit_role, unit="IM", **kwargs):
    return row(number, unit=unit, **kwargs) + "," + unit_role


def hr_posts(unit_code="IM"):
    return sorted(
        (o.user.employee_number, o.kind, o.source)
        for o in UnitOfficer.objects.filter(unit__code=unit_code).select_related("user")
    )


def test_the_feed_names_the_head_and_deputies_of_a_unit(feed, sync):
    out, run = sync(
        feed(
            officer_row("E0700", "head"),
            officer_row("E0701", "deputy"),
            officer_row("E0702", "副主管"),
            officer_row("E0703", ""),
            header=OFFICER_HEADER,
        )
    )
    im = Organization.objects.get(code="IM")
    assert run.status == HRSyncStatus.APPLIED and run.error_count == 0
    assert authz.unit_head(im).employee_number == "E0700"
    assert [u.employee_number for u in authz.unit_deputies(im)] == ["E0701", "E0702"]
    assert hr_posts() == [
        ("E0700", "head", "hr"),
        ("E0701", "deputy", "hr"),
        ("E0702", "deputy", "hr"),
    ]


def test_dropping_the_flag_removes_the_hr_post(feed, sync):
    sync(feed(officer_row("E0710", "head"), header=OFFICER_HEADER))
    out, run = sync(feed(officer_row("E0710", ""), header=OFFICER_HEADER))
    assert hr_posts() == []
    assert run.updated_count == 1
    assert "unit_role: head (IM) → " in out


def test_a_feed_without_the_column_leaves_posts_alone(feed, sync):
    sync(feed(officer_row("E0715", "deputy"), header=OFFICER_HEADER))
    out, run = sync(feed(row("E0715", title="技正")))
    assert hr_posts() == [("E0715", "deputy", "hr")]


def test_moving_to_another_unit_removes_the_post_in_the_old_one(feed, sync):
    sync(feed(officer_row("E0720", "head"), header=OFFICER_HEADER))
    sync(feed(row("E0720", unit="SEC")))  # no unit_role column: the move still ends the post
    assert hr_posts("IM") == [] and hr_posts("SEC") == []


def test_moving_with_the_flag_takes_the_post_to_the_new_unit(feed, sync):
    sync(feed(officer_row("E0725", "head"), header=OFFICER_HEADER))
    sync(feed(officer_row("E0725", "head", unit="SEC"), header=OFFICER_HEADER))
    assert hr_posts("IM") == [] and hr_posts("SEC") == [("E0725", "head", "hr")]


def test_a_leaver_loses_the_post(feed, sync):
    sync(feed(officer_row("E0730", "head"), header=OFFICER_HEADER))
    sync(
        feed(
            officer_row("E0730", "head", status="left", effective="2025-07-01"),
            header=OFFICER_HEADER,
        )
    )
    assert hr_posts() == []


def test_an_employee_missing_from_a_full_export_loses_the_post(feed, sync, settings):
    sync(feed(officer_row("E0735", "deputy"), officer_row("E0736", ""), header=OFFICER_HEADER))
    settings.HR_FEED_DEACTIVATE_MISSING = True
    sync(feed(officer_row("E0736", ""), header=OFFICER_HEADER))
    assert User.objects.get(employee_number="E0735").is_active is False
    assert hr_posts() == []


def test_posts_entered_by_hand_are_left_alone(feed, sync, make_user):
    user = make_user(employee_number="E0740")
    UnitOfficer.objects.create(
        unit=user.organization, user=user, kind=UnitOfficerKind.DEPUTY, source="manual"
    )
    sync(
        feed(
            officer_row("E0740", "", name_zh=user.name_zh, email=user.email), header=OFFICER_HEADER
        )
    )
    assert hr_posts() == [("E0740", "deputy", "manual")]


def test_a_head_entered_by_hand_is_kept_and_the_row_reports_it(feed, sync, make_user):
    boss = make_user(employee_number="E0750")
    UnitOfficer.objects.create(
        unit=boss.organization, user=boss, kind=UnitOfficerKind.HEAD, source="manual"
    )
    out, run = sync(feed(officer_row("E0751", "head", title="簡任技正"), header=OFFICER_HEADER))
    assert hr_posts() == [("E0750", "head", "manual")]
    assert User.objects.get(employee_number="E0751").job_title == "簡任技正"  # the rest applied
    assert run.status == HRSyncStatus.APPLIED
    assert [(e["employee_number"], e["field"], e["code"]) for e in run.errors] == [
        ("E0751", "unit_role", "head_exists")
    ]


def test_a_new_head_from_hr_replaces_the_previous_one(feed, sync):
    sync(feed(officer_row("E0760", "head"), header=OFFICER_HEADER))
    sync(feed(officer_row("E0761", "head"), header=OFFICER_HEADER))  # E0760 not in this feed
    assert hr_posts() == [("E0761", "head", "hr")]


def test_two_heads_of_one_unit_in_one_feed_is_a_row_error(feed, sync):
    out, run = sync(
        feed(officer_row("E0770", "head"), officer_row("E0771", "head"), header=OFFICER_HEADER)
    )
    assert hr_posts() == [("E0770", "head", "hr")]
    assert [(e["employee_number"], e["code"]) for e in run.errors] == [("E0771", "head_taken")]


def test_an_unknown_unit_role_is_a_row_error(feed, sync):
    out, run = sync(feed(officer_row("E0780", "boss"), header=OFFICER_HEADER))
    assert not User.objects.filter(employee_number="E0780").exists()
    assert [(e["field"], e["code"]) for e in run.errors] == [("unit_role", "invalid")]


def test_a_dry_run_shows_the_post_and_records_nothing(feed, sync, make_user):
    user = make_user(employee_number="E0790")
    out, run = sync(
        feed(
            officer_row("E0790", "head", name_zh=user.name_zh, email=user.email),
            header=OFFICER_HEADER,
        ),
        "--dry-run",
    )
    assert run.status == HRSyncStatus.DRY_RUN
    assert "unit_role: '' → head (IM)" in out
    assert not UnitOfficer.objects.exists()


def test_the_same_posts_twice_change_nothing(feed, sync):
    path = feed(officer_row("E0795", "head"), officer_row("E0796", "deputy"), header=OFFICER_HEADER)
    sync(path)
    out, run = sync(path)
    assert (run.unchanged_count, run.updated_count) == (2, 0)
    assert len(hr_posts()) == 2
