"""The admin in 正體中文 (issue 8 item 23): every app section and model it shows has a
translated name (third-party apps through core.thirdparty_apps); an expected 403 on
/admin/login/ is logged as one line, not a traceback; a configuration error stops manage.py and
the WSGI application with one clear line."""

import logging
import sys

import pytest
from django.apps import apps
from django.contrib import admin
from django.utils import translation

from core.logging_filters import ExpectedErrorsWithoutTraceback
from core.thirdparty_apps import THIRD_PARTY_NAMES
from tests.accounts.mfa_support import force_login_verified
from tests.language_support import english

from .conftest import run_python

pytestmark = pytest.mark.django_db

THIRD_PARTY_LABELS = {"axes", "django_celery_beat", "oauth2_provider", "otp_static", "otp_totp"}


def portal_strings() -> set[str]:
    """The English source of every name core.thirdparty_apps gives (pending the catalogue)."""
    with translation.override("en"):
        configs = [apps.get_app_config(label) for label in THIRD_PARTY_NAMES]
        names = {
            str(config.verbose_name)
            for config in configs
            if type(config).__module__ == "core.thirdparty_apps"
        }
        for models in THIRD_PARTY_NAMES.values():
            for singular, plural in models.values():
                names |= {str(singular), str(plural)}
    return names


def shown_names() -> list[tuple[str, object]]:
    names = []
    for model in admin.site._registry:
        config = apps.get_app_config(model._meta.app_label)
        names += [
            (f"{config.label} section", config.verbose_name),
            (model._meta.label, model._meta.verbose_name_plural),
            (model._meta.label, model._meta.verbose_name),
        ]
    return names


def test_every_admin_section_and_model_has_a_translated_name():
    ours = portal_strings()
    untranslated = []
    for where, name in shown_names():
        with translation.override("en"):
            en = str(name)
        with translation.override("zh-hant"):
            zh = str(name)
        if zh == en and en not in ours:
            untranslated.append(f"{where}: {en}")
    assert not untranslated, untranslated


def test_third_party_apps_are_named_by_the_portal():
    shown = {model._meta.app_label for model in admin.site._registry}
    assert shown >= THIRD_PARTY_LABELS
    for label in THIRD_PARTY_LABELS:
        config = apps.get_app_config(label)
        assert type(config).__module__ == "core.thirdparty_apps", label
        for model in config.get_models():
            if model in admin.site._registry:
                assert model._meta.model_name in THIRD_PARTY_NAMES[label], model._meta.label


def test_the_admin_index_shows_no_package_names(client, make_user):
    force_login_verified(english(client), make_user(is_staff=True, is_superuser=True))
    page = client.get("/admin/").content.decode()
    for package_name in (
        "Axes",
        "Django OAuth Toolkit",
        "Otp_Static",
        "Otp_Totp",
        "Access attempts",
    ):
        assert f">{package_name}<" not in page, package_name
    assert "Sign-in lockouts" in page and "Failed sign-ins and lockouts" in page


def test_an_expected_403_on_the_admin_login_is_one_line(client, make_user, caplog):
    force_login_verified(client, make_user())  # signed in, not staff
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get("/admin/login/")
    assert response.status_code == 403
    records = [r for r in caplog.records if r.name == "django.request"]
    assert records and all(r.exc_info is None for r in records), "no traceback for a 403"
    assert "Traceback" not in caplog.text


def test_a_server_error_keeps_its_traceback():
    try:
        raise ValueError("bug")
    except ValueError:
        record = logging.LogRecord("django.request", logging.ERROR, "", 0, "x", (), sys.exc_info())
    record.status_code = 500
    ExpectedErrorsWithoutTraceback().filter(record)
    assert record.exc_info is not None


@pytest.mark.parametrize("entry", ["manage", "wsgi"])
def test_a_configuration_error_is_one_clear_line(tmp_path, entry):
    env = {"DATA_DIR": str(tmp_path), "DJANGO_DEBUG": "maybe"}
    if entry == "manage":
        result = run_python(env, "manage.py", "check")
        assert result.returncode == 1
    else:
        result = run_python(env, "-c", "import mol_portal.wsgi")
        assert result.returncode == 3  # gunicorn's "worker failed to boot": no respawn loop
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines == [
        "ImproperlyConfigured: DJANGO_DEBUG must be a boolean (1/0, true/false), got 'maybe'"
    ]
