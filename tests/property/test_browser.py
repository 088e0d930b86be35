"""The property pages in Chromium: axe-core (no serious or critical violation) at 360 and
1280 px, one h1, no sideways scroll on a phone — for an officer who sees every page."""

import pytest
from django.urls import reverse

from tests.browser_support import DESKTOP, PHONE, check_axe, check_no_horizontal_overflow, log_in

from .factories import acquire, items_of, make_consolidator, make_head, make_officer, unit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def officer_world(make_user, password):
    officer = make_officer(make_user(username="officer", organization=unit("SEC")), "MOL-HQ")
    make_consolidator(officer)
    make_head(make_user(username="sec-head", organization=unit("SEC")), "SEC")
    movement = acquire(officer, custodian=officer, count=3)
    return officer, password, items_of(movement)[0], movement


def test_the_property_pages_are_accessible_at_360_and_1280(live_server, open_page, officer_world):
    officer, password, item, movement = officer_world
    urls = [
        reverse("property:custody"),
        reverse("property:items"),
        reverse("property:item", args=[item.pk]),
        reverse("property:transfer-start"),
        reverse("property:scrap-start"),
        reverse("property:value-change-start"),
        reverse("property:sale-start"),
        reverse("property:acquisition-start"),
        reverse("property:movements"),
        reverse("property:movement", args=[movement.pk]),
        reverse("property:stocktakes"),
        reverse("property:item-import"),
        reverse("property:balance") + "?register=property&date_from=114/01/01&date_to=114/12/31",
        reverse("property:consolidations"),
    ]
    problems = []
    for viewport in (DESKTOP, PHONE):
        page = open_page(viewport)
        log_in(page, live_server.url, officer.username, password)
        for url in urls:
            response = page.goto(live_server.url + url)
            label = f"{url} at {viewport['width']}px"
            assert response is not None and response.status == 200, label
            if page.locator("h1").count() != 1:
                problems.append(f"{label}: not one h1")
            for check, args in (
                (check_axe, (page, label)),
                (check_no_horizontal_overflow, (page, viewport, label)),
            ):
                try:
                    check(*args)
                except AssertionError as failure:
                    problems.append(str(failure))
    assert problems == [], "\n".join(problems)
