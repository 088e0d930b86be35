"""LDAP/AD login and group sync against real OpenLDAP servers: two agencies, each its own slapd
(dc=wda,dc=example and dc=osha,dc=example), started once per session by python-ldap's
slapdtest and refilled before every test."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import threading
import time
from io import StringIO
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.choices import RoleSource
from accounts.demo import DEMO_PASSWORD
from accounts.ldap.config import get_directory
from accounts.ldap.services import directory_sync
from accounts.ldap.tasks import ldap_sync_all, ldap_sync_directory
from accounts.models import DirectoryGroup, DirectorySyncState, Role, RoleAssignment, User
from core.choices import AuditAction
from core.locks import single_flight
from core.models import AuditLogEntry
from notifications.models import Notice, Preference
from tests.conftest import IN_CI

try:
    import ldap
    import ldif
    import slapdtest
except ImportError:  # pragma: no cover - the [ldap] extra is installed in CI
    if IN_CI:
        raise
    pytest.skip("python-ldap is not installed (pip install '.[ldap]')", allow_module_level=True)

pytestmark = pytest.mark.django_db

PASSWORD = "Dir-secret-2026"
ROOT_PW = "root-secret"
AGENCIES = {
    "wda": ("dc=wda,dc=example", "勞動力發展署", "Workforce Development Agency", "wda.mol.gov.tw"),
    "osha": (
        "dc=osha,dc=example",
        "職業安全衛生署",
        "Occupational Safety and Health Administration",
        "osha.mol.gov.tw",
    ),
}

# People and groups of each directory: (uid, employee number or None, cn) and (cn, [uids]).
# "alice" exists in both directories and is two different people.
PEOPLE = {
    "wda": [
        ("alice", "W0001", "王愛麗"),
        ("bob", "W0002", "林柏宇"),
        ("carol", "W0099", "陳佳玲"),  # no HR account
        ("dave", None, "張大衛"),  # no employee number
    ],
    "osha": [("alice", "O0001", "李愛麗")],
}
GROUPS = {
    "wda": [("staff", ["alice", "bob"]), ("admins", ["alice"]), ("trainers", ["bob"])],
    "osha": [("inspectors", ["alice"])],
}


class AgencySlapd(slapdtest.SlapdObject):
    openldap_schema_files = ("core.ldif", "cosine.ldif", "inetorgperson.ldif")
    slapd_loglevel = "none"
    root_pw = ROOT_PW

    def __init__(self, suffix: str, tmpdir: str):
        self.suffix = suffix
        self.TMPDIR = tmpdir
        super().__init__()


def ldif_entries(key: str) -> list[tuple[str, dict[str, list[bytes]]]]:
    """The directory's entries as (dn, attrs) for python-ldap's add_s."""
    suffix = AGENCIES[key][0]
    dc = suffix.split(",")[0].split("=")[1]

    def enc(values):
        return [v.encode() for v in values]

    unit = enc(["organizationalUnit"])
    entries = [
        (suffix, {"objectClass": enc(["dcObject", "organization"]), "dc": enc([dc]), "o": [b"x"]}),
        (f"ou=people,{suffix}", {"objectClass": unit, "ou": enc(["people"])}),
        (f"ou=groups,{suffix}", {"objectClass": unit, "ou": enc(["groups"])}),
    ]  # fmt: skip
    for uid, number, cn in PEOPLE[key]:
        attrs = {
            "objectClass": enc(["inetOrgPerson"]),
            "uid": enc([uid]),
            "cn": enc([cn]),
            "sn": enc([cn[0]]),
            "displayName": enc([uid.title()]),
            "mail": enc([f"{uid}@{key}.example"]),
            "userPassword": enc([PASSWORD]),
        }
        if number:
            attrs["employeeNumber"] = enc([number])
        entries.append((f"uid={uid},ou=people,{suffix}", attrs))
    for cn, members in GROUPS[key]:
        entries.append(
            (
                f"cn={cn},ou=groups,{suffix}",
                {
                    "objectClass": enc(["groupOfNames"]),
                    "cn": enc([cn]),
                    "member": enc([f"uid={m},ou=people,{suffix}" for m in members]),
                },
            )
        )
    return entries


def admin_connection(server):
    conn = ldap.initialize(server.ldap_uri)
    conn.simple_bind_s(server.root_dn, ROOT_PW)
    return conn


def refill(server, key: str) -> None:
    """Empty the directory and load the test entries again."""
    conn = admin_connection(server)
    try:
        try:
            found = conn.search_s(server.suffix, ldap.SCOPE_SUBTREE, "(objectClass=*)", ["1.1"])
        except ldap.NO_SUCH_OBJECT:
            found = []
        for dn, _ in sorted(found, key=lambda item: -item[0].count(",")):
            conn.delete_s(dn)
        for dn, attrs in ldif_entries(key):
            conn.add_s(dn, list(attrs.items()))
    finally:
        conn.unbind_s()


def modify(server, dn: str, changes) -> None:
    conn = admin_connection(server)
    try:
        conn.modify_s(dn, changes)
    finally:
        conn.unbind_s()


def group_dn(key: str, cn: str) -> str:
    return f"cn={cn},ou=groups,{AGENCIES[key][0]}"


def user_dn(key: str, uid: str) -> str:
    return f"uid={uid},ou=people,{AGENCIES[key][0]}"


def directory_config(key: str, server, **overrides) -> dict:
    suffix, label_zh, label_en, domain = AGENCIES[key]
    config = {
        "key": key,
        "label_zh": label_zh,
        "label_en": label_en,
        "domain": domain,
        "server_uri": server.ldap_uri,
        "bind_dn": server.root_dn,
        "bind_password": ROOT_PW,
        "user_search_base": f"ou=people,{suffix}",
        "user_search_filter": "(uid=%(user)s)",
        "group_search_base": f"ou=groups,{suffix}",
        "group_type": "groupOfNames",
        "timeout": 2,
    }
    config.update(overrides)
    return config


# --- fixtures ---------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _test_settings(settings):
    # Local passwords are beside the point here; Argon2 would make each test a second slower.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.SECURE_SSL_REDIRECT = False  # production-mode test runs (DATABASE_URL) turn it on


@pytest.fixture(scope="session")
def slapd_servers(tmp_path_factory):
    """Two slapd processes, one per agency, for the whole session."""
    servers = {}
    try:
        for key, (suffix, *_) in AGENCIES.items():
            server = AgencySlapd(suffix, str(tmp_path_factory.mktemp(f"slapd-{key}")))
            server.start()
            servers[key] = server
        yield servers
    finally:
        for server in servers.values():
            server.stop()


@pytest.fixture
def directories(needs_binary, request, settings):
    """Both directories loaded fresh and configured; LDAP backend on."""
    needs_binary("slapd")  # skips (or fails under CI=true) before any slapd is started
    slapd_servers = request.getfixturevalue("slapd_servers")
    for key, server in slapd_servers.items():
        if server._proc is None:  # a test stopped it
            server.resume()
        refill(server, key)
    settings.LDAP_DIRECTORIES = [
        directory_config(key, server) for key, server in slapd_servers.items()
    ]
    settings.AUTHENTICATION_BACKENDS = [
        *settings.AUTHENTICATION_BACKENDS,
        "accounts.ldap.backends.DirectoryBackend",
    ]
    return slapd_servers


@pytest.fixture
def hr_users(make_user):
    """The HR accounts the directory people match (by employee number, not by name)."""
    return {
        "wda_alice": make_user(username="wang.aili", employee_number="W0001", name_zh="王愛麗"),
        "wda_bob": make_user(username="lin.boyu", employee_number="W0002"),
        "osha_alice": make_user(username="li.aili", employee_number="O0001"),
    }


@pytest.fixture
def roles(db):
    return {
        "trainer": Role.objects.create(code="trainer", name_zh="訓練講師"),
        "admin": Role.objects.create(code="wda-admin", name_zh="署管理者"),
        "inspector": Role.objects.create(code="inspector", name_zh="檢查員"),
    }


@pytest.fixture
def english(client):
    client.cookies["mol_language"] = "en"


def login(client, username, password=PASSWORD, **extra):
    return client.post(
        reverse("accounts:login"), {"username": username, "password": password, **extra}
    )


def logged_in_user_id(client):
    value = client.session.get("_auth_user_id")
    return int(value) if value else None


def failures(reason: str):
    return AuditLogEntry.objects.filter(
        action=AuditAction.LOGIN_FAILED, message__contains=f"reason={reason}"
    )


def directory_roles(user):
    return set(
        RoleAssignment.objects.filter(user=user, source=RoleSource.DIRECTORY).values_list(
            "role__code", flat=True
        )
    )


# --- login routing and matching ---------------------------------------------------------------


def test_name_at_agency_signs_in_the_hr_account_of_that_agency(client, directories, hr_users):
    response = login(client, "alice@wda")
    assert response.status_code == 302
    assert logged_in_user_id(client) == hr_users["wda_alice"].pk


def test_same_name_in_the_other_agency_is_a_different_person(client, directories, hr_users):
    login(client, "alice@osha.mol.gov.tw")
    assert logged_in_user_id(client) == hr_users["osha_alice"].pk


def test_domain_picker_credential_routes_a_plain_name(client, directories, hr_users):
    login(client, "alice", directory="osha")
    assert logged_in_user_id(client) == hr_users["osha_alice"].pk


def test_backslash_domain_form_is_understood(client, directories, hr_users):
    login(client, "WDA\\bob")
    assert logged_in_user_id(client) == hr_users["wda_bob"].pk


def test_directory_login_never_creates_a_second_account(client, directories, hr_users):
    count = User.objects.count()
    login(client, "alice@wda")
    assert User.objects.count() == count
    assert not User.objects.filter(username__in=["alice", "alice@wda"]).exists()


def test_successful_directory_login_is_audited_with_the_directory_backend(
    client, directories, hr_users
):
    login(client, "bob@wda")
    entry = AuditLogEntry.objects.get(action=AuditAction.LOGIN)
    assert entry.actor_id == hr_users["wda_bob"].pk
    assert entry.message == "DirectoryBackend"


def test_no_hr_account_is_refused_with_a_clear_message_and_audited(
    client, directories, hr_users, english
):
    count = User.objects.count()
    response = login(client, "carol@wda")
    assert logged_in_user_id(client) is None
    assert User.objects.count() == count
    assert "W0099" in response.content.decode()
    assert "not linked to a portal account" in response.content.decode()
    assert failures("no_hr_account").filter(actor_repr="carol@wda").exists()


def test_create_missing_makes_an_account_from_the_directory(
    client, directories, hr_users, settings
):
    settings.LDAP_DIRECTORIES = [
        directory_config("wda", directories["wda"], create_missing=True),
        directory_config("osha", directories["osha"]),
    ]
    login(client, "carol@wda")
    user = User.objects.get(employee_number="W0099")
    assert logged_in_user_id(client) == user.pk
    assert (user.username, user.name_zh, user.email) == ("carol", "陳佳玲", "carol@wda.example")
    assert not user.has_usable_password()


def test_entry_without_employee_number_is_refused(client, directories, hr_users, settings, english):
    settings.LDAP_DIRECTORIES = [directory_config("wda", directories["wda"], create_missing=True)]
    response = login(client, "dave@wda")
    assert logged_in_user_id(client) is None
    assert "has no employee number" in response.content.decode()
    assert failures("no_employee_number").exists()


def test_deactivated_hr_account_cannot_sign_in_through_the_directory(client, directories, hr_users):
    User.objects.filter(pk=hr_users["wda_bob"].pk).update(is_active=False)
    login(client, "bob@wda")
    assert logged_in_user_id(client) is None
    assert failures("inactive").exists()


def test_configurable_employee_number_attribute(client, directories, make_user, settings):
    """Match on another attribute (here the mail address stands in for an AD employeeID)."""
    person = make_user(username="someone", employee_number="bob@wda.example")
    settings.LDAP_DIRECTORIES = [
        directory_config("wda", directories["wda"], employee_number_attribute="mail")
    ]
    login(client, "bob@wda")
    assert logged_in_user_id(client) == person.pk


def test_wrong_password_is_refused_and_audited(client, directories, hr_users):
    response = login(client, "alice@wda", password="not-the-password")
    assert response.status_code == 200
    assert logged_in_user_id(client) is None
    assert failures("invalid_credentials").filter(message__contains="directory=wda").exists()


def test_wrong_password_in_one_directory_is_not_tried_in_the_other(client, directories, hr_users):
    """alice's osha password does not open her wda account (same name, other directory)."""
    modify(
        directories["osha"],
        user_dn("osha", "alice"),
        [(ldap.MOD_REPLACE, "userPassword", [b"osha-only-password"])],
    )
    login(client, "alice@wda", password="osha-only-password")
    assert logged_in_user_id(client) is None


