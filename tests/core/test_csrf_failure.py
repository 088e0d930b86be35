"""A form posted after the session expired (issue 8 item 15): the branded bilingual page
instead of Django's raw one, and on the public forms the citizen keeps what they typed, with a
fresh token, so sending again works. In a real Chromium too: the cookies are dropped between
filling in the petition form and sending it."""

import pytest
from django.test import Client
from django.utils import translation
from django.utils.html import escape

from core.csrf import RESUBMIT_MESSAGE
from petitions.models import Category, Petition
from tests.browser_support import DESKTOP
from tests.petitions.test_browser_public import fill_form, tiny_png

BODY = "過去三個月每週加班十小時，公司都沒有給付加班費。請協助處理。"


@pytest.fixture
def strict_client():
    return Client(enforce_csrf_checks=True)


@pytest.fixture
def category(transactional_db):
    return Category.objects.create(code="wages", name_zh="工資爭議", name_en="Wage disputes")


@pytest.mark.django_db
def test_the_csrf_failure_page_is_branded_bilingual_and_explains(strict_client):
    response = strict_client.post("/i18n/setlang/", {"language": "en"})
    assert response.status_code == 403
    body = response.content.decode()
    assert "工作階段已逾時" in body
    assert 'lang="en"' in body and "Your session expired" in body
    assert "勞動部" in body and "Ministry of Labor" in body
    assert "DEBUG" not in body and "CSRF" not in body


@pytest.mark.django_db
def test_the_petition_form_comes_back_with_what_was_typed_and_a_fresh_token(strict_client):
    data = {
        "name": "陳小明",
        "email": "chen.xiaoming@example.com",
        "subject": "公司未給付加班費",
        "body": BODY,
        "consent": "on",
    }
    response = strict_client.post("/petitions/", data)
    assert response.status_code == 403
    page = response.content.decode()
    assert BODY in page
    assert 'value="公司未給付加班費"' in page
    assert 'value="chen.xiaoming@example.com"' in page
    assert "csrfmiddlewaretoken" in page
    assert "csrftoken" in response.cookies, "a fresh CSRF cookie comes with the page"
    with translation.override("zh-hant"):
        assert escape(str(RESUBMIT_MESSAGE)) in page
    assert not Petition.objects.exists(), "nothing is acted on when the check failed"


@pytest.mark.django_db
def test_the_progress_lookup_keeps_the_case_number(strict_client):
    response = strict_client.post(
        "/petitions/progress/", {"case_number": "115-000123", "query_code": "secret"}
    )
    assert response.status_code == 403
    page = response.content.decode()
    assert 'value="115-000123"' in page
    assert "secret" not in page, "the query code is a password field: never echoed"


@pytest.mark.browser
def test_in_chromium_an_expired_session_keeps_the_petition_text(
    live_server, open_page, category, tmp_path
):
    page = open_page(DESKTOP)
    page.goto(live_server.url + "/petitions/")
    png = tiny_png(tmp_path / "加班紀錄.png")
    fill_form(
        page,
        category=category,
        png_path=png,
        name="陳小明",
        email="chen.xiaoming@example.com",
        subject="公司未給付加班費",
        body=BODY,
    )
    page.context.clear_cookies()  # the session and its CSRF cookie expired meanwhile
    with page.expect_navigation():
        page.locator("form.pet-form button[type=submit]").click()
    with translation.override("zh-hant"):
        assert str(RESUBMIT_MESSAGE) in page.locator(".error-summary").inner_text()
    assert page.locator("#id_body").input_value() == BODY
    assert page.locator("#id_subject").input_value() == "公司未給付加班費"
    assert not Petition.objects.exists()

    # Sending again (files chosen again) works: the page brought a fresh token.
    page.locator("#id_attachments").set_input_files(str(png))
    if not page.locator("#id_consent").is_checked():
        page.locator("#id_consent").check()
    with page.expect_navigation():
        page.locator("form.pet-form button[type=submit]").click()
    assert page.url == live_server.url + "/petitions/submitted/"
    assert Petition.objects.filter(body=BODY).count() == 1
