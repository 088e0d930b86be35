"""The monitoring edit pages in Chromium: axe-core (no serious or critical violation) at 360
and 1280 px, one h1, no sideways scroll, for a manager who reaches every one of them (checks,
contact rules, alert texts, maintenance windows, on-call rotas, application groups, and the
delete pages of each); and an invalid contact rule with two steps comes back with everything
typed and the field named."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from accounts.models import Role
from monitoring.choices import CheckKind
from monitoring.models import (
    ApplicationGroup,
    ContactRule,
    EscalationStep,
    MaintenanceWindow,
    OnCallShift,
)
from monitoring.roles import MANAGER
from monitoring.services.checks import check_create
from tests.accounts.factories import unit
from tests.browser_support import DESKTOP, PHONE, check_axe, check_no_horizontal_overflow, log_in
from tests.language_support import english_context

from .conftest import grant

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(make_user, password, settings):
    """A manager (the second factor has its own browser tests), a group with an HTTP check
    and a heartbeat, an empty group (deletable), a contact rule with one step, a maintenance
    window and an on-call shift."""
    settings.MFA_REQUIRED_FOR_STAFF = False
    manager = make_user(username="mon-boss")
    grant(manager, MANAGER)
    Role.objects.filter(code=MANAGER).update(is_sensitive=False)
    group = ApplicationGroup.objects.create(
        code="bli", name_zh="勞保局系統", name_en="BLI systems", unit=unit("IM")
    )
    web = check_create(
        actor=None, group=group, name="勞保網站", kind=CheckKind.HTTP, url="https://www.bli.gov.tw/"
    )
    beat = check_create(actor=None, group=group, name="夜間備份", kind=CheckKind.HEARTBEAT)
    rule = ContactRule.objects.create(name="資訊處值班", repeat=1)
    first = EscalationStep.objects.create(rule=rule, order=1, wait_minutes=0, email=True)
    first.users.set([manager])
    window = MaintenanceWindow.objects.create(
        title="每週更新", starts_at=web.created_at, ends_at=web.created_at.replace(year=2100)
    )
    window.groups.set([group])
    empty = ApplicationGroup.objects.create(code="spare", name_zh="備用系統", name_en="Spare")
    shift = OnCallShift.objects.create(
        rota="im-night",
        user=manager,
        starts_at=web.created_at - timedelta(hours=1),
        ends_at=web.created_at + timedelta(hours=11),
    )
    return {
        "group": group,
        "empty": empty,
        "shift": shift,
        "manager": manager,
        "password": password,
        "web": web,
        "beat": beat,
        "rule": rule,
        "window": window,
    }


def test_the_edit_pages_are_accessible_at_360_and_1280(live_server, open_page, world):
    web, beat, rule, window = world["web"], world["beat"], world["rule"], world["window"]
    group, empty, shift = world["group"], world["empty"], world["shift"]
    urls = [
        "/monitoring/",
        "/monitoring/checks/new/",
        f"/monitoring/checks/{web.pk}/edit/",
        f"/monitoring/checks/{web.pk}/delete/",
        f"/monitoring/checks/{beat.pk}/",
        "/monitoring/rules/",
        "/monitoring/rules/new/",
        f"/monitoring/rules/{rule.pk}/",
        f"/monitoring/rules/{rule.pk}/delete/",
        "/monitoring/alert-texts/",
        "/monitoring/alert-texts/down/",
        "/monitoring/maintenance/",
        "/monitoring/maintenance/new/",
        f"/monitoring/maintenance/{window.pk}/",
        f"/monitoring/maintenance/{window.pk}/delete/",
        "/monitoring/rotas/",
        "/monitoring/rotas/new/",
        f"/monitoring/rotas/{shift.pk}/",
        f"/monitoring/rotas/{shift.pk}/delete/",
        "/monitoring/groups/",
        "/monitoring/groups/new/",
        f"/monitoring/groups/{group.pk}/",
        f"/monitoring/groups/{group.pk}/delete/",
        f"/monitoring/groups/{empty.pk}/delete/",
    ]
    problems = []
    for viewport in (DESKTOP, PHONE):
        page = open_page(viewport)
        log_in(page, live_server.url, world["manager"].username, world["password"])
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
        # A group that still has checks is refused: the page comes back with the reason.
        page.goto(f"{live_server.url}/monitoring/groups/{group.pk}/delete/")
        with page.expect_navigation() as refused:
            page.locator("main form button.btn-danger").click()
        label = f"refused group delete at {viewport['width']}px"
        assert refused.value.status == 400, label
        expect(page.locator(".error-summary")).to_be_visible()
        for check, args in (
            (check_axe, (page, label)),
            (check_no_horizontal_overflow, (page, viewport, label)),
        ):
            try:
                check(*args)
            except AssertionError as failure:
                problems.append(str(failure))
    assert ApplicationGroup.objects.filter(pk=group.pk).exists()
    assert problems == [], "\n".join(problems)


def test_an_invalid_rule_with_two_steps_keeps_what_was_typed(live_server, open_page, world):
    rule = world["rule"]
    page = open_page(DESKTOP)
    log_in(page, live_server.url, world["manager"].username, world["password"])
    english_context(page.context)
    page.goto(f"{live_server.url}/monitoring/rules/{rule.pk}/")
    page.locator("#id_name").fill("夜間值班 <b>night</b>")
    page.locator("#id_hours").select_option("night")
    page.locator("#id_steps-0-wait_minutes").fill("5")
    page.locator("#id_steps-1-wait_minutes").fill("15")
    page.locator("#id_steps-1-role").fill("no.such.role")
    page.locator("#id_steps-1-sms").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("Step 2, Role")
    expect(summary).to_contain_text("There is no portal role with this code.")
    expect(page.locator("#id_steps-1-role_error")).to_be_visible()
    expect(page.locator("#id_name")).to_have_value("夜間值班 <b>night</b>")
    expect(page.locator("#id_hours")).to_have_value("night")
    expect(page.locator("#id_steps-0-wait_minutes")).to_have_value("5")
    expect(page.locator("#id_steps-1-wait_minutes")).to_have_value("15")
    expect(page.locator("#id_steps-1-role")).to_have_value("no.such.role")
    expect(page.locator("#id_steps-1-sms")).to_be_checked()
    selected = page.locator("#id_steps-0-users option:checked")
    expect(selected).to_have_count(1)
    rule.refresh_from_db()
    assert rule.name == "資訊處值班" and rule.steps.count() == 1  # nothing saved
