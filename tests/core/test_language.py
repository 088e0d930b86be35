"""The default language is zh-Hant whatever the browser asks for; the switch persists in the
``mol_language`` cookie; only ``/api/`` responses follow ``Accept-Language``."""

import pytest
from django.urls import reverse

from tests.language_support import english

pytestmark = pytest.mark.django_db

ENGLISH_BROWSER = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}


def test_an_english_browser_gets_the_pages_in_traditional_chinese(client):
    html = client.get("/", **ENGLISH_BROWSER).content.decode()
    assert '<html lang="zh-Hant">' in html
    assert "勞動部線上服務" in html

    login = client.get(reverse("accounts:login"), **ENGLISH_BROWSER)
    assert '<html lang="zh-Hant">' in login.content.decode()
    assert login.headers["Content-Language"] == "zh-hant"
    assert "Cookie" in login.headers["Vary"]


def test_the_switch_persists_in_the_cookie_whatever_the_browser_says(client):
    response = client.post(
        "/i18n/setlang/", {"language": "en", "next": "/"}, **{"HTTP_ACCEPT_LANGUAGE": "zh-TW"}
    )
    assert response.cookies["mol_language"].value == "en"
    assert response.cookies["mol_language"]["max-age"] == 365 * 24 * 60 * 60

    html = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-TW").content.decode()
    assert '<html lang="en">' in html

    client.post("/i18n/setlang/", {"language": "zh-hant", "next": "/"}, **ENGLISH_BROWSER)
    assert '<html lang="zh-Hant">' in client.get("/", **ENGLISH_BROWSER).content.decode()


def test_the_shared_helper_sets_the_cookie(client):
    html = english(client).get("/").content.decode()
    assert '<html lang="en">' in html


def test_an_unknown_cookie_value_falls_back_to_traditional_chinese(client):
    client.cookies["mol_language"] = "klingon"
    assert '<html lang="zh-Hant">' in client.get("/", **ENGLISH_BROWSER).content.decode()


def test_the_api_follows_accept_language(client, owner):
    client.force_login(owner)
    english_answer = client.get("/api/v1/organizations/NO-SUCH-UNIT/", **ENGLISH_BROWSER)
    chinese_answer = client.get(
        "/api/v1/organizations/NO-SUCH-UNIT/", HTTP_ACCEPT_LANGUAGE="zh-Hant"
    )

    assert english_answer.status_code == chinese_answer.status_code
    assert english_answer.json()["error"]["message"] != chinese_answer.json()["error"]["message"]
    assert english_answer.headers["Content-Language"] == "en"
    assert "Accept-Language" in english_answer.headers["Vary"]
