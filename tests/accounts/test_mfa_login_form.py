"""The login form's directory picker and the login method recorded for a directory login
(with a stand-in for the LDAP part's backend: the real one is tested against slapd)."""

import pytest
from django.contrib.auth.backends import BaseBackend
from django.urls import reverse

from accounts.models import User, UserSession

from .mfa_support import (
    code_for,
    english,
    enrol,
    mfa_policy,  # noqa: F401  (autouse: the shipped 2FA policy)
    signed_in_user_id,
)

SEEN = []


class StandInLdapBackend(BaseBackend):
    """Accepts ``name@wda`` with password "directory-pw" when the picker said ``wda``."""

    def authenticate(self, request, username=None, password=None, directory=None, **kwargs):
        SEEN.append((username, directory))
        if directory == "wda" and username and username.endswith("@wda"):
            if password == "directory-pw":
                return User.objects.filter(username=username.split("@")[0]).first()
        return None

    def get_user(self, user_id):
        return User.objects.filter(pk=user_id).first()


@pytest.fixture
def directories(monkeypatch, settings):
    SEEN.clear()
    monkeypatch.setattr(
        "accounts.forms.directory_choices",
        lambda: [("wda", "勞動力發展署"), ("osha", "職業安全衛生署")],
    )
    settings.AUTHENTICATION_BACKENDS = [
        *settings.AUTHENTICATION_BACKENDS,
        "tests.accounts.test_mfa_login_form.StandInLdapBackend",
    ]


@pytest.fixture
def client(client):
    return english(client)


def test_no_picker_without_directories(client, monkeypatch):
    monkeypatch.setattr("accounts.forms.directory_choices", lambda: [])
    body = client.get(reverse("accounts:login")).content.decode()
    assert 'name="directory"' not in body


def test_picker_lists_the_directories_with_a_label(client, directories):
    body = client.get(reverse("accounts:login")).content.decode()
    assert '<label class="form-label" for="id_directory">Sign in with</label>' in body
    assert '<option value="wda">勞動力發展署</option>' in body
    assert '<option value="" selected>Local account</option>' in body


def test_directory_login_goes_to_the_picked_directory_and_is_recorded_as_ldap(
    client, directories, make_user
):
    user = make_user(username="alice")

    response = client.post(
        reverse("accounts:login"),
        {"directory": "wda", "username": "alice", "password": "directory-pw"},
    )

    assert response.status_code == 302
    assert ("alice@wda", "wda") in SEEN
    assert signed_in_user_id(client) == str(user.pk)
    assert UserSession.objects.get(user=user).method == "ldap"


def test_picked_directory_never_falls_back_to_the_local_password(
    client, directories, make_user, password
):
    make_user(username="bob")
    response = client.post(
        reverse("accounts:login"), {"directory": "wda", "username": "bob", "password": password}
    )
    assert response.status_code == 200
    assert signed_in_user_id(client) is None


def test_directory_login_still_needs_the_second_factor(client, directories, make_user):
    user = make_user(username="carol", is_staff=True)
    device, _ = enrol(user)

    response = client.post(
        reverse("accounts:login"),
        {"directory": "wda", "username": "carol", "password": "directory-pw"},
    )

    assert response["Location"] == reverse("accounts:login_verify")
    client.post(reverse("accounts:login_verify"), {"code": code_for(device)})
    assert signed_in_user_id(client) == str(user.pk)
    assert UserSession.objects.get(user=user).method == "ldap"