def test_unknown_domain_gets_a_clear_message(client, directories, hr_users, english):
    response = login(client, "alice@nowhere")
    body = response.content.decode()
    assert logged_in_user_id(client) is None
    assert "No directory is configured for" in body and "nowhere" in body
    assert "osha" in body and "wda" in body
    assert failures("unknown_domain").exists()


def test_plain_name_is_for_local_accounts_only(client, directories, hr_users):
    login(client, "alice")
    assert logged_in_user_id(client) is None
    assert not failures("invalid_credentials").exists()  # no directory was asked


def test_local_account_still_signs_in_with_directories_configured(
    client, directories, make_user, password
):
    local = make_user(username="local.clerk")
    login(client, "local.clerk", password=password)
    assert logged_in_user_id(client) == local.pk


# --- directory down ---------------------------------------------------------------------------


@pytest.fixture
def wda_down(directories):
    server = directories["wda"]
    server.terminate()
    server.wait()
    yield server
    server.resume()


def test_directory_down_shows_a_message_naming_the_agency_and_is_audited(
    client, wda_down, hr_users
):
    response = login(client, "alice@wda")
    body = response.content.decode()
    assert response.status_code == 200
    assert logged_in_user_id(client) is None
    # The default language is zh-Hant; the agency is named in it.
    assert "勞動力發展署" in body
    entry = failures("unreachable").get()
    assert "directory=wda" in entry.message and "SERVER_DOWN" in entry.message
    assert entry.actor_repr == "alice@wda"


