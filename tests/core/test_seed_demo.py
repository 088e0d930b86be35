import io

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from accounts.models import Application
from core.models import AuditLogEntry
from core.registry import demo_loaders

pytestmark = pytest.mark.django_db


def _counts():
    return {
        m._meta.label: m.objects.count()
        for m in apps.get_models()
        if m._meta.app_label not in {"sessions", "admin", "contenttypes"}
        and m._meta.label != "core.AuditLogEntry"
    }


def test_seed_demo_twice_gives_the_same_counts(settings):
    settings.EMBEDDED = True
    call_command("seed_demo")
    first = _counts()
    assert first["accounts.User"] >= 5
    call_command("seed_demo")
    assert _counts() == first


def test_seed_demo_twice_writes_no_audit_changes(settings):
    settings.EMBEDDED = True
    call_command("seed_demo")
    before = AuditLogEntry.objects.count()
    call_command("seed_demo")
    assert AuditLogEntry.objects.count() == before


def test_seed_demo_refuses_production_database(settings):
    settings.EMBEDDED = False
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("seed_demo")


def test_each_app_contributes_its_own_loader():
    names = [loader.name for loader in demo_loaders()]
    assert "accounts.demo.load_users" in names


def _production(settings, issuer):
    settings.EMBEDDED = False
    settings.DEBUG = False
    settings.OAUTH2_PROVIDER = {
        **settings.OAUTH2_PROVIDER,
        "ALLOWED_REDIRECT_URI_SCHEMES": ["https"],
        "OIDC_ISS_ENDPOINT": issuer,
    }


def test_seed_demo_force_works_in_production_mode_with_https_uris(settings):
    """A production-mode staging server: http redirect URIs are refused there, so the demo
    clients get https ones on OIDC_ISSUER's host."""
    _production(settings, "https://staging.mol.gov.tw/o")
    out = io.StringIO()
    call_command("seed_demo", force=True, stdout=out)
    documents = Application.objects.get(client_id="demo-documents")
    assert documents.redirect_uris == "https://staging.mol.gov.tw/demo-documents/callback"
    assert documents.post_logout_redirect_uris == "https://staging.mol.gov.tw/demo-documents/"
    assert documents.launch_url == "https://staging.mol.gov.tw/documents/"
    uris = " ".join(Application.objects.values_list("redirect_uris", flat=True))
    assert "http://" not in uris
    call_command("seed_demo", force=True, stdout=io.StringIO())  # still idempotent
    assert Application.objects.filter(client_id="demo-documents").count() == 1


def test_seed_demo_force_skips_redirecting_clients_without_an_https_issuer(settings):
    _production(settings, "http://staging.mol.gov.tw/o")
    out = io.StringIO()
    call_command("seed_demo", force=True, stdout=out)
    assert not Application.objects.filter(client_id="demo-documents").exists()
    assert Application.objects.filter(client_id="demo-monitoring").exists()
    assert "skipped" in out.getvalue() and "demo-documents" in out.getvalue()
