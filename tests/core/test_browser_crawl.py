"""Every intranet page a demo staff member reaches, crawled in a real Chromium.

The demo is loaded (``seed_demo``: the loaders of every app's ``demo.py``), a demo staff member
signs in, and the crawl follows the links of the intranet home and of every page it reaches:
same origin, GET only (it only follows ``<a href>``), a bounded depth and number of pages,
never a logout or a download. Every page must answer without a server error, have exactly one
``<h1>``, pass axe-core with no serious or critical violation at 360 and 1280 px, not scroll
sideways at 360 px, and mark the current page in its sub-navigation (``aria-current``).

A new app is held to this as soon as its pages are linked from the intranet (its tile, the
header navigation). Surfaces that are not intranet pages are left out by prefix, each with the
reason, in ``SKIPPED_PREFIXES``.
"""

from collections import deque
from io import StringIO
from urllib.parse import urldefrag, urljoin, urlparse

import pytest
from django.core.management import call_command
from playwright.sync_api import Error as PlaywrightError

from tests.browser_support import (
    DESKTOP,
    PHONE,
    check_axe,
    check_no_horizontal_overflow,
    log_in,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

DEMO_PASSWORD = "mol-demo-2026"
# The demo staff member: petitions supervisor and dispatcher, head of two units (sign-offs).
DEMO_STAFF = "lin.meihua"
MAX_DEPTH = 3
MAX_PAGES = 60
MAX_VARIANTS_PER_PATH = 2  # the same page with other query strings (filters, pages)

SKIPPED_PREFIXES = {
    "/admin/": "the Django admin has its own look and checks",
    "/api/": "machine interfaces (JSON, the Swagger UI)",
    "/o/": "the OpenID Connect protocol endpoints",
    "/static/": "files",
    "/media/": "files",
    "/i18n/": "the language switch is a POST form",
    "/accounts/logout/": "ends the session",
    "/accounts/launcher/open/": "sends the browser on to another application",
    "/public/": "public statements, crawled by test_browser.py",
}
# Files and feeds (RSS/Atom are XML for feed readers, checked by tests/epaper).
DOWNLOAD_HINTS = (
    "/export",
    "/download",
    ".csv",
    ".pdf",
    ".xlsx",
    "/attachments/",
    "/rss/",
    "/atom/",
)


@pytest.fixture(autouse=True)
def _demo_without_second_factor(settings):
    """The pages are under test; the second factor has its own browser tests."""
    settings.MFA_REQUIRED_FOR_STAFF = False
    settings.EMBEDDED = True


@pytest.fixture
def demo(transactional_db):
    call_command("seed_demo", stdout=StringIO())


def crawlable(url: str, origin: str) -> bool:
    parsed = urlparse(url)
    if f"{parsed.scheme}://{parsed.netloc}" != origin:
        return False
    path = parsed.path
    if any(path.startswith(prefix) for prefix in SKIPPED_PREFIXES):
        return False
    return not any(hint in path for hint in DOWNLOAD_HINTS)


def page_links(page) -> list[str]:
    return page.evaluate(
        """() => Array.from(document.querySelectorAll('a[href]'))
            .filter(a => !a.hasAttribute('download'))
            .map(a => a.href)"""
    )


def check_one_h1(page, label: str):
    count = page.locator("h1").count()
    assert count == 1, f"{label} has {count} <h1> elements"


def check_current_page_marked(page, label: str):
    """A link of the header navigation or of a page's sub-navigation to the page itself says
    so (aria-current="page")."""
    unmarked = page.evaluate(
        """() => Array.from(document.querySelectorAll('.site-nav-links a[href], main nav a[href]'))
            .filter(a => a.pathname === location.pathname && a.search === location.search
                         && a.hash === '' && a.getAttribute('aria-current') !== 'page')
            .map(a => a.textContent.trim())"""
    )
    assert unmarked == [], f"{label}: links to the current page without aria-current: {unmarked}"


def leaves_the_portal(page, url: str, base: str) -> bool:
    """Whether ``url`` redirects, in one hop or several, to another site (an application, a
    notice's own link)."""
    for _hop in range(5):
        answer = page.context.request.get(url, max_redirects=0)
        if not 300 <= answer.status < 400:
            return False
        url = urljoin(url, answer.headers.get("location", ""))
        if not url.startswith(base + "/"):
            return True
    return False


def visit(page, url: str, base: str, problems: list):
    """Open ``url``; None when it leaves the portal or cannot be opened (recorded).

    A navigation that fails inside the portal is tried once more before it counts: Chromium
    reports a connection the test server dropped under load the same way as a page that
    cannot be reached, and the second try tells the two apart."""
    for attempt in (1, 2):
        try:
            return page.goto(url)
        except PlaywrightError as error:
            if leaves_the_portal(page, url, base):
                return None
            if attempt == 2:
                problems.append(f"{url}: {error.message.splitlines()[0]}")
    return None


def record(problems: list, check, *args):
    """Run one check; a failure is recorded so that one run reports every page's problems."""
    try:
        check(*args)
    except AssertionError as failure:
        problems.append(str(failure))


def crawl(page, base: str, problems: list) -> list[str]:
    """Breadth-first from the intranet home; returns the URLs visited (checks at 1280 px)."""
    seen: set[str] = set()
    variants: dict[str, int] = {}
    queue = deque([(base + "/intranet/", 0)])
    visited = []
    while queue and len(visited) < MAX_PAGES:
        url, depth = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        path = urlparse(url).path
        if variants.get(path, 0) >= MAX_VARIANTS_PER_PATH:
            continue
        variants[path] = variants.get(path, 0) + 1
        response = visit(page, url, base, problems)
        if response is None:
            continue
        assert response is not None, url
        if response.status >= 500:
            problems.append(f"{url} answered {response.status}")
            continue
        if not page.url.startswith(base) or "/accounts/login/" in page.url:
            continue
        label = f"{urlparse(url).path}{'?' + urlparse(url).query if urlparse(url).query else ''}"
        visited.append(url)
        record(problems, check_one_h1, page, label)
        record(problems, check_current_page_marked, page, label)
        record(problems, check_axe, page, f"{label} at {DESKTOP['width']}px")
        if depth < MAX_DEPTH:
            for link in page_links(page):
                link = urldefrag(urljoin(page.url, link)).url
                if link not in seen and crawlable(link, base):
                    queue.append((link, depth + 1))
    return visited


# Up to MAX_PAGES pages, each checked by axe-core at two widths: longer than the suite's 300 s.
@pytest.mark.timeout(1500)
def test_every_intranet_page_of_a_demo_staff_member_is_accessible(demo, live_server, open_page):
    base = live_server.url
    desktop = open_page(DESKTOP)
    log_in(desktop, base, DEMO_STAFF, DEMO_PASSWORD)
    assert desktop.url == base + "/intranet/"

    problems: list[str] = []
    visited = crawl(desktop, base, problems)
    paths = {urlparse(u).path for u in visited}
    # The crawl reached every app the demo staff member uses.
    for expected in ("/intranet/", "/documents/", "/documents/pending/", "/petitions/staff/"):
        assert expected in paths, f"the crawl never reached {expected}: {sorted(paths)}"
    assert any(
        p.startswith("/documents/") and p.rstrip("/").split("/")[-1].isdigit() for p in paths
    )
    assert len(visited) >= 15, sorted(paths)

    phone = open_page(PHONE)
    log_in(phone, base, DEMO_STAFF, DEMO_PASSWORD)
    for url in visited:
        response = phone.goto(url)
        assert response is not None and response.status < 500, url
        label = urlparse(url).path
        record(problems, check_no_horizontal_overflow, phone, PHONE, label)
        record(problems, check_axe, phone, f"{label} at {PHONE['width']}px")
    assert problems == [], f"{len(problems)} problems on {len(visited)} pages:\n" + "\n".join(
        problems
    )