def test_directory_down_message_in_english(client, wda_down, hr_users, english):
    body = login(client, "alice@wda").content.decode()
    assert "The directory of Workforce Development Agency cannot be reached" in body
    assert "local account" in body


def test_other_directory_still_works_when_one_is_down(client, wda_down, hr_users):
    login(client, "alice@osha")
    assert logged_in_user_id(client) == hr_users["osha_alice"].pk


def test_local_two_factor_admin_signs_in_while_the_directory_is_down(
    client, wda_down, make_user, password
):
    admin = make_user(username="local.admin", is_staff=True, is_superuser=True)
    device = TOTPDevice.objects.create(user=admin, name="phone", confirmed=True)
    response = login(client, "local.admin", password=password)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login_verify")
    code = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token()
    response = client.post(reverse("accounts:login_verify"), {"code": f"{code:06d}"})
    assert response.status_code == 302
    assert logged_in_user_id(client) == admin.pk


def test_directory_that_never_answers_times_out(client, directories, hr_users, settings):
    """A server that accepts the connection but never replies: the login gives up after the
    directory's timeout with the same clear message."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    accepted = []
    stop = threading.Event()

    def accept():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    port = listener.getsockname()[1]
    settings.LDAP_DIRECTORIES = [
        directory_config(
            "wda", directories["wda"], server_uri=f"ldap://127.0.0.1:{port}", timeout=1
        )
    ]
    try:
        started = time.monotonic()
        response = login(client, "alice@wda")
        elapsed = time.monotonic() - started
    finally:
        stop.set()
        thread.join()
        for conn in accepted:
            conn.close()
        listener.close()
    assert elapsed < 10
    assert logged_in_user_id(client) is None
    assert "勞動力發展署" in response.content.decode()
    assert failures("unreachable").filter(message__contains="TIMEOUT").exists()


# --- groups and roles -------------------------------------------------------------------------


def test_login_mirrors_the_users_groups_and_grants_mapped_roles(
    client, directories, hr_users, roles
):
    admins = DirectoryGroup.objects.create(directory="wda", dn=group_dn("wda", "admins"), name="x")
    admins.roles.add(roles["admin"])
    login(client, "alice@wda")
    alice = hr_users["wda_alice"]
    assert set(alice.directory_groups.values_list("name", flat=True)) == {"staff", "admins"}
    assert directory_roles(alice) == {"wda-admin"}
    assert AuditLogEntry.objects.filter(
        action=AuditAction.CREATE, message__contains="directory group(s) admins"
    ).exists()


def test_login_removes_groups_and_roles_the_user_lost(client, directories, hr_users, roles):
    admins = DirectoryGroup.objects.create(
        directory="wda", dn=group_dn("wda", "admins"), name="admins"
    )
    admins.roles.add(roles["admin"])
    login(client, "alice@wda")
    modify(
        directories["wda"],
        group_dn("wda", "admins"),
        [(ldap.MOD_REPLACE, "member", [user_dn("wda", "bob").encode()])],
    )
    client.logout()
    login(client, "alice@wda")
    alice = hr_users["wda_alice"]
    assert set(alice.directory_groups.values_list("name", flat=True)) == {"staff"}
    assert directory_roles(alice) == set()


def test_groups_of_another_directory_are_kept_on_login(client, directories, hr_users, roles):
    """One person in two directories: signing in through one keeps the other's groups."""
    person = hr_users["wda_alice"]
    User.objects.filter(pk=hr_users["osha_alice"].pk).update(employee_number="X-unused")
    modify(
        directories["osha"],
        user_dn("osha", "alice"),
        [(ldap.MOD_REPLACE, "employeeNumber", [b"W0001"])],
    )
    inspectors = DirectoryGroup.objects.create(
        directory="osha", dn=group_dn("osha", "inspectors"), name="inspectors"
    )
    inspectors.roles.add(roles["inspector"])
    login(client, "alice@osha")
    client.logout()
    login(client, "alice@wda")
    assert set(person.directory_groups.values_list("directory", "name")) == {
        ("osha", "inspectors"),
        ("wda", "staff"),
        ("wda", "admins"),
    }
    assert directory_roles(person) == {"inspector"}


