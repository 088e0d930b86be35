"""The paperless meeting screen in Chromium: a second screen follows the presenter without a
reload, a person can unfollow to browse and rejoin; axe-clean at 360 and 1280 px."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from meetings import services
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


@pytest.fixture
def screen_url(meeting, secretary, live_server):
    for title in ("業務報告", "臨時動議"):
        services.agenda_item_add(meeting=meeting, actor=secretary, title=title)
    return live_server.url + reverse("meetings:screen", args=[meeting.pk])


def shown(page) -> str:
    return page.locator("#mtg-screen").get_attribute("data-shown")


def test_the_second_screen_follows_the_presenter(
    screen_url, meeting, secretary, chair, password, live_server, open_page
):
    presenter = open_page(DESKTOP)
    log_in(presenter, live_server.url, secretary.username, password)
    presenter.goto(screen_url)
    follower = open_page(DESKTOP)
    log_in(follower, live_server.url, chair.username, password)
    follower.goto(screen_url)
    expect(follower.locator("#mtg-screen")).to_have_attribute("data-shown", "agenda")
    navigations = []
    follower.on("framenavigated", lambda frame: navigations.append(frame.url))

    first_item = meeting.items.order_by("order").first()
    presenter.keyboard.press("ArrowRight")
    assert shown(presenter) == f"item-{first_item.pk}"
    expect(follower.locator("#mtg-screen")).to_have_attribute(
        "data-shown", f"item-{first_item.pk}", timeout=8000
    )
    assert follower.locator(f"#slide-item-{first_item.pk}").is_visible()
    assert not follower.locator("#slide-agenda").is_visible()

    # The follower browses on their own: the screen stops following until they rejoin.
    follower.keyboard.press("ArrowLeft")
    assert follower.locator("#mtg-follow").get_attribute("aria-pressed") == "false"
    presenter.keyboard.press("ArrowRight")
    presenter.wait_for_timeout(2500)
    assert shown(follower) == "agenda"
    follower.locator("#mtg-follow").click()
    expect(follower.locator("#mtg-screen")).to_have_attribute(
        "data-shown", shown(presenter), timeout=8000
    )
    assert navigations == []  # never reloaded
    meeting.refresh_from_db()
    assert meeting.screen_slide == shown(presenter)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["360px", "1280px"])
def test_the_screen_is_accessible(screen_url, chair, password, live_server, open_page, viewport):
    page = open_page(viewport)
    log_in(page, live_server.url, chair.username, password)
    page.goto(screen_url)
    assert page.locator("h1").count() == 1
    check_no_horizontal_overflow(page, viewport, "meeting screen")
    check_axe(page, f"meeting screen at {viewport['width']}px")
