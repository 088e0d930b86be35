# ruff: noqa: F811 - the fixtures imported from issue_support are arguments of the tests
"""The public archive (no login): the newsletters, each newsletter's published issues newest
first and paginated, each issue's page with its sanitised content, and the read API
``GET /api/v1/epaper/newsletters/{code}/issues/``."""

import re

import pytest

from epaper.models import Issue, IssueState

from .issue_support import (  # noqa: F401 - fixtures
    SITE,
    bulletin,
    make_issue,
    site,
    weekly,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def archive(weekly, site):
    """Three published issues of the weekly (oldest first) and one of each unpublished state."""
    published = [
        make_issue(weekly, "第一期", "<h1>一</h1><p>基本工資</p>", published_days_ago=21),
        make_issue(weekly, "第二期", "<h1>二</h1><p>職場霸凌</p>", published_days_ago=14),
        make_issue(
            weekly,
            "第三期",
            "<h1>三</h1><p>颱風假</p>",
            published_days_ago=7,
            state=IssueState.SENDING,
        ),
    ]
    make_issue(weekly, "草稿", "<p>draft</p>")
    make_issue(weekly, "排程中", "<p>scheduled</p>", state=IssueState.SCHEDULED)
    make_issue(weekly, "已取消", "<p>cancelled</p>", state=IssueState.CANCELLED)
    return published


def test_the_index_lists_every_newsletter_with_its_latest_issue(client, archive):
    page = client.get("/epaper/archive/")
    assert page.status_code == 200
    html = page.content.decode()
    for name in ("勞工電子週報", "台灣勞工簡訊", "勞動力發展署電子報"):
        assert name in html
    assert 'href="/epaper/archive/weekly/3/"' in html  # the latest
    assert 'href="/epaper/archive/weekly/rss/"' in html
    assert 'href="/epaper/archive/weekly/atom/"' in html
    assert "草稿" not in html


def test_a_newsletter_lists_only_published_issues_newest_first(client, archive):
    page = client.get("/epaper/archive/weekly/")
    assert page.status_code == 200
    html = page.content.decode()
    titles = re.findall(r"第[一二三]期", html)
    assert titles == ["第三期", "第二期", "第一期"]
    for hidden in ("草稿", "排程中", "已取消"):
        assert hidden not in html
    # The feeds are announced to browsers and readers.
    assert '<link rel="alternate" type="application/rss+xml"' in html
    assert 'href="/epaper/archive/weekly/atom/"' in html


def test_the_archive_is_paginated(client, weekly, site):
    for n in range(25):
        make_issue(weekly, f"第{n + 1}號", "<p>x</p>", published_days_ago=30 - n)
    first = client.get("/epaper/archive/weekly/").content.decode()
    second = client.get("/epaper/archive/weekly/?page=2").content.decode()
    assert "第25號" in first and "第6號" in first and "第5號" not in first
    assert "第5號" in second and "第1號" in second and "第25號" not in second
    assert 'href="?page=2"' in first
    assert client.get("/epaper/archive/weekly/?page=99").status_code == 200  # the last page


def test_an_issue_page_shows_the_sanitised_content_under_the_issue_title(client, archive):
    page = client.get("/epaper/archive/weekly/2/")
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count("<h1") == 1
    assert '<h1 id="issue-title">第二期</h1>' in html
    assert "<h2>二</h2>" in html  # the issue's own h1, one level down
    assert "職場霸凌" in html
    assert 'href="/epaper/archive/weekly/1/" rel="prev"' in html
    assert 'href="/epaper/archive/weekly/3/" rel="next"' in html
    assert f'<link rel="canonical" href="{SITE}/epaper/archive/weekly/2/">' in html
    # https images of other sites may show; scripts still may not run.
    policy = page["Content-Security-Policy"]
    assert "img-src 'self' data: https:" in policy
    assert "script-src 'self'" in policy


def test_content_written_around_the_services_is_cleaned_when_shown(client, archive):
    Issue.objects.filter(number=1).update(
        html='<p onclick="x()">舊</p><script>alert(1)</script><a href="javascript:x()">連</a>'
    )
    html = client.get("/epaper/archive/weekly/1/").content.decode()
    assert "alert(1)" not in html and "onclick" not in html and "javascript:" not in html
    assert "<p>舊</p>" in html


def test_our_images_are_shown_by_path_on_the_host_the_page_is_read_on(client, weekly, site):
    make_issue(
        weekly, "圖", '<p><img src="/epaper/assets/7/" alt="圖表"></p>', published_days_ago=1
    )
    issue = Issue.objects.get(title="圖")
    assert f'src="{SITE}/epaper/assets/7/"' in issue.html  # absolute in the mail
    html = client.get(f"/epaper/archive/weekly/{issue.number}/").content.decode()
    assert '<img src="/epaper/assets/7/" alt="圖表">' in html


@pytest.mark.parametrize(
    "path",
    [
        "/epaper/archive/weekly/4/",  # no such number
        "/epaper/archive/nosuch/",
        "/epaper/archive/nosuch/1/",
        "/epaper/archive/bulletin/1/",  # another newsletter's number
    ],
)
def test_unknown_or_unpublished_issues_are_not_found(client, archive, path):
    assert client.get(path).status_code == 404


def test_an_unpublished_issue_with_a_number_is_not_shown(client, archive, weekly):
    scheduled = Issue.objects.get(title="排程中")
    Issue.objects.filter(pk=scheduled.pk).update(number=9)
    assert client.get("/epaper/archive/weekly/9/").status_code == 404


def test_the_archive_needs_no_login_and_writes_nothing(client, archive):
    for path in ("/epaper/archive/", "/epaper/archive/weekly/", "/epaper/archive/weekly/1/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "/accounts/login/" not in response.get("Location", "")
    assert client.post("/epaper/archive/weekly/").status_code == 405


def test_the_archive_reads_a_bounded_number_of_queries(
    client, archive, django_assert_max_num_queries
):
    with django_assert_max_num_queries(6):
        client.get("/epaper/archive/")
    with django_assert_max_num_queries(6):
        client.get("/epaper/archive/weekly/")
    with django_assert_max_num_queries(8):
        client.get("/epaper/archive/weekly/2/")


def test_the_archive_speaks_english_too(client, archive):
    client.cookies["mol_language"] = "en"
    html = client.get("/epaper/archive/weekly/").content.decode()
    assert "Labor e-Weekly" in html
    assert 'lang="en"' in html


# --- API --------------------------------------------------------------------------------------


def test_the_api_lists_published_issues_newest_first_without_login(client, archive):
    response = client.get("/api/v1/epaper/newsletters/weekly/issues/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    rows = body["results"]
    assert [row["number"] for row in rows] == [3, 2, 1]
    first = rows[0]
    assert first["newsletter"] == "weekly"
    assert first["title"] == "第三期"
    assert first["url"] == f"{SITE}/epaper/archive/weekly/3/"
    assert first["html"] == "<h1>三</h1><p>颱風假</p>"
    assert first["text"] == "三\n==\n\n颱風假\n"
    assert first["published_at"]
    assert {"state", "recipients", "created_by", "id"}.isdisjoint(first)


def test_the_api_is_paginated(client, weekly, site):
    for n in range(3):
        make_issue(weekly, f"第{n + 1}號", "<p>x</p>", published_days_ago=10 - n)
    body = client.get("/api/v1/epaper/newsletters/weekly/issues/?page_size=2").json()
    assert body["count"] == 3 and len(body["results"]) == 2 and body["next"]
    body = client.get("/api/v1/epaper/newsletters/weekly/issues/?page=2&page_size=2").json()
    assert [row["title"] for row in body["results"]] == ["第1號"]


def test_the_api_answers_an_unknown_newsletter_in_the_error_shape(client, archive):
    response = client.get("/api/v1/epaper/newsletters/nosuch/issues/")
    assert response.status_code == 404
    error = response.json()["error"]
    assert error["status"] == 404 and error["code"] == "not_found"


def test_the_api_of_a_newsletter_without_issues_is_empty(client, bulletin, archive):
    body = client.get("/api/v1/epaper/newsletters/bulletin/issues/").json()
    assert body["count"] == 0 and body["results"] == []


def test_the_api_is_read_only(client, archive):
    response = client.post("/api/v1/epaper/newsletters/weekly/issues/", {"title": "x"})
    assert response.status_code in (403, 405)
    assert Issue.objects.count() == 6


def test_the_api_is_described_in_the_schema(client):
    schema = client.get("/api/schema/").content.decode()
    assert "/api/v1/epaper/newsletters/{code}/issues/:" in schema
    assert "PaginatedArchiveIssueList" in schema
