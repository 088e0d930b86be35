"""The shared pages: public home, intranet home, login, statements and error pages."""

import re

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from core.views import error_500

pytestmark = pytest.mark.django_db

SET_LANGUAGE = "/i18n/setlang/"


@pytest.fixture(autouse=True)
def _no_second_factor(settings):
    """These tests are about the pages; staff users' second factor is tested with accounts."""
    settings.MFA_REQUIRED_FOR_STAFF = False


def h1_texts(html: str) -> list[str]:
    found = re.findall(r"<h1[^>]*>(.*?)</h1>", html, flags=re.S)
    return [re.sub(r"<[^>]+>|\s+", " ", h).strip() for h in found]


def test_public_home_is_in_traditional_chinese_by_default(client):
    response = client.get("/")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-Hant">' in html
    assert h1_texts(html) == ["勞動部線上服務"]
    assert "跳到主要內容" in html


def test_public_home_switches_to_english_and_the_language_cookie_persists(client):
    response = client.post(SET_LANGUAGE, {"language": "en", "next": "/"})

    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert client.cookies["mol_language"].value == "en"

    html = client.get("/").content.decode()
    assert '<html lang="en">' in html
    assert h1_texts(html) == ["Online services of the Ministry of Labor"]

    # And on the next request too: the cookie, not the POST, carries the choice.
    again = client.get(reverse("core:accessibility")).content.decode()
    assert '<html lang="en">' in again
    assert h1_texts(again) == ["Accessibility statement"]


def test_public_home_lists_public_tiles(client):
    html = client.get("/").content.decode()

    assert 'href="/public/accessibility/"' in html
    assert "隱私權政策" in html


def test_intranet_home_redirects_anonymous_user_to_login(client):
    response = client.get(reverse("core:intranet_home"))

    assert response.status_code == 302
    assert response.headers["Location"] == "/accounts/login/?next=/intranet/"


def test_intranet_home_greets_user_and_shows_their_tiles(
    client, make_user, django_assert_max_num_queries
):
    user = make_user(name_zh="陳怡明", job_title="科員")
    client.force_login(user)
    client.get(reverse("core:intranet_home"))  # once-per-session bookkeeping happens here

    # session, user, organisation unit of the user, the user's role assignments (read once
    # for every role check of the request, accounts.authz), the petitions tile's check for
    # cases assigned to the user, and the unread count of the header's notices badge
    with django_assert_max_num_queries(6):
        response = client.get(reverse("core:intranet_home"))

    assert response.status_code == 200
    html = response.content.decode()
    assert h1_texts(html) == ["陳怡明，您好"]
    tiles = response.context["tiles"]
    assert "core.api_docs" in [t.key for t in tiles]
    for tile in tiles:
        assert f'href="{tile.href()}"' in html
        assert str(tile.title) in html
    assert "資訊處" in html  # the user's unit
    assert "科員" in html


def test_administration_tile_is_hidden_from_non_staff(client, make_user):
    client.force_login(make_user())

    response = client.get(reverse("core:intranet_home"))

    assert "core.admin" not in [t.key for t in response.context["tiles"]]
    assert 'href="/admin/"' not in response.content.decode()


def test_administration_tile_and_link_show_to_staff(client, staff_user):
    client.force_login(staff_user)

    response = client.get(reverse("core:intranet_home"))

    assert "core.admin" in [t.key for t in response.context["tiles"]]
    assert response.content.decode().count('href="/admin/"') == 2  # navbar + tile


def test_intranet_logout_is_a_post_form(client, make_user):
    client.force_login(make_user())

    html = client.get(reverse("core:intranet_home")).content.decode()

    assert re.search(r'<form action="/accounts/logout/" method="post"', html)


def test_user_name_is_escaped_on_the_intranet_page(client, make_user):
    client.force_login(make_user(name_zh="<script>alert(1)</script>"))

    html = client.get(reverse("core:intranet_home")).content.decode()

    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.parametrize(
    ("path", "login"),
    [("/", False), ("/intranet/", True), ("/accounts/login/", False)],
)
def test_language_switch_form_is_on_every_page(client, make_user, path, login):
    if login:
        client.force_login(make_user())

    html = client.get(path).content.decode()

    form = re.search(r'<form class="language-switch" action="/i18n/setlang/".*?</form>', html, re.S)
    assert form, f"no language switch on {path}"
    assert 'name="csrfmiddlewaretoken"' in form.group(0)
    assert f'name="next" value="{path}"' in form.group(0)
    assert 'name="language" value="en"' in form.group(0)