def test_manual_role_is_not_taken_over_or_removed_by_the_directory(
    client, directories, hr_users, roles
):
    alice = hr_users["wda_alice"]
    RoleAssignment.objects.create(user=alice, role=roles["admin"], source=RoleSource.MANUAL)
    DirectoryGroup.objects.create(
        directory="wda", dn=group_dn("wda", "admins"), name="admins"
    ).roles.add(roles["admin"])
    directory_sync(directory=get_directory("wda"))
    modify(
        directories["wda"],
        group_dn("wda", "admins"),
        [(ldap.MOD_REPLACE, "member", [user_dn("wda", "bob").encode()])],
    )
    directory_sync(directory=get_directory("wda"), full=True)
    assert not alice.directory_groups.filter(name="admins").exists()
    assignment = RoleAssignment.objects.get(user=alice, role=roles["admin"])
    assert assignment.source == RoleSource.MANUAL


# --- scheduled sync ---------------------------------------------------------------------------


def run_sync(full=False):

    ldap_sync_all.delay(full=full)


def test_sync_mirrors_every_group_of_both_directories(directories, hr_users):
    run_sync()
    names = set(DirectoryGroup.objects.values_list("directory", "name"))
    assert names == {
        ("wda", "staff"),
        ("wda", "admins"),
        ("wda", "trainers"),
        ("osha", "inspectors"),
    }
    staff = DirectoryGroup.objects.get(directory="wda", name="staff")
    assert set(staff.members.all()) == {hr_users["wda_alice"], hr_users["wda_bob"]}
    inspectors = DirectoryGroup.objects.get(directory="osha", name="inspectors")
    assert list(inspectors.members.all()) == [hr_users["osha_alice"]]
    state = DirectorySyncState.objects.get(directory="wda")
    assert state.last_change_marker.endswith("Z") and state.last_error == ""


