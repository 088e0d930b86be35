"""The managers' subscriber pages (``/epaper/manage/``) in a real Chromium at 360 and 1280 px:
axe-core finds no serious or critical violation, nothing scrolls sideways, one h1 per page. A
manager (a sensitive role: the password, then the authenticator's code) imports a CSV file
through the form on a phone and reads its report; an import without its source comes back
naming the field."""

import pytest
from django.db import transaction

from epaper.models import ImportBatch, Subscriber
from epaper.roles import MANAGER
from epaper.services.imports import subscribers_import
from tests.accounts.mfa_support import code_for, enrol
from tests.browser_support import PHONE, VIEWPORTS, check_axe, check_no_horizontal_overflow, log_in

from .issue_support import grant
from .subscriber_support import subscribed

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

CSV = (
    "email,newsletters,language,subscribed_at\n"
    "wang.xiaoming@example.com,weekly;bli,zh-hant,2024-05-01\n"
    "a.very.long.address.of.somebody.who.subscribed.long.ago@subdomain.example.gov.tw,weekly,en,\n"
    "not-an-address,weekly,,\n"
)


@pytest.fixture
def setup(transactional_db, settings, make_user, password):
    manager = make_user(username="epaper-manager", is_staff=True)
    with transaction.atomic():
        grant(manager, MANAGER)
    chen = subscribed("chen@example.com", "weekly", "bli")
    subscribed("lee@example.com", "weekly")
    batch = subscribers_import(data=CSV.encode(), source="舊電子報系統", actor=manager)
    device, _codes = enrol(manager)
    return {"password": password, "chen": chen, "batch": batch, "device": device}


def manager_log_in(page, base, setup):
    """The password, then the code of the manager's authenticator."""
    log_in(page, base, "epaper-manager", setup["password"])
    assert page.url == base + "/accounts/login/verify/", page.url
    page.locator("input[name=code]").fill(code_for(setup["device"]))
    with page.expect_navigation():
        page.locator("form button[type=submit]").last.click()
    assert page.url == base + "/intranet/", page.url


def check_page(page, viewport, label):
    assert page.locator("h1").count() == 1, f"{label}: one h1"
    check_no_horizontal_overflow(page, viewport, label)
    check_axe(page, f"{label} at {viewport['width']}px")


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_subscriber_pages_are_accessible(live_server, open_page, setup, viewport):
    page = open_page(viewport)
    base = live_server.url
    manager_log_in(page, base, setup)
    chen, batch = setup["chen"], setup["batch"]
    for path, label in (
        ("/epaper/manage/", "subscribers"),
        ("/epaper/manage/?q=chen", "subscribers found"),
        (f"/epaper/manage/{chen.pk}/", "subscriber"),
        ("/epaper/manage/import/", "import"),
        (f"/epaper/manage/import/{batch.pk}/", "import report"),
    ):
        response = page.goto(base + path)
        assert response.status == 200 and page.url == base + path, (path, page.url)
        check_page(page, viewport, label)
    # The list masks the addresses; the subscriber's own page shows it whole.
    page.goto(base + "/epaper/manage/")
    assert "chen@example.com" not in page.content()
    page.goto(f"{base}/epaper/manage/{chen.pk}/")
    assert "chen@example.com" in page.content()


def test_a_manager_imports_a_file_on_a_phone(live_server, open_page, setup, tmp_path):
    page = open_page(PHONE)
    base = live_server.url
    manager_log_in(page, base, setup)
    upload = tmp_path / "list.csv"
    upload.write_text("email,newsletters\nnew.person@example.com,weekly\n", encoding="utf-8")

    page.goto(base + "/epaper/manage/import/")
    page.locator("#id_file").set_input_files(str(upload))
    with page.expect_navigation():
        page.locator("form.epaper-manage-form button[type=submit]").click()
    # No source: the form comes back naming the field, nothing imported.
    assert page.locator('.error-summary a[href="#id_source"]').count() == 1
    assert not Subscriber.objects.filter(email="new.person@example.com").exists()
    check_page(page, PHONE, "import with an error")

    page.locator("#id_source").fill("人資處名單")
    page.locator("#id_file").set_input_files(str(upload))
    with page.expect_navigation():
        page.locator("form.epaper-manage-form button[type=submit]").click()
    batch = ImportBatch.objects.latest("pk")
    assert page.url == f"{base}/epaper/manage/import/{batch.pk}/"
    assert batch.source == "人資處名單" and batch.created == 1
    assert Subscriber.objects.filter(email="new.person@example.com").exists()
    check_page(page, PHONE, "import report after upload")
