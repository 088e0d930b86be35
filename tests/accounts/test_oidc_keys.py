"""Signing keys: made on first start outside the repository, given by the environment in
production, rotated by ``oidc_rotate_key`` with the old key still verifying until it retires."""

import stat
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import CommandError, call_command
from freezegun import freeze_time
from joserfc.errors import InvalidClaimError, InvalidKeyIdError

from accounts.oidc import keys
from core.models import AuditLogEntry
from tests.accounts.oidc_support import code_flow_client, verify_jwt

pytestmark = pytest.mark.usefixtures("fast_password_hashing")

LIFETIME = timedelta(hours=8)


def use_keys(settings, keys_dir):
    """What a restart does: the settings read the key directory again."""
    active, published = keys.load_signing_keys(keys_dir=keys_dir)
    settings.OIDC_KEYS_DIR = keys_dir
    settings.OAUTH2_PROVIDER = {
        **settings.OAUTH2_PROVIDER,
        "OIDC_RSA_PRIVATE_KEY": active,
        "OIDC_RSA_PRIVATE_KEYS_INACTIVE": published,
    }
    return active, published


def test_first_start_generates_a_private_key_readable_only_by_the_owner(tmp_path):
    keys_dir = tmp_path / "oidc"
    active, published = keys.load_signing_keys(keys_dir=keys_dir)
    assert "PRIVATE KEY" in active and published == []
    files = keys.key_files(keys_dir)
    assert len(files) == 1
    assert stat.S_IMODE(files[0].path.stat().st_mode) == 0o600
    assert stat.S_IMODE(keys_dir.stat().st_mode) == 0o700
    # The next start reuses it.
    assert keys.load_signing_keys(keys_dir=keys_dir) == (active, [])


def test_an_environment_key_wins_over_the_directory(tmp_path):
    pem = keys.generate_private_key_pem()
    old = keys.generate_private_key_pem()
    inactive = tmp_path / "inactive.pem"
    inactive.write_text(old)
    active, published = keys.load_signing_keys(
        pem=pem, inactive_file=str(inactive), keys_dir=tmp_path / "unused"
    )
    assert active.strip() == pem.strip()
    assert [p.strip() for p in published] == [old.strip()]
    assert not (tmp_path / "unused").exists()


def test_a_key_file_from_the_environment_is_read(tmp_path):
    pem_file = tmp_path / "signing.pem"
    pem_file.write_text(keys.generate_private_key_pem())
    active, _ = keys.load_signing_keys(pem_file=str(pem_file), keys_dir=tmp_path / "unused")
    assert keys.key_id(active) == keys.key_id(pem_file.read_text())


def test_two_keys_in_one_variable_are_refused(tmp_path):
    both = keys.generate_private_key_pem() + keys.generate_private_key_pem()
    with pytest.raises(keys.KeyConfigurationError):
        keys.load_signing_keys(pem=both, keys_dir=tmp_path)


def test_rotation_keeps_the_old_key_published_until_its_tokens_have_expired(tmp_path):
    keys_dir = tmp_path / "oidc"
    start = datetime(2026, 11, 1, 2, 0, tzinfo=UTC)
    keys.ensure_key(keys_dir, now=start)
    first_kid = keys.key_files(keys_dir)[0].kid

    rotated_at = start + timedelta(days=30)
    result = keys.rotate_keys(keys_dir, now=rotated_at, max_token_lifetime=LIFETIME)
    active, published = keys.load_signing_keys(keys_dir=keys_dir)
    assert keys.key_id(active) == result.added.kid != first_kid
    assert [keys.key_id(p) for p in published] == [first_kid]

    just_before = rotated_at + LIFETIME - timedelta(seconds=1)
    assert keys.retire_keys(keys_dir, now=just_before, max_token_lifetime=LIFETIME).retired == []
    after = keys.retire_keys(keys_dir, now=rotated_at + LIFETIME, max_token_lifetime=LIFETIME)
    assert [f.kid for f in after.retired] == [first_kid]
    assert keys.load_signing_keys(keys_dir=keys_dir)[1] == []