def test_language_switch_keeps_the_query_string_of_the_page(client):
    html = client.get("/accounts/login/?next=/intranet/").content.decode()

    assert 'name="next" value="/accounts/login/?next=/intranet/"' in html


def test_login_page_has_labelled_fields_with_autocomplete(client):
    html = client.get(reverse("accounts:login")).content.decode()

    assert h1_texts(html) == ["同仁登入"]
    assert '<label class="form-label" for="id_username">帳號</label>' in html
    assert '<label class="form-label" for="id_password">密碼</label>' in html
    assert 'autocomplete="username"' in html
    assert 'autocomplete="current-password"' in html


def test_failed_login_is_announced(client, make_user):
    make_user(username="chen")

    response = client.post(reverse("accounts:login"), {"username": "chen", "password": "nope"})

    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="alert"' in html
    assert "登入失敗" in html
    assert "<title>錯誤: 同仁登入" in html


def test_login_through_the_form_lands_on_the_intranet(client, make_user, password):
    make_user(username="chen", name_zh="陳怡明")

    response = client.post(
        reverse("accounts:login"),
        {"username": "chen", "password": password, "next": "/intranet/"},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == "/intranet/"
    assert h1_texts(response.content.decode()) == ["陳怡明，您好"]


@pytest.mark.parametrize(
    ("name", "heading"),
    [("core:accessibility", "無障礙聲明"), ("core:privacy", "隱私權政策")],
)
def test_statement_pages_render_for_anonymous_users(client, name, heading):
    response = client.get(reverse(name))

    assert response.status_code == 200
    assert h1_texts(response.content.decode()) == [heading]


def test_accessibility_statement_names_the_target_and_how_to_report(client):
    html = client.get(reverse("core:accessibility")).content.decode()

    assert "WCAG" in html and "2.1 AA" in html
    assert 'id="report"' in html


def test_privacy_notice_lists_the_rights_under_the_act(client):
    html = client.get(reverse("core:privacy")).content.decode()

    for right in ["查詢或請求閱覽", "請求製給複製本", "請求補充或更正", "請求停止蒐集", "請求刪除"]:
        assert right in html


def test_footer_links_to_accessibility_and_privacy(client):
    html = client.get("/").content.decode()

    footer = html[html.index('<footer class="site-footer">') :]
    assert 'href="/public/accessibility/"' in footer
    assert 'href="/public/privacy/"' in footer


def test_not_found_page_is_bilingual(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    html = response.content.decode()
    assert "找不到網頁" in html
    assert "Page not found" in html
    assert len(h1_texts(html)) == 1


def test_not_found_page_is_bilingual_whatever_the_language(client):
    client.post(SET_LANGUAGE, {"language": "en", "next": "/"})

    html = client.get("/no-such-page/").content.decode()

    assert "找不到網頁" in html
    assert "Page not found" in html


@pytest.mark.parametrize(
    ("template", "zh", "en"),
    [
        ("403.html", "無權限存取", "Access denied"),
        ("404.html", "找不到網頁", "Page not found"),
        ("500.html", "系統發生錯誤", "Something went wrong"),
    ],
)
def test_error_pages_render_without_a_request(template, zh, en):
    html = render_to_string(template)

    assert zh in html
    assert en in html
    assert '<html lang="zh-Hant">' in html


def test_server_error_handler_renders_the_bilingual_page(rf):
    response = error_500(rf.get("/"))

    assert response.status_code == 500
    assert "系統發生錯誤" in response.content.decode()


def test_htmx_is_told_not_to_inject_inline_styles(client):
    html = client.get("/").content.decode()

    assert """<meta name="htmx-config" content='{"includeIndicatorStyles":false}'>""" in html


def test_pages_have_no_inline_styles_or_scripts(client, staff_user):
    client.force_login(staff_user)
    for path in ["/", "/intranet/", "/public/accessibility/", "/public/privacy/", "/nope/"]:
        html = client.get(path).content.decode()
        assert " style=" not in html, path
        assert "<style" not in html, path
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), path


def test_admin_is_branded(client, staff_user):
    client.force_login(staff_user)
    staff_user.is_superuser = True
    staff_user.save()

    html = client.get("/admin/").content.decode()

    assert "勞動部 · 入口網管理系統" in html
    assert "core/admin.css" in html
