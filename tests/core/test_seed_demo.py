import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

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
