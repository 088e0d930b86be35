"""The shared look of forms, tables, dates, the intranet header, mail wording and /favicon.ico
(issue 8 item 21). Browser-side checks (layout at 360 px) are in test_browser_forms.py."""

import datetime as dt
import re
from io import StringIO
from pathlib import Path

import pytest
from django import forms
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.html import format_html

from accounts.models import Role, RoleAssignment
from core.localdates import local_date, local_datetime, local_month, parse_local_date
from core.registry import Tile, app_nav, tiles
from core.widgets import LocalDateInput
from petitions.demo import load_petitions
from petitions.models import ReplyTemplate
from petitions.roles import HANDLER
from tests.language_support import english

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_second_factor(settings):
    settings.MFA_REQUIRED_FOR_STAFF = False


class SampleForm(forms.Form):
    # A label holding a link, like the petition form's consent.
    agree = forms.BooleanField(
        label=format_html('I agree (<a href="{}">terms</a>)', "/x/"), required=True
    )
    upload = forms.FileField(label="File", required=False)
    kind = forms.ChoiceField(label="Kind", choices=[("a", "A"), ("b", "B")])
    text = forms.CharField(label="Text", widget=forms.Textarea)
    when = forms.DateField(label="When", widget=LocalDateInput())


def render_fields(form) -> str:
    return "".join(render_to_string("includes/field.html", {"field": f}) for f in form)


def tag(html: str, name: str) -> str:
    found = re.search(rf'<(?:input|select|textarea)[^>]*name="{name}"[^>]*>', html)
    assert found, f"no widget named {name}"
    return found.group(0)


def test_checkbox_sits_next_to_its_label_and_other_widgets_get_the_box_look():
    html = render_fields(SampleForm())

    checkbox = tag(html, "agree")
    assert 'class="form-check-input"' in checkbox and "form-control" not in checkbox
    # The checkbox and its label share one .form-check row.
    assert re.search(
        r'<div class="form-check">\s*<input[^>]*name="agree"[^>]*>\s*'
        r'<label class="form-check-label"',
        html,
    )
    assert 'class="form-control"' in tag(html, "upload")
    assert 'class="form-select"' in tag(html, "kind")
    assert 'class="form-control"' in tag(html, "text")


def test_the_stylesheet_no_longer_turns_every_input_into_a_block():
    css = (Path(settings.BASE_DIR) / "static/core/site.css").read_text(encoding="utf-8")
    assert not re.search(r"^\.form-field input\s*[,{]", css, flags=re.M)
    assert ".form-field .form-select" in css and ".form-field .form-check-input" in css


def test_the_error_summary_has_no_link_inside_a_link():
    form = SampleForm(data={})
    assert not form.is_valid()
    html = render_to_string("includes/error_summary.html", {"form": form})
    for link in re.findall(r"<a\b.*?</a>", html, flags=re.S):
        assert "<a" not in link[2:], f"nested link in {link}"
    assert 'href="#id_agree"' in html


def test_the_overdue_filter_on_documents_is_a_real_checkbox(client, owner):
    client.force_login(owner)
    html = client.get(reverse("documents:list")).content.decode()
    checkbox = tag(html, "overdue")
    assert 'type="checkbox"' in checkbox and "form-check-input" in checkbox
    assert re.search(
        r'<div class="form-check">\s*<input[^>]*name="overdue"[^>]*>\s*'
        r'<label class="form-check-label" for="id_overdue">',
        html,
    )


# --- One date rule ---------------------------------------------------------------------------
def test_dates_are_minguo_in_chinese_and_iso_in_english():
    day = dt.date(2026, 12, 2)
    with translation.override("zh-hant"):
        assert local_date(day) == "115/12/02"
        assert local_month(day) == "115/12"
        assert parse_local_date("115/12/2") == day
        assert parse_local_date("2026-12-02") == day
    with translation.override("en"):
        assert local_date(day) == "2026-12-02"
        assert local_month(day) == "2026-12"
        assert parse_local_date("115/12/02") is None
    moment = dt.datetime(2026, 12, 2, 1, 30, tzinfo=dt.UTC)  # 09:30 in Taipei
    with translation.override("zh-hant"):
        assert local_datetime(moment) == "115/12/02 09:30"


def test_date_inputs_show_and_read_the_same_format_as_the_page():
    class Form(forms.Form):
        when = forms.DateField(label="When", widget=LocalDateInput())

    with translation.override("zh-hant"):
        form = Form(data={"when": "115/3/5"})
        assert form.is_valid(), form.errors
        assert form.cleaned_data["when"] == dt.date(2026, 3, 5)
        html = render_fields(Form(initial={"when": dt.date(2026, 3, 5)}))
        assert 'type="text"' in tag(html, "when") and 'value="115/03/05"' in tag(html, "when")
        assert 'aria-describedby="id_when_format"' in tag(html, "when")
        assert "115/03/05" in html.split('id="id_when_format"')[1]
        assert not Form(data={"when": "03/05/2026"}).is_valid()
    with translation.override("en"):
        form = Form(data={"when": "2026-03-05"})
        assert form.is_valid()
        assert 'value="2026-03-05"' in render_fields(Form(initial={"when": dt.date(2026, 3, 5)}))