def test_sync_adds_and_removes_mapped_roles_as_membership_changes(directories, hr_users, roles):
    run_sync()
    trainers = DirectoryGroup.objects.get(directory="wda", name="trainers")
    trainers.roles.add(roles["trainer"])
    run_sync(full=True)
    assert directory_roles(hr_users["wda_bob"]) == {"trainer"}
    assert directory_roles(hr_users["wda_alice"]) == set()

    modify(
        directories["wda"],
        group_dn("wda", "trainers"),
        [(ldap.MOD_REPLACE, "member", [user_dn("wda", "alice").encode()])],
    )
    run_sync(full=True)
    assert directory_roles(hr_users["wda_bob"]) == set()
    assert directory_roles(hr_users["wda_alice"]) == {"trainer"}
    assert AuditLogEntry.objects.filter(
        action=AuditAction.DELETE, message__contains="no longer in a directory group"
    ).exists()


def test_full_sync_empties_a_group_deleted_from_the_directory(directories, hr_users, roles):
    run_sync()
    trainers = DirectoryGroup.objects.get(directory="wda", name="trainers")
    trainers.roles.add(roles["trainer"])
    run_sync(full=True)
    conn = admin_connection(directories["wda"])
    conn.delete_s(group_dn("wda", "trainers"))
    conn.unbind_s()
    run_sync(full=True)
    trainers.refresh_from_db()
    assert trainers.members.count() == 0
    assert list(trainers.roles.all()) == [roles["trainer"]]  # the mapping is kept
    assert directory_roles(hr_users["wda_bob"]) == set()


def test_incremental_sync_reads_only_groups_changed_since_the_marker(directories, hr_users):
    wda = get_directory("wda")
    time.sleep(1.1)  # change timestamps have one-second resolution
    modify(
        directories["wda"], group_dn("wda", "admins"), [(ldap.MOD_REPLACE, "description", [b"x"])]
    )
    first = directory_sync(directory=wda)
    assert first.mode == "full" and len(first.groups_seen) == 3
    # Tamper with the mirror of an unchanged group: an incremental run must not even read it.
    staff = DirectoryGroup.objects.get(directory="wda", name="staff")
    staff.members.remove(hr_users["wda_bob"])
    time.sleep(1.1)
    modify(
        directories["wda"],
        group_dn("wda", "trainers"),
        [(ldap.MOD_ADD, "member", [user_dn("wda", "alice").encode()])],
    )
    second = directory_sync(directory=wda)
    assert second.mode == "incremental"
    assert group_dn("wda", "trainers") in second.groups_seen
    assert group_dn("wda", "staff") not in second.groups_seen
    trainers = DirectoryGroup.objects.get(directory="wda", name="trainers")
    assert hr_users["wda_alice"] in trainers.members.all()
    assert hr_users["wda_bob"] not in staff.members.all()  # untouched
    assert second.marker > first.marker
    # A full run repairs the tampered group.
    directory_sync(directory=wda, full=True)
    assert hr_users["wda_bob"] in staff.members.all()


