import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher, check_password, make_password
from django.urls import reverse

from accounts.models import User


def test_new_passwords_use_argon2id_at_the_owasp_baseline():
    encoded = make_password("a long enough passphrase")
    assert encoded.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert check_password("a long enough passphrase", encoded)
    assert not check_password("another passphrase", encoded)


def test_parameters_can_be_raised_from_settings(settings):
    settings.ARGON2_MEMORY_KIB = 32768
    settings.ARGON2_TIME_COST = 3
    assert "$m=32768,t=3,p=1$" in make_password("a long enough passphrase")


@pytest.mark.django_db
def test_hash_with_django_defaults_still_verifies_and_is_upgraded_at_login(client, make_user):
    user = make_user(username="legacy")
    old = Argon2PasswordHasher().encode("legacy passphrase 2026", Argon2PasswordHasher().salt())
    assert "m=102400" in old
    User.objects.filter(pk=user.pk).update(password=old)
    response = client.post(
        reverse("accounts:login"), {"username": "legacy", "password": "legacy passphrase 2026"}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert "$m=19456,t=2,p=1$" in user.password
