# ruff: noqa: F811 - the fixtures imported from subscriber_support are arguments of the tests
"""Leaving and changing without a login: the RFC 8058 one-click unsubscribe (POST with the body
``List-Unsubscribe=One-Click``, no cookie, no CSRF token), its page with one button, the signed
preferences page (change lists, leave all; a tampered link refused), and "mail me my link"
(the same answer for any address)."""

import time

import pytest
from django.core import mail
from django.core.signing import dumps
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from epaper.models import (
    DeliveryState,
    Issue,
    IssueDelivery,
    IssueState,
    Newsletter,
    Subscriber,
    SubscriberState,
)
from epaper.services import links, subscriptions
from notifications.models import Delivery

from .subscriber_support import (  # noqa: F401 - fixtures
    commit,
    manager,
    path_of,
    preferences_link,
    states,
    subscribed,
)

pytestmark = pytest.mark.django_db

ONE_CLICK = "List-Unsubscribe=One-Click"


@pytest.fixture
def chen():
    return subscribed("chen@example.com", "weekly", "statistics", "bli")


@pytest.fixture
def lin():
    return subscribed("lin@example.com", "weekly", "statistics")


def weekly():
    return Newsletter.objects.get(code="weekly")


def one_click(client, url, **extra):
    return client.post(
        url, data=ONE_CLICK, content_type="application/x-www-form-urlencoded", **extra
    )


# --- RFC 8058 one-click ------------------------------------------------------------------------


def test_one_click_leaves_only_that_newsletter_of_only_that_address(chen, lin):
    client = Client(enforce_csrf_checks=True)  # no cookie, no token: like a mail client
    url = reverse("epaper:unsubscribe", args=[links.unsubscribe_token(chen, weekly())])
    started = time.monotonic()
    response = one_click(client, url)
    assert time.monotonic() - started < 1.0
    assert response.status_code == 200
    assert not response.cookies, "the answer sets no cookie"
    assert states(chen) == {"weekly": "unsubscribed", "statistics": "confirmed", "bli": "confirmed"}
    assert states(lin) == {"weekly": "confirmed", "statistics": "confirmed"}
    assert chen.subscriptions.get(newsletter__code="weekly").unsubscribed_at is not None


def test_one_click_as_multipart_form_data_works_too(chen):
    client = Client(enforce_csrf_checks=True)
    url = reverse("epaper:unsubscribe", args=[links.unsubscribe_token(chen, weekly())])
    response = client.post(url, {"List-Unsubscribe": "One-Click"})  # multipart/form-data
    assert response.status_code == 200
    assert states(chen)["weekly"] == "unsubscribed"


def test_one_click_twice_is_still_200_and_changes_nothing_more(chen):
    client = Client(enforce_csrf_checks=True)
    url = reverse("epaper:unsubscribe", args=[links.unsubscribe_token(chen, weekly())])
    assert one_click(client, url).status_code == 200
    left_at = chen.subscriptions.get(newsletter__code="weekly").unsubscribed_at
    assert one_click(client, url).status_code == 200
    assert chen.subscriptions.get(newsletter__code="weekly").unsubscribed_at == left_at


def test_one_click_with_a_tampered_token_changes_nothing(chen):
    client = Client(enforce_csrf_checks=True)
    token = links.unsubscribe_token(chen, weekly())
    forged = dumps([chen.pk, chen.link_version, "weekly"], salt="another.salt")
    for bad in (token[:-2] + ("AA" if not token.endswith("AA") else "BB"), forged, "x"):
        response = one_click(client, reverse("epaper:unsubscribe", args=[bad]))
        assert response.status_code == 404
    assert set(states(chen).values()) == {"confirmed"}


def test_a_signature_cannot_be_moved_to_another_newsletter_or_address(chen, lin):
    signature = links.unsubscribe_token(chen, weekly()).rpartition(":")[2]
    other_list = links.unsubscribe_token(chen, Newsletter.objects.get(code="bli"))
    other_address = links.unsubscribe_token(lin, weekly())
    client = Client(enforce_csrf_checks=True)
    for token in (other_list, other_address):
        moved = token.rpartition(":")[0] + ":" + signature
        assert one_click(client, reverse("epaper:unsubscribe", args=[moved])).status_code == 404
    assert set(states(chen).values()) == {"confirmed"}
    assert set(states(lin).values()) == {"confirmed"}