def test_a_directory_already_syncing_elsewhere_is_skipped(directories, hr_users):
    with single_flight("accounts.ldap-sync.wda") as held:
        assert held
        result = directory_sync(directory=get_directory("wda"))
    assert result.mode == "skipped"
    assert not DirectoryGroup.objects.filter(directory="wda").exists()
    assert directory_sync(directory=get_directory("wda")).mode == "full"
    assert DirectoryGroup.objects.filter(directory="wda").exists()


def test_without_a_change_attribute_every_sync_is_full(directories, hr_users, settings):
    settings.LDAP_DIRECTORIES = [directory_config("wda", directories["wda"], change_attribute="")]
    wda = get_directory("wda")
    directory_sync(directory=wda)
    second = directory_sync(directory=wda)
    assert second.mode == "full" and len(second.groups_seen) == 3


def test_sync_of_a_down_directory_keeps_the_error_and_others_still_sync(wda_down, hr_users):
    run_sync()
    state = DirectorySyncState.objects.get(directory="wda")
    assert "unreachable" in state.last_error
    assert DirectoryGroup.objects.filter(directory="osha").exists()
    assert not DirectoryGroup.objects.filter(directory="wda").exists()


# --- directory down: the administrators are alerted once per outage ---------------------------


def english_superuser(make_user):
    """A superuser reading English (the alert text does not depend on the catalogues)."""
    root = make_user(username="root", is_superuser=True, email="root@mol.gov.tw")
    Preference.objects.create(user=root, language="en")
    return root


def down_alerts():
    return Notice.objects.filter(
        source="accounts",
        kind="alert",
        title="Directory Workforce Development Agency cannot be reached",
    )


def closed_port() -> int:
    """A loopback port nobody listens on (connections are refused at once)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_an_unreachable_directory_alerts_the_administrators_once(
    settings, make_user, django_capture_on_commit_callbacks
):
    """No slapd needed: the directory's port refuses connections."""
    settings.ADMINS = [("Ops", "ops@mol.gov.tw")]
    root = english_superuser(make_user)
    nowhere = SimpleNamespace(ldap_uri=f"ldap://127.0.0.1:{closed_port()}", root_dn="cn=x")
    settings.LDAP_DIRECTORIES = [directory_config("wda", nowhere, timeout=1)]
    for _run in range(3):  # the hourly sync keeps failing: one alert for the outage
        with django_capture_on_commit_callbacks(execute=True):
            [outcome] = [ldap_sync_directory.delay("wda").get()]
        assert outcome["mode"] == "failed" and "unreachable" in outcome["error"]
    [notice] = down_alerts()
    assert notice.recipient == root and notice.priority == "high"
    assert "unreachable" in notice.body and "127.0.0.1" in notice.body
    state = DirectorySyncState.objects.get(directory="wda")
    assert state.outage_alerted_at is not None and "unreachable" in state.last_error
    assert notice.link.endswith(f"/directorysyncstate/{state.pk}/change/")
    mails = {a: m for m in mail.outbox for a in m.to}
    assert sorted(mails) == ["ops@mol.gov.tw", "root@mol.gov.tw"]
    assert "勞動力發展署" in mails["ops@mol.gov.tw"].subject  # ADMINS: the portal's language
    assert "Workforce Development Agency" in mails["root@mol.gov.tw"].subject


def test_a_new_outage_after_a_successful_sync_alerts_again(
    directories, hr_users, make_user, settings
):
    english_superuser(make_user)
    server = directories["wda"]
    server.terminate()
    server.wait()
    try:
        run_sync()
        run_sync()
        assert down_alerts().count() == 1
        assert DirectorySyncState.objects.get(directory="wda").outage_alerted_at is not None
    finally:
        server.resume()
    run_sync()  # back: the outage is over, and the administrators hear so
    state = DirectorySyncState.objects.get(directory="wda")
    assert state.outage_alerted_at is None and state.last_error == ""
    [back] = Notice.objects.filter(
        source="accounts", title="Directory Workforce Development Agency is reachable again"
    )
    assert "wda" in back.body
    run_sync()
    assert Notice.objects.filter(source="accounts").count() == 2  # nothing new while it works
    server.terminate()
    server.wait()
    try:
        run_sync()
    finally:
        server.resume()
    assert down_alerts().count() == 2


