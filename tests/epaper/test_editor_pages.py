# ruff: noqa: F811 - the fixtures imported from issue_support are arguments of the tests
"""The editors' pages under /epaper/editor/ and the images of issues.

owner edits the weekly, colleague the bulletin, outsider nothing: each sees only the
newsletters they edit (others 404), from the pages, the image view and the admin.
"""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from freezegun import freeze_time

from accounts import authz
from epaper.models import Issue, IssueAsset, IssueState
from epaper.roles import MANAGER, editor_role
from epaper.selectors_archive import is_editor
from epaper.services.assets import asset_upload
from tests.accounts.mfa_support import force_login_verified

from .issue_support import (  # noqa: F401 - fixtures
    SITE,
    bulletin,
    editors,
    grant,
    make_issue,
    manager,
    media,
    png_bytes,
    png_upload,
    site,
    weekly,
)

pytestmark = pytest.mark.django_db

TAIPEI = ZoneInfo("Asia/Taipei")


@pytest.fixture
def draft(weekly, editors):
    owner, _c, _o = editors
    return make_issue(weekly, "週報草稿", "<h1>週報</h1><p>內容</p>", created_by=owner)


def login(client, user):
    client.force_login(user)
    return client


def editor_paths(issue):
    base = f"/epaper/editor/{issue.newsletter.code}/"
    return [
        base,
        f"{base}new/",
        f"{base}{issue.pk}/",
        f"{base}{issue.pk}/preview/",
        f"{base}{issue.pk}/schedule/",
    ]


# --- Who sees what ----------------------------------------------------------------------------


def test_the_editor_pages_need_a_login(client, draft, site):
    for path in ["/epaper/editor/", *editor_paths(draft)]:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/accounts/login/?next="), path


def test_an_outsider_gets_403_at_home_and_404_everywhere_else(client, draft, editors, site):
    _owner, _colleague, outsider = editors
    login(client, outsider)
    assert client.get("/epaper/editor/").status_code == 403
    for path in editor_paths(draft):
        assert client.get(path).status_code == 404, path


def test_an_editor_of_another_newsletter_sees_only_that_one(client, draft, editors, site):
    _owner, colleague, _outsider = editors
    login(client, colleague)
    home = client.get("/epaper/editor/").content.decode()
    assert 'href="/epaper/editor/bulletin/"' in home
    assert "/epaper/editor/weekly/" not in home
    for path in editor_paths(draft):
        assert client.get(path).status_code == 404, path
    # Nor through another newsletter's address.
    assert client.get(f"/epaper/editor/bulletin/{draft.pk}/").status_code == 404
    base = f"/epaper/editor/weekly/{draft.pk}/"
    for action in ("schedule/", "unschedule/", "cancel/", "images/", "test/"):
        assert client.post(base + action, {"now": "1"}).status_code == 404, action
    draft.refresh_from_db()
    assert draft.state == IssueState.DRAFT


def test_the_owner_and_a_manager_see_the_pages(client, draft, editors, manager, site):
    owner, _c, _o = editors
    for user in (owner, manager):
        force_login_verified(client, user)  # the manager's role is sensitive: second factor
        for path in ["/epaper/editor/", *editor_paths(draft)]:
            assert client.get(path).status_code == 200, (user, path)
    home = client.get("/epaper/editor/").content.decode()  # the manager: every newsletter
    assert 'href="/epaper/editor/weekly/"' in home and 'href="/epaper/editor/wda/"' in home


def test_the_intranet_tile_shows_for_editors_only(client, editors, site):
    owner, _c, outsider = editors
    login(client, outsider)
    assert 'href="/epaper/editor/"' not in client.get("/intranet/").content.decode()
    login(client, owner)
    assert 'href="/epaper/editor/"' in client.get("/intranet/").content.decode()


def test_the_tile_costs_no_query_for_someone_without_roles(outsider, django_assert_num_queries):
    authz.held_roles(outsider)  # read once per request, for every role check
    with django_assert_num_queries(0):
        assert not is_editor(outsider)


def test_the_admin_is_closed_to_editors_who_are_not_staff(client, draft, editors, site):
    owner, _c, _o = editors
    login(client, owner)
    response = client.get("/admin/epaper/issue/")
    assert response.status_code == 302
    assert "login" in response["Location"]


