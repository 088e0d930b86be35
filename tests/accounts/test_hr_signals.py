"""The HR sync tells the apps above accounts that a person left or moved
(``accounts.signals``), once the change is committed, and a failing receiver does not stop it."""

from io import StringIO

import pytest
from django.core.management import call_command

from accounts.models import User
from accounts.signals import person_deactivated, person_moved
from core.models import Organization

pytestmark = pytest.mark.django_db

HEADER = (
    "employee_number,username,name_zh,name_en,unit_code,title,email,mobile,status,effective_date"
)


@pytest.fixture(autouse=True)
def _no_valve(settings):
    settings.SECURE_SSL_REDIRECT = False
    settings.HR_MAX_DEACTIVATE_RATIO = 1.0
    settings.HR_FEED_DEACTIVATE_MISSING = False


@pytest.fixture
def sync(tmp_path):
    def run(*rows):
        path = tmp_path / "feed.csv"
        path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
        call_command("hr_sync", "--file", str(path), stdout=StringIO(), stderr=StringIO())

    return run


@pytest.fixture
def heard():
    calls = []

    def deactivated(sender, **kwargs):
        calls.append(("deactivated", kwargs))

    def moved(sender, **kwargs):
        calls.append(("moved", kwargs))

    person_deactivated.connect(deactivated, dispatch_uid="test.deactivated")
    person_moved.connect(moved, dispatch_uid="test.moved")
    yield calls
    person_deactivated.disconnect(dispatch_uid="test.deactivated")
    person_moved.disconnect(dispatch_uid="test.moved")


def test_a_leaver_is_announced_after_the_commit(
    sync, make_user, heard, django_capture_on_commit_callbacks
):
    user = make_user(employee_number="E0700")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        sync(f"E0700,,{user.name_zh},Tester,IM,科員,,,left,2025-07-31")
    assert heard == []  # nothing before the commit
    for callback in callbacks:
        callback()
    assert [(name, kwargs["user"].pk) for name, kwargs in heard] == [("deactivated", user.pk)]
    assert heard[0][1]["user"].is_active is False
    assert heard[0][1]["run_id"]


def test_a_move_is_announced_with_both_units(
    sync, make_user, heard, django_capture_on_commit_callbacks
):
    sec = Organization.objects.get(code="SEC")
    user = make_user(employee_number="E0701", organization=sec)
    with django_capture_on_commit_callbacks(execute=True):
        sync(f"E0701,,{user.name_zh},Tester,IM,科員,{user.email},,active,2025-06-01")
    assert [name for name, _ in heard] == ["moved"]
    kwargs = heard[0][1]
    assert (kwargs["from_unit_id"], kwargs["to_unit_id"]) == (
        sec.pk,
        Organization.objects.get(code="IM").pk,
    )


def test_an_unchanged_person_or_a_new_one_is_not_announced(
    sync, make_user, heard, django_capture_on_commit_callbacks
):
    user = make_user(employee_number="E0702")
    with django_capture_on_commit_callbacks(execute=True):
        sync(
            f"E0702,,{user.name_zh},Tester,{user.organization.code},科員,{user.email},,"
            "active,2025-06-01",
            "E0703,,新人,New,IM,科員,,,active,2025-06-01",
        )
    assert User.objects.filter(employee_number="E0703").exists()
    assert heard == []


def test_a_failing_receiver_does_not_stop_the_sync(
    sync, make_user, django_capture_on_commit_callbacks
):
    def broken(sender, **kwargs):
        raise RuntimeError("receiver down")

    person_deactivated.connect(broken, dispatch_uid="test.broken")
    try:
        user = make_user(employee_number="E0704")
        with django_capture_on_commit_callbacks(execute=True):
            sync(f"E0704,,{user.name_zh},Tester,IM,科員,,,left,2025-07-31")
    finally:
        person_deactivated.disconnect(dispatch_uid="test.broken")
    user.refresh_from_db()
    assert user.is_active is False