def test_admin_mapping_a_role_grants_it_to_current_members(
    staff_client, directories, hr_users, roles
):
    run_sync()
    group = DirectoryGroup.objects.get(directory="osha", name="inspectors")
    url = reverse("admin:accounts_directorygroup_change", args=[group.pk])
    response = staff_client.post(url, {"roles": [roles["inspector"].pk]})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"].endswith("/directorygroup/"), response["Location"]
    assert directory_roles(hr_users["osha_alice"]) == {"inspector"}
    # Taking the mapping away removes the role again.
    staff_client.post(url, {"roles": []})
    assert directory_roles(hr_users["osha_alice"]) == set()


def test_ldap_sync_command_reports_each_directory(directories, hr_users):
    out = StringIO()
    call_command("ldap_sync", "--full", stdout=out)
    text = out.getvalue()
    assert "directory sync wda: full, 3 groups" in text
    assert "directory sync osha: full, 1 groups" in text


# --- the demo directory and the documented example ------------------------------------------


DEMO_SUFFIX = "dc=mol,dc=gov,dc=tw"


def env_example_directories() -> list[dict]:
    """The LDAP_DIRECTORIES example of .env.example (the compose demo configuration)."""
    text = (Path(__file__).resolve().parents[2] / ".env.example").read_text(encoding="utf-8")
    line = next(x for x in text.splitlines() if x.startswith("# LDAP_DIRECTORIES=["))
    return json.loads(line.split("=", 1)[1])


@pytest.fixture
def demo_directory(needs_binary, tmp_path, settings):
    """accounts/fixtures/ldap/demo.ldif in a slapd of its own, configured as .env.example says
    (only the server address and the bind password differ)."""
    needs_binary("slapd")
    server = AgencySlapd(DEMO_SUFFIX, str(tmp_path))
    server.root_cn = "admin"
    server.start()
    try:
        conn = admin_connection(server)
        conn.add_s(
            DEMO_SUFFIX,
            [("objectClass", [b"dcObject", b"organization"]), ("dc", [b"mol"]), ("o", [b"MOL"])],
        )
        path = Path(__file__).resolve().parents[2] / "accounts/fixtures/ldap/demo.ldif"
        with path.open("rb") as handle:
            records = ldif.LDIFRecordList(handle)
            records.parse()
        for dn, attrs in records.all_records:
            conn.add_s(dn, list(attrs.items()))
        conn.unbind_s()
        settings.LDAP_DIRECTORIES = [
            {**config, "server_uri": server.ldap_uri, "bind_password": ROOT_PW}
            for config in env_example_directories()
        ]
        settings.AUTHENTICATION_BACKENDS = [
            *settings.AUTHENTICATION_BACKENDS,
            "accounts.ldap.backends.DirectoryBackend",
        ]
        yield server
    finally:
        server.stop()


def test_demo_directory_signs_in_the_demo_accounts_of_both_agencies(
    client, demo_directory, make_user
):
    lee = make_user(username="lee.zhiwei", employee_number="W2001")
    login(client, "lee.zhiwei@wda", password=DEMO_PASSWORD)
    assert logged_in_user_id(client) == lee.pk
    client.logout()
    wang = make_user(username="wang.jianguo", employee_number="M1003")
    login(client, "wang.jianguo@mol", password=DEMO_PASSWORD)
    assert logged_in_user_id(client) == wang.pk
    assert set(wang.directory_groups.values_list("name", flat=True)) == {"staff", "portal-admins"}


# --- TLS, nested groups, paging, attribute updates --------------------------------------------


def slapdtest_ca() -> str:
    return os.path.join(os.path.dirname(slapdtest.__file__), "certs", "ca.pem")


def test_start_tls_with_the_directorys_ca(client, directories, hr_users, settings):
    settings.LDAP_DIRECTORIES = [
        directory_config("wda", directories["wda"], start_tls=True, ca_cert_file=slapdtest_ca())
    ]
    login(client, "alice@wda")
    assert logged_in_user_id(client) == hr_users["wda_alice"].pk