def _staff_with_issue_permissions(make_user, username, role):
    user = grant(make_user(username=username, is_staff=True), role)
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="epaper", codename__endswith="_issue")
    )
    return user


def test_the_admin_shows_issues_to_managers_only_and_never_writes_them(
    client, draft, make_user, site
):
    staff_editor = _staff_with_issue_permissions(make_user, "staff-editor", editor_role("weekly"))
    force_login_verified(client, staff_editor)
    assert client.get("/admin/epaper/issue/").status_code == 403
    assert client.get(f"/admin/epaper/issue/{draft.pk}/change/").status_code == 403
    staff_manager = _staff_with_issue_permissions(make_user, "staff-manager", MANAGER)
    force_login_verified(client, staff_manager)
    listing = client.get("/admin/epaper/issue/")
    assert listing.status_code == 200
    assert "週報草稿" in listing.content.decode()
    assert client.get("/admin/epaper/issue/add/").status_code == 403
    response = client.post(
        f"/admin/epaper/issue/{draft.pk}/change/", {"title": "改", "state": IssueState.SENT}
    )
    assert response.status_code == 403
    draft.refresh_from_db()
    assert (draft.title, draft.state) == ("週報草稿", IssueState.DRAFT)


# --- The list -------------------------------------------------------------------------------


def test_the_list_shows_every_issue_with_its_state_and_statistics(client, weekly, editors, site):
    owner, _c, _o = editors
    make_issue(weekly, "已寄出的一期", "<p>x</p>", published_days_ago=3)
    make_issue(weekly, "還是草稿", "<p>y</p>")
    login(client, owner)
    html = client.get("/epaper/editor/weekly/").content.decode()
    assert "已寄出的一期" in html and "還是草稿" in html
    row = re.search(r"<tr>(?:(?!</tr>).)*已寄出的一期.*?</tr>", html, re.S).group(0)
    cells = re.findall(r'<td class="text-end">(\d+)</td>', row)
    assert cells == ["120", "118", "2", "3"]  # recipients, sent, failed, bounced


# --- Writing ---------------------------------------------------------------------------------


def test_a_new_issue_starts_from_the_newsletter_template(client, editors, site):
    owner, _c, _o = editors
    login(client, owner)
    html = client.get("/epaper/editor/weekly/new/").content.decode()
    assert "&lt;h1&gt;勞工電子週報&lt;/h1&gt;" in html  # in the textarea


def test_creating_an_issue_sanitises_it_and_redirects_to_it(client, weekly, editors, site):
    owner, _c, _o = editors
    login(client, owner)
    response = client.post(
        "/epaper/editor/weekly/new/",
        {"title": "新的一期", "html": "<p onclick='x()'>你好</p><script>bad()</script>"},
    )
    issue = Issue.objects.get(title="新的一期")
    assert response.status_code == 302
    assert response["Location"] == f"/epaper/editor/weekly/{issue.pk}/"
    assert (issue.html, issue.text, issue.created_by) == ("<p>你好</p>", "你好\n", owner)


