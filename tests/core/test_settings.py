"""Settings load from the environment alone: each case runs in a fresh process."""

import json
import secrets

import pytest

from .conftest import run_python

PROBE = """
import json, django
django.setup()
from django.conf import settings as s
print(json.dumps({
    "engine": s.DATABASES["default"]["ENGINE"],
    "eager": s.CELERY_TASK_ALWAYS_EAGER,
    "email": s.EMAIL_BACKEND,
    "debug": s.DEBUG,
    "secure_cookies": s.SESSION_COOKIE_SECURE,
    "embedded": s.EMBEDDED,
}))
"""


def load(env: dict[str, str]) -> dict:
    result = run_python(env, "-c", PROBE)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture
def production(tmp_path) -> dict[str, str]:
    return {
        "DATA_DIR": str(tmp_path),
        "DATABASE_URL": "postgres://mol@127.0.0.1:5432/mol_portal",
        "REDIS_URL": "redis://127.0.0.1:6379/9",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "portal.example.gov.tw",
    }


def test_empty_environment_gives_the_embedded_default(tmp_path):
    loaded = load({"DATA_DIR": str(tmp_path)})
    assert loaded == {
        "engine": "django.db.backends.sqlite3",
        "eager": True,
        "email": "django.core.mail.backends.console.EmailBackend",
        "debug": False,
        "secure_cookies": False,
        "embedded": True,
    }


def test_loading_settings_writes_nothing(tmp_path):
    load({"DATA_DIR": str(tmp_path)})
    assert list(tmp_path.iterdir()) == []


KEY_PROBE = (
    "import django; django.setup(); from django.conf import settings; print(settings.SECRET_KEY)"
)


def test_the_launcher_keeps_the_embedded_secret_key_in_the_data_folder(tmp_path):
    env = {"DATA_DIR": str(tmp_path)}
    result = run_python(env, "manage.py", "check")
    assert result.returncode == 0, result.stderr
    key_file = tmp_path / "secret_key"
    assert len(key_file.read_text()) >= 50
    assert key_file.stat().st_mode & 0o077 == 0
    assert (tmp_path / "staticfiles").is_dir()
    # Every later process (a second launch, a bare django.setup()) uses the same key.
    first = key_file.read_text()
    assert run_python(env, "manage.py", "check").returncode == 0
    assert key_file.read_text() == first
    assert run_python(env, "-c", KEY_PROBE).stdout.strip() == first


def test_a_set_secret_key_means_no_generated_one(tmp_path):
    key = secrets.token_urlsafe(50)
    result = run_python({"DATA_DIR": str(tmp_path), "SECRET_KEY": key}, "manage.py", "check")
    assert result.returncode == 0, result.stderr
    assert not (tmp_path / "secret_key").exists()


def test_production_environment(production):
    loaded = load(production)
    assert loaded["engine"] == "django.db.backends.postgresql"
    assert loaded["eager"] is False
    assert loaded["debug"] is False
    assert loaded["secure_cookies"] is True
    assert loaded["embedded"] is False


def test_production_with_email_host_sends_smtp(production):
    loaded = load({**production, "EMAIL_HOST": "mail.example.gov.tw"})
    assert loaded["email"] == "django.core.mail.backends.smtp.EmailBackend"


@pytest.mark.parametrize("key", [None, "", "change-me", "django-insecure-abc"])
def test_production_refuses_a_missing_or_known_secret_key(production, key):
    env = {k: v for k, v in production.items() if k != "SECRET_KEY"}
    if key is not None:
        env["SECRET_KEY"] = key
    result = run_python(env, "-c", PROBE)
    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY is missing or is a known default" in result.stderr


def test_production_reads_the_secret_key_from_a_file(production, tmp_path):
    key_file = tmp_path / "key"
    key_file.write_text(secrets.token_urlsafe(50))
    env = {k: v for k, v in production.items() if k != "SECRET_KEY"}
    assert load({**env, "SECRET_KEY_FILE": str(key_file)})["engine"].endswith("postgresql")


def test_database_url_without_redis_url_is_refused(production):
    env = {k: v for k, v in production.items() if k != "REDIS_URL"}
    result = run_python(env, "-c", PROBE)
    assert result.returncode != 0
    assert "ImproperlyConfigured: REDIS_URL is required when DATABASE_URL is set" in result.stderr


def test_database_url_without_redis_may_run_jobs_eagerly_when_said_explicitly(production):
    env = {k: v for k, v in production.items() if k != "REDIS_URL"}
    assert load({**env, "CELERY_TASK_ALWAYS_EAGER": "1"})["eager"] is True


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DJANGO_DEBUG", "maybe", "DJANGO_DEBUG must be a boolean"),
        ("EMAIL_PORT", "twenty-five", "EMAIL_PORT must be an integer"),
        ("PASSWORD_MIN_LENGTH", "4", "PASSWORD_MIN_LENGTH must be at least 8"),
    ],
)
def test_a_bad_value_stops_start_up_naming_the_variable(tmp_path, name, value, message):
    result = run_python({"DATA_DIR": str(tmp_path), name: value}, "-c", PROBE)
    assert result.returncode != 0
    assert f"ImproperlyConfigured: {message}" in result.stderr


def test_check_deploy_is_clean_in_production(production):
    result = run_python(production, "manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


NO_SIDE_EFFECT_PROBE = """
import json, os, django
django.setup()
from django.conf import settings
data_dir = settings.DATA_DIR
before = sorted(os.listdir(data_dir))
from oauth2_provider.settings import oauth2_settings
signing = str(oauth2_settings.OIDC_RSA_PRIVATE_KEY)
again = str(oauth2_settings.OIDC_RSA_PRIVATE_KEY)
print(json.dumps({"before": before, "after": sorted(os.listdir(data_dir)),
                  "key": "PRIVATE KEY" in signing, "same": signing == again}))
"""


def test_loading_settings_writes_nothing_and_the_oidc_key_is_made_on_first_use(production):
    result = run_python(production, "-c", NO_SIDE_EFFECT_PROBE)
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["before"] == []  # django.setup() created no file or folder in DATA_DIR
    assert seen["after"] == ["oidc"] and seen["key"] and seen["same"]


def test_a_bad_oidc_key_in_the_environment_still_stops_start_up(production):
    result = run_python({**production, "OIDC_RSA_PRIVATE_KEY": "not a key"}, "-c", PROBE)
    assert result.returncode != 0
    assert "OIDC_RSA_PRIVATE_KEY" in result.stderr