def test_start_tls_with_an_untrusted_certificate_is_refused_as_unreachable(
    client, directories, hr_users, settings, tmp_path
):
    other_ca = tmp_path / "other-ca.pem"
    other_ca.write_text(_self_signed_ca(tmp_path))  # a CA that did not sign the server
    settings.LDAP_DIRECTORIES = [
        directory_config("wda", directories["wda"], start_tls=True, ca_cert_file=str(other_ca))
    ]
    login(client, "alice@wda")
    assert logged_in_user_id(client) is None
    assert failures("unreachable").filter(message__contains="CONNECT_ERROR").exists()


def _self_signed_ca(tmp_path) -> str:
    key, cert = tmp_path / "ca.key", tmp_path / "ca.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=Other CA", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert.read_text()


def add_nested_group(server):
    """cn=all-trainers contains cn=trainers (bob) and carol directly."""
    conn = admin_connection(server)
    conn.add_s(
        group_dn("wda", "all-trainers"),
        [
            ("objectClass", [b"groupOfNames"]),
            ("cn", [b"all-trainers"]),
            ("member", [group_dn("wda", "trainers").encode(), user_dn("wda", "alice").encode()]),
        ],
    )
    conn.unbind_s()


def test_nested_groups_count_at_login_and_in_the_sync(
    client, directories, hr_users, roles, settings
):
    add_nested_group(directories["wda"])
    settings.LDAP_DIRECTORIES = [
        directory_config("wda", directories["wda"], group_type="nestedGroupOfNames")
    ]
    login(client, "bob@wda")
    bob = hr_users["wda_bob"]
    names = set(bob.directory_groups.values_list("name", flat=True))
    assert names == {"staff", "trainers", "all-trainers"}
    result = directory_sync(directory=get_directory("wda"))
    assert result.mode == "full"
    outer = DirectoryGroup.objects.get(directory="wda", name="all-trainers")
    assert set(outer.members.all()) == {bob, hr_users["wda_alice"]}
    # Nested types never sync incrementally (a change deep in a nest leaves the outer alone).
    assert directory_sync(directory=get_directory("wda")).mode == "full"


def test_sync_pages_through_many_groups(directories, hr_users, settings):
    conn = admin_connection(directories["wda"])
    for n in range(25):
        conn.add_s(
            group_dn("wda", f"team-{n:02d}"),
            [
                ("objectClass", [b"groupOfNames"]),
                ("cn", [f"team-{n:02d}".encode()]),
                ("member", [user_dn("wda", "alice").encode()]),
            ],
        )
    conn.unbind_s()
    settings.LDAP_DIRECTORIES = [directory_config("wda", directories["wda"], page_size=10)]
    result = directory_sync(directory=get_directory("wda"))
    assert len(result.groups_seen) == 28
    assert hr_users["wda_alice"].directory_groups.count() == 27


def test_update_user_refreshes_mapped_attributes_at_login(client, directories, hr_users, settings):
    settings.LDAP_DIRECTORIES = [directory_config("wda", directories["wda"], update_user=True)]
    login(client, "bob@wda")
    bob = User.objects.get(pk=hr_users["wda_bob"].pk)
    assert (bob.name_zh, bob.name_en, bob.email) == ("林柏宇", "Bob", "bob@wda.example")


def test_hr_data_is_left_alone_by_default(client, directories, hr_users):
    login(client, "bob@wda")
    bob = User.objects.get(pk=hr_users["wda_bob"].pk)
    assert bob.name_zh == hr_users["wda_bob"].name_zh
    assert bob.email == hr_users["wda_bob"].email


# --- admin pages ------------------------------------------------------------------------------


@pytest.fixture
def staff_client(client, make_user, settings):
    settings.MFA_REQUIRED_FOR_STAFF = False  # the second factor is tested by the MFA part
    client.force_login(make_user(username="portal.admin", is_staff=True, is_superuser=True))
    return client


def test_admin_lists_directory_groups_with_member_counts(staff_client, directories, hr_users):
    run_sync()
    response = staff_client.get(reverse("admin:accounts_directorygroup_changelist"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "inspectors" in body and "trainers" in body
    assert staff_client.get(reverse("admin:accounts_directorygroup_add")).status_code == 403


def test_admin_sync_action_syncs_the_chosen_directory(staff_client, directories, hr_users):
    run_sync()
    state = DirectorySyncState.objects.get(directory="osha")
    before = state.last_synced_at
    DirectoryGroup.objects.get(directory="osha").members.clear()
    response = staff_client.post(
        reverse("admin:accounts_directorysyncstate_changelist"),
        {"action": "full_sync_now", "_selected_action": [state.pk]},
    )
    assert response.status_code == 302
    state.refresh_from_db()
    assert state.last_synced_at > before
    assert DirectoryGroup.objects.get(directory="osha").members.count() == 1