@pytest.mark.django_db
def test_tokens_signed_before_a_rotation_verify_until_the_old_key_retires(
    client, settings, tmp_path, make_app, make_user, units
):
    keys_dir = tmp_path / "oidc"
    with freeze_time("2026-11-01 02:00:00"):
        use_keys(settings, keys_dir)
        application, secret = make_app()
        client.force_login(make_user(organization=units["IM"]))
        old_token = code_flow_client(client, application, secret, nonce="before")["id_token"]
        old_kid = client.get("/o/.well-known/jwks.json").json()["keys"][0]["kid"]

    # Rotated a minute later, while the old token is still valid (ID tokens live 10 minutes).
    with freeze_time("2026-11-01 02:01:00"):
        call_command("oidc_rotate_key")
        use_keys(settings, keys_dir)  # the restart after the rotation
        jwks = client.get("/o/.well-known/jwks.json").json()
        assert len(jwks["keys"]) == 2
        header, claims = verify_jwt(old_token, jwks, aud=application.client_id, nonce="before")
        assert header["kid"] == old_kid
        new_token = code_flow_client(client, application, secret, nonce="after")["id_token"]
        new_header, _ = verify_jwt(new_token, jwks, aud=application.client_id)
        assert new_header["kid"] != old_kid

    # Not yet retired just before the longest token lifetime (8 h) has passed...
    with freeze_time("2026-11-01 10:00:59"):
        call_command("oidc_rotate_key", "--retire-only")
        use_keys(settings, keys_dir)
        assert len(client.get("/o/.well-known/jwks.json").json()["keys"]) == 2

    # ...and gone after it: nothing the old key signed can be verified any more.
    with freeze_time("2026-11-01 10:01:00"):
        call_command("oidc_rotate_key", "--retire-only")
        use_keys(settings, keys_dir)
        jwks = client.get("/o/.well-known/jwks.json").json()
        assert [k["kid"] for k in jwks["keys"]] == [new_header["kid"]]
    with freeze_time("2026-11-01 02:02:00"), pytest.raises(InvalidKeyIdError):
        verify_jwt(old_token, jwks, aud=application.client_id)


@pytest.mark.django_db
def test_an_id_token_from_before_the_rotation_is_still_a_valid_logout_hint(
    client, settings, tmp_path, make_app, make_user, units
):
    keys_dir = tmp_path / "oidc"
    use_keys(settings, keys_dir)
    application, secret = make_app()
    user = make_user(organization=units["IM"])
    client.force_login(user)
    id_token = code_flow_client(client, application, secret)["id_token"]
    keys.rotate_keys(
        keys_dir, now=datetime.now(UTC) + timedelta(seconds=2), max_token_lifetime=LIFETIME
    )
    use_keys(settings, keys_dir)

    response = client.get(
        "/o/logout/",
        {"id_token_hint": id_token, "post_logout_redirect_uri": "http://127.0.0.1:9/signed-out"},
    )
    assert response.status_code == 302
    assert response["Location"] == "http://127.0.0.1:9/signed-out"


@pytest.mark.django_db
def test_a_token_for_another_audience_does_not_verify(
    client, settings, tmp_path, make_app, make_user, units
):
    use_keys(settings, tmp_path / "oidc")
    application, secret = make_app()
    client.force_login(make_user(organization=units["IM"]))
    id_token = code_flow_client(client, application, secret)["id_token"]
    jwks = client.get("/o/.well-known/jwks.json").json()
    with pytest.raises(InvalidClaimError):
        verify_jwt(id_token, jwks, aud="somebody-else")


@pytest.mark.django_db
def test_the_command_lists_keys_and_refuses_to_rotate_environment_keys(
    settings, tmp_path, monkeypatch, capsys
):
    keys_dir = tmp_path / "oidc"
    use_keys(settings, keys_dir)
    call_command("oidc_rotate_key", "--list")
    assert "signing" in capsys.readouterr().out

    monkeypatch.setenv("OIDC_RSA_PRIVATE_KEY", keys.generate_private_key_pem())
    with pytest.raises(CommandError, match="OIDC_RSA_PRIVATE_KEY"):
        call_command("oidc_rotate_key")


@pytest.mark.django_db
def test_rotation_is_audited(settings, tmp_path):
    use_keys(settings, tmp_path / "oidc")
    with freeze_time(datetime.now(UTC) + timedelta(seconds=5)):
        call_command("oidc_rotate_key")
    assert AuditLogEntry.objects.filter(message__startswith="oidc.key_rotated").exists()