def test_the_register_search_takes_minguo_dates_in_chinese(client, owner):
    client.force_login(owner)
    response = client.get(reverse("documents:list"), {"registered_from": "115/1/1"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'type="date"' not in html
    assert 'value="115/01/01"' in tag(html, "registered_from")
    assert "field-error" not in html

    english(client)
    html = client.get(reverse("documents:list"), {"registered_from": "2026-01-01"}).content
    assert 'value="2026-01-01"' in tag(html.decode(), "registered_from")


def test_no_page_template_formats_dates_by_hand():
    root = Path(settings.BASE_DIR) / "templates"
    offenders = [
        str(path.relative_to(root))
        for folder in (
            "petitions",
            "accounts",
            "documents",
            "notifications",
            "core",
            "includes",
            "public",
        )
        for path in (root / folder).rglob("*.*")
        if re.search(r'\|date:"Y-m-d', path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


# --- The intranet header ---------------------------------------------------------------------
def header(html: str) -> str:
    return html.split('<nav class="site-nav"', 1)[1].split("</nav>", 1)[0]


def test_the_intranet_header_lists_every_application_the_person_may_use(client, owner, outsider):
    RoleAssignment.objects.create(user=owner, role=authz_role(HANDLER))
    client.force_login(owner)
    nav = header(client.get(reverse("documents:list")).content.decode())
    for url_name in ("core:intranet_home", "documents:list", "documents:pending"):
        assert f'href="{reverse(url_name)}"' in nav
    assert f'href="{reverse("petitions:staff:triage")}"' in nav
    # The current application is marked.
    assert re.search(rf'href="{reverse("documents:list")}" aria-current="page"', nav)
    assert nav.count('aria-current="page"') == 1

    client.force_login(outsider)
    nav = header(client.get(reverse("core:intranet_home")).content.decode())
    assert f'href="{reverse("petitions:staff:triage")}"' not in nav
    assert re.search(rf'href="{reverse("core:intranet_home")}" aria-current="page"', nav)


def authz_role(code):
    return Role.objects.get(code=code, application__isnull=True)


def test_a_new_app_is_in_the_header_once_it_registers_a_tile(rf, owner):
    tiles.register(
        Tile(key="test.app", surface=Tile.INTRANET, title="Test app", url="/test-app/", icon="x")
    )
    tiles.register(
        Tile(
            key="test.hidden",
            surface=Tile.INTRANET,
            title="Hidden",
            url="/hidden/",
            in_nav=False,
        )
    )
    try:
        request = rf.get("/test-app/page/")
        request.user = owner
        entries = app_nav.for_request(request)
        titles = [e.title for e in entries]
        assert "Test app" in titles and "Hidden" not in titles
        assert [e.title for e in entries if e.current] == ["Test app"]
    finally:
        tiles.unregister("test.app")
        tiles.unregister("test.hidden")


# --- Sub-navigation, statistics, favicon ----------------------------------------------------
def test_sub_navigation_marks_the_current_page(client, owner):
    html = client.get(reverse("petitions:statistics")).content.decode()
    assert re.search(rf'href="{reverse("petitions:statistics")}"\s+aria-current="page"', html)
    client.force_login(owner)
    html = client.get(reverse("documents:delegations")).content.decode()
    assert re.search(rf'href="{reverse("documents:delegations")}"\s*aria-current="page"', html)


def test_public_statistics_tables_look_like_the_other_tables(client):
    html = client.get(reverse("petitions:statistics")).content.decode()
    tables = re.findall(r"<table[^>]*>", html)
    assert len(tables) == 3
    assert all('class="table ' in t for t in tables)


@pytest.mark.parametrize("login", [False, True])
def test_favicon_ico_is_served_on_every_surface(client, owner, login):
    if login:
        client.force_login(owner)
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.headers["Content-Type"] in {"image/x-icon", "image/vnd.microsoft.icon"}
    assert b"".join(response.streaming_content)[:4] == b"\x00\x00\x01\x00"


# --- Mail wording -----------------------------------------------------------------------------
class _Petition:
    citizen_name = "張美玲"
    case_number = "1150000001"
    reply_text = "依勞動基準法規定辦理。"
    subject = "加班費"
    handling_unit = "勞動條件及就業平等司"
    handler = "黃淑芬"
    deadline = dt.date(2026, 12, 10)


@pytest.mark.parametrize(
    "template", ["reply.txt", "case_number.txt", "received.txt", "reminder.txt"]
)
def test_chinese_mail_uses_full_width_colons_and_minguo_dates(template):
    with translation.override("zh-hant"):
        text = render_to_string(
            f"petitions/emails/{template}",
            {"petition": _Petition(), "query_code": "ABCD", "link": "https://x/", "overdue": 1},
        )
    assert not re.search(r"[\u4e00-\u9fff]: ", text), text
    assert "2026-12-10" not in text
    if template == "reminder.txt":
        assert "115/12/10" in text


def test_the_reply_mail_has_one_greeting_and_english_keeps_ascii_colons():
    with translation.override("en"):
        text = render_to_string("petitions/emails/reply.txt", {"petition": _Petition()})
    assert text.count("Dear") == 1
    assert "Case number: 1150000001" in text


def test_the_demo_has_reply_templates_without_their_own_greeting():
    load_petitions(StringIO())
    load_petitions(StringIO())  # idempotent
    bodies = list(ReplyTemplate.objects.values_list("body", flat=True))
    assert len(bodies) >= 3
    for body in bodies:
        assert not re.match(r"\s*(您好|.{0,10}君?您好|Dear)", body)
        assert "回覆" not in body
