# ruff: noqa: F811 - the fixtures imported from issue_support are arguments of the tests
"""The RSS 2.0 and Atom feeds of each newsletter: valid (feedparser reads them without
complaint), published issues only, newest first, absolute stable links."""

import feedparser
import pytest

from epaper.models import IssueState

from .issue_support import SITE, make_issue, site, weekly  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db


@pytest.fixture
def issues(weekly, site):
    make_issue(weekly, "第一期：基本工資", "<h1>一</h1><p>月薪29,500元</p>", published_days_ago=14)
    make_issue(
        weekly,
        "第二期：颱風假",
        '<h1>二</h1><p>停班停課 <a href="https://www.mol.gov.tw/">詳見</a></p>'
        '<p><img src="/epaper/assets/3/" alt="圖"></p>',
        published_days_ago=7,
    )
    make_issue(weekly, "草稿不出現", "<p>draft</p>")
    make_issue(weekly, "排程不出現", "<p>later</p>", state=IssueState.SCHEDULED)


def parse(client, path):
    response = client.get(path)
    assert response.status_code == 200
    return response, feedparser.parse(response.content)


@pytest.mark.parametrize(
    ("path", "content_type", "version"),
    [
        ("/epaper/archive/weekly/rss/", "application/rss+xml", "rss20"),
        ("/epaper/archive/weekly/atom/", "application/atom+xml", "atom10"),
    ],
)
def test_the_feeds_are_valid_with_published_issues_newest_first(
    client, issues, path, content_type, version
):
    response, feed = parse(client, path)
    assert response["Content-Type"].startswith(content_type)
    assert feed.bozo is False, feed.get("bozo_exception")
    assert feed.version == version
    assert feed.feed.title == "勞工電子週報"
    assert feed.feed.link == f"{SITE}/epaper/archive/weekly/"
    # "No. 2: ..." (the prefix is translated: 第 2 期).
    titles = [entry.title for entry in feed.entries]
    assert len(titles) == 2
    assert titles[0].endswith("第二期：颱風假") and "2" in titles[0]
    assert titles[1].endswith("第一期：基本工資") and "1" in titles[1]
    newest = feed.entries[0]
    assert newest.link == f"{SITE}/epaper/archive/weekly/2/"
    assert newest.id == f"{SITE}/epaper/archive/weekly/2/"
    assert newest.published_parsed is not None
    summary = newest.summary
    assert "停班停課" in summary
    assert 'href="https://www.mol.gov.tw/"' in summary
    assert f'src="{SITE}/epaper/assets/3/"' in summary  # absolute for feed readers
    assert all(link.startswith("https://") for e in feed.entries for link in (e.link, e.id))


def test_the_atom_feed_names_itself_and_the_rss_feed_links_home(client, issues):
    _response, atom = parse(client, "/epaper/archive/weekly/atom/")
    self_links = [link.href for link in atom.feed.links if link.rel == "self"]
    assert self_links == [f"{SITE}/epaper/archive/weekly/atom/"]
    _response, rss = parse(client, "/epaper/archive/weekly/rss/")
    assert rss.feed.link == f"{SITE}/epaper/archive/weekly/"


def test_links_use_the_requested_host_when_no_site_url_is_set(client, issues, settings):
    settings.SITE_URL = ""
    _response, feed = parse(client, "/epaper/archive/weekly/rss/")
    assert feed.entries[0].link == "http://testserver/epaper/archive/weekly/2/"


def test_a_newsletter_without_issues_has_a_valid_empty_feed(client, site):
    _response, feed = parse(client, "/epaper/archive/bulletin/atom/")
    assert feed.bozo is False
    assert feed.entries == []


def test_an_unknown_newsletter_has_no_feed(client, site):
    assert client.get("/epaper/archive/nosuch/rss/").status_code == 404
    assert client.get("/epaper/archive/nosuch/atom/").status_code == 404


def test_feeds_need_no_login(client, issues):
    response = client.get("/epaper/archive/weekly/rss/")
    assert response.status_code == 200
    assert "草稿不出現" not in response.content.decode()
