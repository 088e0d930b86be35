"""Forms and tables as a browser lays them out (issue 8 item 21): a checkbox sits beside its
label, and at 360 px the documents table scrolls in its region instead of squeezing a column
into one character per line."""

from io import StringIO

import pytest
from django.core.management import call_command

from tests.browser_support import PHONE, check_axe, log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture(autouse=True)
def _demo(settings, transactional_db):
    settings.MFA_REQUIRED_FOR_STAFF = False
    settings.EMBEDDED = True
    call_command("seed_demo", stdout=StringIO())


def box(page, selector: str) -> dict:
    return page.locator(selector).first.bounding_box()


def assert_beside(page, checkbox: str, label: str):
    check, text = box(page, checkbox), box(page, label)
    assert check["width"] < 40 and check["height"] < 40, f"{checkbox} is a block: {check}"
    assert check["x"] + check["width"] <= text["x"] + 1, f"{checkbox} is not left of its label"
    assert check["y"] < text["y"] + text["height"] and text["y"] < check["y"] + check["height"], (
        f"{checkbox} is not on its label's line"
    )


def test_the_consent_checkbox_sits_beside_its_label(live_server, open_page):
    page = open_page(PHONE)
    page.goto(live_server.url + "/petitions/")
    assert_beside(page, "#id_consent", "label[for=id_consent]")
    file_input = box(page, "input[type=file]")
    assert file_input["height"] < 80


def test_documents_page_at_360px(live_server, open_page):
    page = open_page(PHONE)
    log_in(page, live_server.url, "lin.meihua", "mol-demo-2026")
    page.goto(live_server.url + "/documents/")
    assert_beside(page, "#id_overdue", "label[for=id_overdue]")
    assert page.locator("#id_registered_from").get_attribute("type") == "text"

    narrowest = page.evaluate(
        """() => Math.min(...Array.from(document.querySelectorAll('.doc-table th, .doc-table td'))
                 .map(cell => cell.getBoundingClientRect().width))"""
    )
    assert narrowest >= 40, f"a documents table column is squeezed to {narrowest}px"
    region = page.locator(".table-responsive").first
    assert region.get_attribute("tabindex") == "0" and region.get_attribute("aria-label")
    check_axe(page, "documents at 360px")
