"""LDAP directory settings and login routing: no directory server needed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils import translation

from accounts.ldap.backends import DirectoryBackend
from accounts.ldap.config import (
    directories_from_environment,
    ldap_libraries_installed,
    parse_directories,
)
from accounts.ldap.selectors import directory_choices, directory_for_login
from accounts.models import DirectorySyncState
from tests.conftest import require

ROOT = Path(__file__).resolve().parents[2]


def entry(**overrides) -> dict:
    value = {
        "key": "wda",
        "label_zh": "勞動力發展署",
        "label_en": "Workforce Development Agency",
        "domain": "wda.mol.gov.tw",
        "server_uri": "ldaps://ad.wda.mol.gov.tw",
        "bind_dn": "cn=portal,ou=service,dc=wda,dc=mol,dc=gov,dc=tw",
        "bind_password": "s3cret",
        "user_search_base": "ou=people,dc=wda,dc=mol,dc=gov,dc=tw",
    }
    value.update(overrides)
    return value


OSHA = entry(
    key="osha",
    label_zh="職業安全衛生署",
    label_en="Occupational Safety and Health Administration",
    domain="osha.mol.gov.tw",
    aliases=["ilosh"],
)


@pytest.fixture
def two_directories(settings):
    settings.LDAP_DIRECTORIES = [entry(), OSHA]


# --- parsing ----------------------------------------------------------------------------------


def test_defaults_of_a_minimal_directory():
    (d,) = parse_directories([entry()])
    assert d.employee_number_attribute == "employeeNumber"
    assert d.change_attribute == "modifyTimestamp"
    assert d.group_type == "groupOfNames" and d.group_filter == "(objectClass=groupOfNames)"
    assert d.user_search_filter == "(uid=%(user)s)"
    assert (d.start_tls, d.create_missing, d.update_user, d.timeout) == (False, False, False, 5)
    assert d.login_domains == {"wda", "wda.mol.gov.tw"}
    assert "s3cret" not in repr(d)


def test_active_directory_settings():
    (d,) = parse_directories(
        [
            entry(
                group_type="activeDirectory",
                user_search_filter="(sAMAccountName=%(user)s)",
                employee_number_attribute="employeeID",
                change_attribute="whenChanged",
            )
        ]
    )
    assert d.group_filter == "(objectClass=group)" and d.member_attribute == "member"
    assert d.user_list_filter() == "(sAMAccountName=*)"
    assert d.employee_number_attribute == "employeeID"


def test_bind_password_from_a_file(tmp_path):
    secret = tmp_path / "bind_password"
    secret.write_text("from-file\n")
    config = entry(bind_password_file=str(secret))
    del config["bind_password"]
    (d,) = parse_directories([config])
    assert d.bind_password == "from-file"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"key": "WDA!"}, "'key' must be lower-case"),
        ({"domain": ""}, "[0] (wda): 'domain' is required"),
        ({"domain": "not a domain"}, "'domain' must be a DNS-style name"),
        ({"server_uri": "http://ad"}, "'server_uri' must start with ldap://"),
        ({"user_search_filter": "(uid=alice)"}, "containing %(user)s"),
        ({"group_type": "posix"}, "'group_type' must be one of groupOfNames"),
        ({"timeout": 0}, "'timeout' must be a whole number from 1 to 120"),
        ({"start_tls": "yes"}, "'start_tls' must be true or false"),
        ({"attribute_map": {"is_superuser": "memberOf"}}, "'attribute_map' cannot fill"),
        ({"bind_password_file": "/nonexistent/pw"}, "give 'bind_password' or"),
        ({"serveruri": "ldap://x"}, "unknown field(s) 'serveruri'"),
    ],
)
def test_bad_entries_are_refused_naming_the_field(overrides, message):
    with pytest.raises(ImproperlyConfigured) as exc:
        parse_directories([entry(**overrides)])
    assert message in str(exc.value)


def test_unreadable_password_file_is_refused():
    config = entry(bind_password_file="/nonexistent/pw")
    del config["bind_password"]
    with pytest.raises(ImproperlyConfigured, match="cannot read 'bind_password_file'"):
        parse_directories([config])


def test_login_domains_must_not_overlap():
    with pytest.raises(ImproperlyConfigured, match="login domain 'wda' is also used"):
        parse_directories([entry(), entry(key="wda2", domain="wda2.gov.tw", aliases=["wda"])])


def test_environment_json_and_file(tmp_path):
    text = json.dumps([entry()])
    assert directories_from_environment(text, "") == [entry()]
    path = tmp_path / "directories.json"
    path.write_text(text)
    assert directories_from_environment("", str(path)) == [entry()]
    assert directories_from_environment("", "") == []
    with pytest.raises(ImproperlyConfigured, match="not both"):
        directories_from_environment(text, str(path))
    with pytest.raises(ImproperlyConfigured, match=r"not valid JSON \(line 1, column 3"):
        directories_from_environment("[{", "")
    with pytest.raises(ImproperlyConfigured, match="must be a JSON list"):
        directories_from_environment('{"key": "wda"}', "")


def settings_probe(env: dict) -> subprocess.CompletedProcess:
    probe = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "from mol_portal.celery import app; app.finalize(); "
        "print(json.dumps({'backends': s.AUTHENTICATION_BACKENDS, "
        "'beat': sorted(k for k in app.conf.beat_schedule if 'ldap' in k)}))"
    )
    full = {
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_SETTINGS_MODULE": "mol_portal.settings",
        **env,
    }
    return subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env=full,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_settings_turn_ldap_on_only_when_directories_are_configured(tmp_path):
    require(ldap_libraries_installed(), "python-ldap/django-auth-ldap are not installed")
    off = settings_probe({"DATA_DIR": str(tmp_path)})
    assert off.returncode == 0, off.stderr
    loaded = json.loads(off.stdout.strip().splitlines()[-1])
    assert "accounts.ldap.backends.DirectoryBackend" not in loaded["backends"]
    assert loaded["beat"] == []

    on = settings_probe({"DATA_DIR": str(tmp_path), "LDAP_DIRECTORIES": json.dumps([entry()])})
    assert on.returncode == 0, on.stderr
    loaded = json.loads(on.stdout.strip().splitlines()[-1])
    assert loaded["backends"][0] == "axes.backends.AxesStandaloneBackend"
    assert loaded["backends"][-1] == "accounts.ldap.backends.DirectoryBackend"
    assert loaded["beat"] == ["accounts-ldap-full-sync", "accounts-ldap-sync"]


def test_bad_directory_setting_stops_start_up(tmp_path):
    result = settings_probe(
        {"DATA_DIR": str(tmp_path), "LDAP_DIRECTORIES": json.dumps([entry(group_type="x")])}
    )
    assert result.returncode != 0
    assert "LDAP_DIRECTORIES [0] (wda): 'group_type' must be one of" in result.stderr


# --- routing and the picker -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "picked", "key", "name"),
    [
        ("alice@wda", None, "wda", "alice"),
        ("alice@WDA.mol.gov.tw", None, "wda", "alice"),
        ("alice@osha", None, "osha", "alice"),
        ("alice@ilosh", None, "osha", "alice"),
        ("OSHA\\alice", None, "osha", "alice"),
        ("alice", "osha", "osha", "alice"),
        ("alice@wda", "osha", "wda", "alice"),  # a domain typed in the name wins
        ("alice@example.com", "osha", "osha", "alice@example.com"),  # UPN-style, picked
    ],
)
def test_login_goes_to_the_named_directory(two_directories, username, picked, key, name):
    target = directory_for_login(username, picked)
    assert (target.directory.key, target.name) == (key, name)


def test_plain_name_without_picker_is_not_for_a_directory(two_directories):
    assert directory_for_login("alice") is None


def test_unknown_domain_and_unknown_picked_directory(two_directories):
    assert directory_for_login("alice@nowhere").directory is None
    assert directory_for_login("alice@nowhere").domain == "nowhere"
    assert directory_for_login("alice", "nowhere").directory is None


def test_directory_choices_in_both_languages(two_directories):
    with translation.override("zh-hant"):
        assert directory_choices() == [("wda", "勞動力發展署"), ("osha", "職業安全衛生署")]
    with translation.override("en"):
        assert directory_choices()[1] == ("osha", "Occupational Safety and Health Administration")


def test_no_directories_means_no_choices_and_no_ldap(settings):
    settings.LDAP_DIRECTORIES = []
    assert directory_choices() == []
    assert directory_for_login("alice@wda") is None


@pytest.mark.django_db
def test_backend_ignores_logins_when_ldap_is_off(settings, rf):
    settings.LDAP_DIRECTORIES = []
    assert DirectoryBackend().authenticate(rf.post("/"), username="a@wda", password="x") is None


@pytest.mark.django_db
def test_login_form_offers_the_directories(client, two_directories, settings):
    settings.SECURE_SSL_REDIRECT = False  # production-mode test runs (DATABASE_URL) turn it on

    body = client.get(reverse("accounts:login")).content.decode()
    assert '<option value="wda">勞動力發展署</option>' in body
    assert '<option value="osha">職業安全衛生署</option>' in body


@pytest.mark.django_db
def test_view_only_staff_are_not_offered_the_directory_sync_actions(client, make_user, settings):
    settings.MFA_REQUIRED_FOR_STAFF = False  # the second factor is tested by the MFA part
    settings.SECURE_SSL_REDIRECT = False
    DirectorySyncState.objects.create(directory="wda")
    viewer = make_user(username="viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_directorysyncstate"))
    client.force_login(viewer)
    url = reverse("admin:accounts_directorysyncstate_changelist")

    response = client.get(url)
    assert response.status_code == 200
    form = response.context["action_form"]  # None when no action is allowed
    actions = dict(form.fields["action"].choices) if form else {}
    assert "sync_now" not in actions and "full_sync_now" not in actions