def test_leaving_skips_the_issues_still_waiting_to_be_sent_to_the_address(chen, lin):
    issue = Issue.objects.create(newsletter=weekly(), title="第1期", state=IssueState.SENDING)
    waiting = IssueDelivery.objects.create(issue=issue, subscriber=chen, message_id="<a@x>")
    other = IssueDelivery.objects.create(issue=issue, subscriber=lin, message_id="<b@x>")
    client = Client(enforce_csrf_checks=True)
    one_click(client, reverse("epaper:unsubscribe", args=[links.unsubscribe_token(chen, weekly())]))
    waiting.refresh_from_db()
    other.refresh_from_db()
    assert waiting.state == DeliveryState.SKIPPED
    assert other.state == DeliveryState.PENDING


def test_the_unsubscribe_page_shows_one_button_and_it_works(chen, client):
    url = reverse("epaper:unsubscribe", args=[links.unsubscribe_token(chen, weekly())])
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count('type="submit"') == 2  # the language switch's and the one button
    assert f'action="{url}"' in html and "勞工電子週報" in html
    assert states(chen)["weekly"] == "confirmed", "GET changes nothing"
    done = client.post(url, {"csrfmiddlewaretoken": "x"})
    assert done.status_code == 200
    assert "/epaper/preferences/" in done.content.decode()
    assert states(chen) == {"weekly": "unsubscribed", "statistics": "confirmed", "bli": "confirmed"}
    again = client.get(url).content.decode()
    assert f'action="{url}"' not in again  # nothing more to leave


def test_an_erased_address_revokes_every_link(chen, manager):
    from epaper.services.privacy import subscriber_erase  # noqa: PLC0415

    token = links.unsubscribe_token(chen, weekly())
    preferences = links.preferences_token(chen)
    subscriber_erase(subscriber=chen, actor=manager)
    client = Client(enforce_csrf_checks=True)
    assert one_click(client, reverse("epaper:unsubscribe", args=[token])).status_code == 404
    assert client.get(reverse("epaper:preferences", args=[preferences])).status_code == 404


# --- Preferences -------------------------------------------------------------------------------