def test_a_refused_form_keeps_what_was_typed_and_names_the_field(client, editors, site):
    owner, _c, _o = editors
    login(client, owner)
    response = client.post(
        "/epaper/editor/weekly/new/", {"title": "", "html": "<p>我打了很久的內容</p>"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "我打了很久的內容" in html
    assert 'href="#id_title"' in html  # the error summary links to the field
    assert 'id="id_title_error"' in html
    assert Issue.objects.count() == 0


def test_editing_saves_and_a_sent_issue_is_read_only(client, draft, weekly, editors, site):
    owner, _c, _o = editors
    login(client, owner)
    response = client.post(
        f"/epaper/editor/weekly/{draft.pk}/", {"title": "改過的標題", "html": "<p>改</p>"}
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.title, draft.html) == ("改過的標題", "<p>改</p>")
    sent = make_issue(weekly, "寄出了", "<p>原</p>", published_days_ago=1)
    page = client.get(f"/epaper/editor/weekly/{sent.pk}/").content.decode()
    assert "<textarea" not in page
    assert f'href="/epaper/archive/weekly/{sent.number}/"' in page
    response = client.post(
        f"/epaper/editor/weekly/{sent.pk}/", {"title": "想改", "html": "<p>想改</p>"}
    )
    assert response.status_code == 302
    sent.refresh_from_db()
    assert sent.title == "寄出了"


def test_the_preview_shows_both_parts(client, draft, editors, site):
    owner, _c, _o = editors
    login(client, owner)
    html = client.get(f"/epaper/editor/weekly/{draft.pk}/preview/").content.decode()
    assert html.count("<h1") == 1
    assert "<h2>週報</h2>" in html  # the issue's h1 under the page's
    assert "週報\n====\n\n內容" in html  # the plain-text part


# --- Scheduling -----------------------------------------------------------------------------


@freeze_time("2026-03-05 01:00:00")
def test_scheduling_from_the_page(client, draft, editors, site):
    owner, _c, _o = editors
    login(client, owner)
    page = client.get(f"/epaper/editor/weekly/{draft.pk}/schedule/").content.decode()
    assert 'value="10:00"' in page  # the next full hour, Taipei time
    response = client.post(
        f"/epaper/editor/weekly/{draft.pk}/schedule/", {"day": "2026-03-06", "time": "08:30"}
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.state == IssueState.SCHEDULED
    assert draft.number == 1
    assert draft.scheduled_at == datetime(2026, 3, 6, 8, 30, tzinfo=TAIPEI)
    # Back to draft, then send now.
    assert client.post(f"/epaper/editor/weekly/{draft.pk}/unschedule/").status_code == 302
    draft.refresh_from_db()
    assert (draft.state, draft.scheduled_at) == (IssueState.DRAFT, None)
    client.post(f"/epaper/editor/weekly/{draft.pk}/schedule/", {"now": "1"})
    draft.refresh_from_db()
    assert draft.state == IssueState.SCHEDULED and draft.number == 1
    assert draft.scheduled_at == datetime(2026, 3, 5, 9, 0, tzinfo=TAIPEI)


@freeze_time("2026-03-05 01:00:00")
def test_a_time_in_the_past_is_refused_on_its_field(client, draft, editors, site):
    owner, _c, _o = editors
    login(client, owner)
    response = client.post(
        f"/epaper/editor/weekly/{draft.pk}/schedule/", {"day": "2026-03-04", "time": "08:30"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_day_error"' in html
    assert 'value="08:30"' in html
    draft.refresh_from_db()
    assert (draft.state, draft.number) == (IssueState.DRAFT, None)
    response = client.post(
        f"/epaper/editor/weekly/{draft.pk}/schedule/", {"day": "2026-03-06", "time": "25:00"}
    )
    assert response.status_code == 400
    assert 'id="id_time_error"' in response.content.decode()


def test_cancelling_from_the_page(client, draft, editors, site):
    owner, _c, _o = editors
    login(client, owner)
    assert client.post(f"/epaper/editor/weekly/{draft.pk}/cancel/").status_code == 302
    draft.refresh_from_db()
    assert draft.state == IssueState.CANCELLED
    assert client.get(f"/epaper/editor/weekly/{draft.pk}/schedule/").status_code == 302


def test_a_test_of_the_issue_goes_to_the_editor_only(client, draft, editors, site, mailoutbox):
    owner, colleague, _o = editors
    owner.email = "owner@mol.gov.tw"
    owner.save()
    login(client, colleague)
    assert client.post(f"/epaper/editor/weekly/{draft.pk}/test/").status_code == 404
    assert mailoutbox == []
    login(client, owner)
    response = client.post(f"/epaper/editor/weekly/{draft.pk}/test/", follow=True)
    assert response.redirect_chain == [(f"/epaper/editor/weekly/{draft.pk}/", 302)]
    [message] = mailoutbox
    assert message.to == ["owner@mol.gov.tw"]
    assert "週報草稿" in message.subject and "TEST" in message.subject
    assert "owner@mol.gov.tw" in response.content.decode()  # the confirmation names it
    draft.refresh_from_db()
    assert (draft.state, draft.recipients, draft.sent_count) == (IssueState.DRAFT, 0, 0)


def test_a_test_without_an_address_says_why(client, draft, editors, site, mailoutbox):
    owner, _c, _o = editors
    owner.email = ""
    owner.save()
    login(client, owner)
    response = client.post(f"/epaper/editor/weekly/{draft.pk}/test/", follow=True)
    assert 'role="alert"' in response.content.decode()
    assert mailoutbox == []


def test_actions_need_post(client, draft, editors, site):
    owner, _c, _o = editors
    login(client, owner)
    for action in ("unschedule/", "cancel/", "images/", "test/"):
        assert client.get(f"/epaper/editor/weekly/{draft.pk}/{action}").status_code == 405


# --- Images ---------------------------------------------------------------------------------


def test_an_image_uploaded_on_the_page_is_stored_and_its_code_shown(
    client, draft, editors, media, site
):
    owner, _c, _o = editors
    login(client, owner)
    response = client.post(
        f"/epaper/editor/weekly/{draft.pk}/images/",
        {"file": png_upload("統計圖.png"), "name": "就業人數統計圖"},
    )
    assert response.status_code == 302
    asset = IssueAsset.objects.get(issue=draft)
    assert asset.content_type == "image/png"
    assert asset.name == "就業人數統計圖"
    assert asset.file.name.startswith("epaper/") and "統計圖" not in asset.file.name
    page = client.get(f"/epaper/editor/weekly/{draft.pk}/").content.decode()
    assert f"&lt;img src=&quot;{SITE}/epaper/assets/{asset.pk}/&quot;" in page


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>x()</script></svg>'),
        ("report.png", b"%PDF-1.4 not an image"),
        ("photo.jpg", png_bytes()),  # a PNG with a JPEG name
        ("program.png", b"MZ\x90\x00 an executable"),
    ],
)
def test_only_png_jpeg_and_gif_by_content_are_accepted(
    client, draft, editors, media, site, name, content
):
    owner, _c, _o = editors
    login(client, owner)
    response = client.post(
        f"/epaper/editor/weekly/{draft.pk}/images/",
        {"file": SimpleUploadedFile(name, content, content_type="image/png")},
    )
    assert response.status_code == 400
    assert 'id="id_file_error"' in response.content.decode()
    assert not IssueAsset.objects.exists()


def test_an_image_over_the_size_limit_is_refused(draft, editors, media, site, settings):
    owner, _c, _o = editors
    settings.EPAPER_MAX_IMAGE_BYTES = 50
    with pytest.raises(ValidationError) as caught:
        asset_upload(issue=draft, upload=png_upload(), actor=owner)
    assert "file" in caught.value.message_dict
    assert not IssueAsset.objects.exists()


def test_a_draft_image_is_shown_to_its_editors_only(client, draft, editors, media, site):
    owner, colleague, outsider = editors
    asset = asset_upload(issue=draft, upload=png_upload(), actor=owner)
    path = f"/epaper/assets/{asset.pk}/"
    assert client.get(path).status_code == 404  # anonymous
    for user in (colleague, outsider):
        login(client, user)
        assert client.get(path).status_code == 404
    login(client, owner)
    response = client.get(path)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == png_bytes()
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["Content-Disposition"].startswith("inline")


def test_an_image_of_a_published_issue_is_public(client, draft, editors, media, site):
    owner, _c, _o = editors
    asset = asset_upload(issue=draft, upload=png_upload(), actor=owner)
    Issue.objects.filter(pk=draft.pk).update(
        state=IssueState.SENT, number=1, published_at=draft.created_at
    )
    response = client.get(f"/epaper/assets/{asset.pk}/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=86400"
    assert response["Cross-Origin-Resource-Policy"] == "cross-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert client.get("/epaper/assets/999999/").status_code == 404


def test_images_of_a_sent_issue_cannot_be_added_or_removed(client, draft, editors, media, site):
    owner, _c, _o = editors
    asset = asset_upload(issue=draft, upload=png_upload(), actor=owner)
    Issue.objects.filter(pk=draft.pk).update(state=IssueState.SENDING)
    login(client, owner)
    client.post(f"/epaper/editor/weekly/{draft.pk}/images/", {"file": png_upload()})
    client.post(f"/epaper/editor/weekly/{draft.pk}/images/{asset.pk}/delete/")
    assert list(IssueAsset.objects.values_list("pk", flat=True)) == [asset.pk]


def test_removing_an_image(client, draft, editors, media, site, django_capture_on_commit_callbacks):
    owner, colleague, _o = editors
    asset = asset_upload(issue=draft, upload=png_upload(), actor=owner)
    stored = media / asset.file.name
    assert stored.exists()
    login(client, colleague)
    delete = f"/epaper/editor/weekly/{draft.pk}/images/{asset.pk}/delete/"
    assert client.post(delete).status_code == 404
    login(client, owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(delete)
    assert response.status_code == 302
    assert not IssueAsset.objects.exists()
    assert not stored.exists()