def test_the_preferences_page_shows_the_current_lists(chen, client):
    page = client.get(reverse("epaper:preferences", args=[links.preferences_token(chen)]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "chen@example.com" in html
    assert (
        'value="weekly" id="id_newsletters_0" aria-describedby="id_newsletters_0_about" checked'
        in html
    )
    assert (
        'value="bulletin" id="id_newsletters_1" aria-describedby="id_newsletters_1_about">' in html
    )


def test_changing_the_lists_on_the_preferences_page(chen, client):
    url = reverse("epaper:preferences", args=[links.preferences_token(chen)])
    response = client.post(url, {"newsletters": ["weekly", "bulletin"], "language": "en"})
    assert response.status_code == 302 and response["Location"] == url
    assert states(chen) == {
        "weekly": "confirmed",
        "statistics": "unsubscribed",
        "bli": "unsubscribed",
        "bulletin": "confirmed",
    }
    chen.refresh_from_db()
    assert chen.language == "en"
    assert chen.subscriptions.get(newsletter__code="bulletin").source == "preferences"


def test_leave_all_on_the_preferences_page(chen, lin, client):
    url = reverse("epaper:preferences", args=[links.preferences_token(chen)])
    response = client.post(url, {"leave_all": "1"})
    assert response.status_code == 302
    assert set(states(chen).values()) == {"unsubscribed"}
    assert set(states(lin).values()) == {"confirmed"}
    follow = client.get(url).content.decode()
    assert 'role="status"' in follow


def test_saving_with_nothing_ticked_leaves_everything(chen, client):
    url = reverse("epaper:preferences", args=[links.preferences_token(chen)])
    assert client.post(url, {"language": "zh-hant"}).status_code == 302
    assert set(states(chen).values()) == {"unsubscribed"}


def test_an_unknown_newsletter_code_on_the_preferences_page_is_refused(chen, client):
    url = reverse("epaper:preferences", args=[links.preferences_token(chen)])
    response = client.post(url, {"newsletters": ["weekly", "nope"], "language": "zh-hant"})
    assert response.status_code == 400
    assert set(states(chen).values()) == {"confirmed"}


def test_a_closed_newsletter_stays_choosable_for_its_subscribers(chen, client):
    Newsletter.objects.filter(code="bli").update(active=False)
    url = reverse("epaper:preferences", args=[links.preferences_token(chen)])
    assert 'value="bli"' in client.get(url).content.decode()
    client.post(url, {"newsletters": ["weekly", "bli"], "language": "zh-hant"})
    assert states(chen)["bli"] == "confirmed" and states(chen)["statistics"] == "unsubscribed"
    lin = subscribed("lin@example.com", "weekly")
    other = reverse("epaper:preferences", args=[links.preferences_token(lin)])
    assert 'value="bli"' not in client.get(other).content.decode()


@pytest.mark.parametrize(
    "tamper",
    [
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # the signature
        lambda t: ("X" if t[0] != "X" else "Y") + t[1:],  # the payload
        lambda t: t + "x",
        lambda t: "",
    ],
)
def test_a_tampered_preferences_link_is_refused(chen, client, tamper):
    token = tamper(links.preferences_token(chen))
    url = f"/epaper/preferences/{token}/" if token else "/epaper/preferences/x/"
    page = client.get(url)
    assert page.status_code == 404
    assert "chen@example.com" not in page.content.decode()
    assert reverse("epaper:my_link") in page.content.decode()
    assert client.post(url, {"leave_all": "1"}).status_code == 404
    assert set(states(chen).values()) == {"confirmed"}


def test_a_link_of_another_salt_is_refused(chen, client):
    """An unsubscribe token is no preferences token."""
    token = links.unsubscribe_token(chen, weekly())
    assert client.get(reverse("epaper:preferences", args=[token])).status_code == 404


def test_a_raised_link_version_revokes_the_old_link(chen, client):
    token = links.preferences_token(chen)
    Subscriber.objects.filter(pk=chen.pk).update(link_version=chen.link_version + 1)
    assert client.get(reverse("epaper:preferences", args=[token])).status_code == 404


# --- "Mail me my link" ---------------------------------------------------------------------------


def test_my_link_mails_the_preferences_link_to_a_subscriber(chen, client, commit):
    response = commit(client.post, reverse("epaper:my_link"), {"email": "CHEN@example.com"})
    assert response.status_code == 302 and response["Location"] == reverse("epaper:my_link")
    [message] = mail.outbox
    assert message.to == ["chen@example.com"]
    link, token = preferences_link(message)
    assert link.startswith("http://testserver/")
    assert "勞工電子週報" in message.body
    assert links.subscriber_for_preferences(token) == chen
    assert client.get(path_of(link)).status_code == 200
    delivery = Delivery.objects.get(kind="epaper.my_link")
    assert delivery.sensitive and delivery.text == ""


def _notice(client) -> str:
    import re  # noqa: PLC0415

    page = client.get(reverse("epaper:my_link")).content.decode()
    return re.findall(r'<div class="alert[^"]*" role="status">(.*?)</div>', page, re.S)[-1]


@pytest.mark.parametrize(
    "setup",
    ["unknown", "only_pending", "unsubscribed", "disabled", "erased"],
)
def test_my_link_answers_the_same_and_mails_nothing_without_a_subscription(
    setup, client, commit, manager
):
    email = "who@example.com"
    if setup == "only_pending":
        subscribed(email, "weekly", state="pending")
    elif setup == "unsubscribed":
        subscribed(email, "weekly", state="unsubscribed")
    elif setup == "disabled":
        s = subscribed(email, "weekly")
        Subscriber.objects.filter(pk=s.pk).update(
            state=SubscriberState.DISABLED, disabled_at=timezone.now()
        )
    elif setup == "erased":
        from epaper.services.privacy import subscriber_erase  # noqa: PLC0415

        subscriber_erase(subscriber=subscribed(email, "weekly"), actor=manager)
    response = commit(client.post, reverse("epaper:my_link"), {"email": email})
    assert response.status_code == 302
    assert mail.outbox == []
    notice = _notice(client)
    subscribed("known@example.com", "weekly")
    commit(client.post, reverse("epaper:my_link"), {"email": "known@example.com"})
    assert len(mail.outbox) == 1
    assert _notice(client).replace("known@example.com", email) == notice


def test_my_link_is_rate_limited_per_address(chen, client, commit, settings):
    settings.EPAPER_RATE_PER_EMAIL = 2
    for _ in range(2):
        assert (
            commit(client.post, reverse("epaper:my_link"), {"email": chen.email}).status_code == 302
        )
    assert commit(client.post, reverse("epaper:my_link"), {"email": chen.email}).status_code == 429
    assert len(mail.outbox) == 2


def test_my_link_refuses_a_bad_address_on_its_field(client):
    response = client.post(reverse("epaper:my_link"), {"email": "<b>x</b>"})
    assert response.status_code == 400
    assert 'href="#id_email"' in response.content.decode()
    assert "<b>x</b>" not in response.content.decode()


def test_the_service_says_whether_it_sent(chen, commit):
    assert commit(subscriptions.link_request, email="chen@example.com") is True
    assert commit(subscriptions.link_request, email="nobody@example.com") is False
