# ruff: noqa: F811 - the fixtures imported from subscriber_support are arguments of the tests
"""Subscribing by the public page: the double opt-in (the mail, GET never confirms, POST
confirms only the lists of that opt-in, a second POST changes nothing), expiry, the link sent
again, the consent recorded, and the abuse rules (honeypot, blocked domains, rate limits,
hostile input). The answers never tell whether an address is known."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from epaper.constants import OPT_IN_HOURS, PRIVACY_VERSION
from epaper.models import BlockRule, OptIn, Subscriber, SubscriberState
from epaper.services import subscriptions
from notifications.models import Delivery
from tests.accounts.mfa_support import force_login_verified

from .subscriber_support import (  # noqa: F401 - fixtures
    commit,
    confirm_link,
    path_of,
    start,
    states,
    subscribed,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def post(client, commit):
    def run(url, data, **extra):
        return commit(client.post, url, data, **extra)

    return run


def form(**overrides):
    data = {"newsletters": ["weekly", "statistics"], "email": "chen@example.com", "consent": "on"}
    data.update(overrides)
    return data


# --- The form ----------------------------------------------------------------------------------


def test_the_page_offers_the_open_newsletters_with_their_details(client):
    page = client.get(reverse("epaper:subscribe"))
    assert page.status_code == 200
    html = page.content.decode()
    for code in ("weekly", "bulletin", "education", "quarterly", "statistics", "bli", "wda"):
        assert f'value="{code}"' in html
    assert "勞工電子週報" in html and "勞動統計電子報" in html
    assert "勞動部統計處" in html  # the publisher, in the description of the checkbox
    assert reverse("core:privacy") in html
    assert 'name="website"' in html and 'aria-hidden="true"' in html  # the honeypot


def test_a_closed_newsletter_is_not_offered_and_cannot_be_posted(client, post):
    from epaper.models import Newsletter  # noqa: PLC0415

    Newsletter.objects.filter(code="wda").update(active=False)
    assert 'value="wda"' not in client.get(reverse("epaper:subscribe")).content.decode()
    response = post(reverse("epaper:subscribe"), form(newsletters=["wda"]))
    assert response.status_code == 400
    assert not OptIn.objects.exists() and mail.outbox == []


def test_the_english_page_names_the_newsletters_in_english(client):
    client.cookies["mol_language"] = "en"
    html = client.get(reverse("epaper:subscribe")).content.decode()
    assert "Labor e-Weekly" in html and "Department of Statistics" in html


# --- Double opt-in -----------------------------------------------------------------------------


def test_subscribing_mails_a_link_and_the_lists_wait_for_it(post, client):
    response = post(reverse("epaper:subscribe"), form(), REMOTE_ADDR="198.51.100.7")
    assert response.status_code == 302 and response["Location"] == reverse("epaper:subscribed")

    subscriber = Subscriber.objects.get()
    assert subscriber.email == "chen@example.com"
    assert states(subscriber) == {"weekly": "pending", "statistics": "pending"}
    opt_in = OptIn.objects.get()
    assert sorted(n.code for n in opt_in.newsletters.all()) == ["statistics", "weekly"]
    assert opt_in.ip == "198.51.100.7" and opt_in.source == "web"
    assert opt_in.privacy_version == PRIVACY_VERSION
    assert (
        timedelta(hours=OPT_IN_HOURS - 1)
        < opt_in.expires_at - timezone.now()
        <= timedelta(hours=OPT_IN_HOURS)
    )
    assert opt_in.confirmed_at is None

    [message] = mail.outbox
    assert message.to == ["chen@example.com"]
    link, token = confirm_link(message)
    assert link.startswith("http://testserver/epaper/confirm/")
    assert "勞工電子週報" in message.body and "勞動統計電子報" in message.body
    assert len(opt_in.token_hash) == 64 and token not in opt_in.token_hash
    assert opt_in.token_hash == subscriptions.token_hash(token)
    # The outbox row is sensitive (the link is a secret) and belongs to the subscriber.
    delivery = Delivery.objects.get(kind="epaper.opt_in")
    assert delivery.sensitive and delivery.text == ""  # erased once sent
    page = client.get(response["Location"])
    assert 'action="/epaper/subscribed/resend/"' in page.content.decode()


def test_opening_the_link_shows_a_button_and_confirms_nothing(commit, client):
    _opt_in, token = start(commit, codes=("weekly", "bli"))
    page = client.get(reverse("epaper:confirm", args=[token]))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'method="post"' in html and "勞工保險局電子報" in html
    subscriber = Subscriber.objects.get()
    assert states(subscriber) == {"weekly": "pending", "bli": "pending"}
    assert OptIn.objects.get().confirmed_at is None


def test_the_button_confirms_the_lists_and_records_the_consent(commit, client):
    opt_in, token = start(commit, codes=("weekly", "bli"))
    response = client.post(reverse("epaper:confirm", args=[token]))
    assert response.status_code == 200
    assert "勞工保險局電子報" in response.content.decode()
    subscriber = Subscriber.objects.get()
    assert states(subscriber) == {"weekly": "confirmed", "bli": "confirmed"}
    opt_in.refresh_from_db()
    assert opt_in.confirmed_at is not None
    assert subscriber.consented_at == opt_in.confirmed_at
    assert subscriber.consent_ip == "192.0.2.10"
    assert subscriber.consent_source == "web"
    assert subscriber.privacy_version == PRIVACY_VERSION
    # The confirmed page links to the signed preferences page.
    assert "/epaper/preferences/" in response.content.decode()


def test_only_the_lists_of_that_opt_in_are_confirmed(commit, client):
    """listmonk #1791: confirming one request must not confirm another one's lists."""
    _first, first_token = start(commit, codes=("weekly",))
    _second, second_token = start(commit, codes=("statistics", "bli"))
    subscriber = Subscriber.objects.get()

    client.post(reverse("epaper:confirm", args=[second_token]))
    assert states(subscriber) == {
        "weekly": "pending",
        "statistics": "confirmed",
        "bli": "confirmed",
    }
    client.post(reverse("epaper:confirm", args=[first_token]))
    assert set(states(subscriber).values()) == {"confirmed"}


def test_a_new_request_for_confirmed_lists_leaves_them_confirmed(commit, client):
    """Typing someone's address cannot hold up the newsletters they already receive."""
    subscriber = subscribed("chen@example.com", "weekly", "statistics")
    _opt_in, token = start(commit, codes=("weekly", "bli"))
    assert states(subscriber) == {
        "weekly": "confirmed",
        "statistics": "confirmed",
        "bli": "pending",
    }
    client.post(reverse("epaper:confirm", args=[token]))
    assert set(states(subscriber).values()) == {"confirmed"}


def test_a_second_confirmation_changes_nothing(commit, client):
    opt_in, token = start(commit, codes=("weekly",))
    client.post(reverse("epaper:confirm", args=[token]))
    opt_in.refresh_from_db()
    first_time = opt_in.confirmed_at
    subscriber = Subscriber.objects.get()
    # The person leaves meanwhile; the old confirmation link must not subscribe them again.
    subscriptions.unsubscribe(subscriber=subscriber, newsletter=opt_in.newsletters.get())
    again = client.post(reverse("epaper:confirm", args=[token]))
    assert again.status_code == 200
    assert "此訂閱先前已確認，未做任何變更。" in again.content.decode()  # nothing has changed
    opt_in.refresh_from_db()
    assert opt_in.confirmed_at == first_time
    assert states(subscriber) == {"weekly": "unsubscribed"}


def test_an_expired_link_is_refused_with_a_way_to_ask_again(commit, client):
    _opt_in, token = start(commit, codes=("weekly",))
    with freeze_time(timezone.now() + timedelta(hours=OPT_IN_HOURS, minutes=1)):
        page = client.get(reverse("epaper:confirm", args=[token]))
        assert page.status_code == 410
        assert reverse("epaper:subscribed") in page.content.decode()
        refused = client.post(reverse("epaper:confirm", args=[token]))
    assert refused.status_code == 400
    assert reverse("epaper:subscribed") in refused.content.decode()
    assert states(Subscriber.objects.get()) == {"weekly": "pending"}


def test_the_link_works_until_just_before_its_expiry(commit, client):
    _opt_in, token = start(commit, codes=("weekly",))
    with freeze_time(timezone.now() + timedelta(hours=OPT_IN_HOURS, minutes=-1)):
        assert client.post(reverse("epaper:confirm", args=[token])).status_code == 200
    assert states(Subscriber.objects.get()) == {"weekly": "confirmed"}


@pytest.mark.parametrize("token", ["x", "A" * 43, "%00", "%3Cscript%3E", "%E2%80%AEabc"])
def test_an_unknown_link_is_a_clear_page(client, token):
    url = f"/epaper/confirm/{token}/"
    page = client.get(url)
    assert page.status_code == 404
    assert reverse("epaper:subscribed") in page.content.decode()
    assert "<script>" not in page.content.decode().split("<main", 1)[1]
    assert client.post(url).status_code == 400


def test_a_bounced_address_that_confirms_again_is_active_again(commit, client):
    subscriber = subscribed("chen@example.com", "weekly")
    Subscriber.objects.filter(pk=subscriber.pk).update(
        state=SubscriberState.DISABLED, hard_bounces=3, disabled_at=timezone.now()
    )
    _opt_in, token = start(commit, codes=("weekly",))
    client.post(reverse("epaper:confirm", args=[token]))
    subscriber.refresh_from_db()
    assert subscriber.state == SubscriberState.ACTIVE and subscriber.hard_bounces == 0


def test_the_language_of_the_page_is_the_language_of_the_mail(post, client):
    client.cookies["mol_language"] = "en"
    post(reverse("epaper:subscribe"), form(newsletters=["weekly"]))
    [message] = mail.outbox
    assert "Labor e-Weekly" in message.body
    assert "Please confirm" in message.subject
    assert Subscriber.objects.get().language == "en"


# --- The link again ----------------------------------------------------------------------------


def test_the_link_sent_again_replaces_the_first(commit, post, client):
    opt_in, first = start(commit, codes=("weekly", "statistics"))
    response = post(reverse("epaper:resend"), {"email": "CHEN@example.com"})
    assert response.status_code == 302
    assert len(mail.outbox) == 2 and mail.outbox[1].to == ["chen@example.com"]
    second = confirm_link(mail.outbox[1])[1]
    assert second != first
    assert OptIn.objects.count() == 1  # the same request, a new link
    assert client.get(response["Location"]).status_code == 200

    assert client.post(reverse("epaper:confirm", args=[first])).status_code == 400
    assert states(Subscriber.objects.get()) == {"weekly": "pending", "statistics": "pending"}
    assert client.post(reverse("epaper:confirm", args=[second])).status_code == 200
    assert set(states(Subscriber.objects.get()).values()) == {"confirmed"}


def test_the_link_sent_again_has_a_new_expiry(commit, post, client):
    _opt_in, _first = start(commit, codes=("weekly",))
    later = timezone.now() + timedelta(hours=OPT_IN_HOURS + 5)
    with freeze_time(later):
        post(reverse("epaper:resend"), {"email": "chen@example.com"})
        second = confirm_link(mail.outbox[-1])[1]
    with freeze_time(later + timedelta(hours=OPT_IN_HOURS - 1)):
        assert client.post(reverse("epaper:confirm", args=[second])).status_code == 200


def test_asking_again_for_an_unknown_address_says_the_same_and_sends_nothing(commit, post, client):
    start(commit, email="known@example.com")
    known = post(reverse("epaper:resend"), {"email": "known@example.com"})
    unknown = post(reverse("epaper:resend"), {"email": "nobody@example.com"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert len(mail.outbox) == 2  # the first link and the known address's new one

    def notice(email):
        page = client.get(reverse("epaper:subscribed")).content.decode()
        shown = re.findall(r'<div class="alert[^"]*" role="status">(.*?)</div>', page, re.S)
        assert email in shown[-1]
        return shown[-1].replace(email, "ADDRESS").strip()

    client.post(reverse("epaper:resend"), {"email": "known@example.com"})
    known_page = notice("known@example.com")
    client.post(reverse("epaper:resend"), {"email": "nobody@example.com"})
    assert notice("nobody@example.com") == known_page


# --- No enumeration ------------------------------------------------------------------------------


def test_the_answer_is_the_same_for_a_new_and_a_subscribed_address(post, client):
    subscribed("known@example.com", "weekly")
    new = post(reverse("epaper:subscribe"), form(email="new@example.com"))
    known = post(reverse("epaper:subscribe"), form(email="known@example.com"))
    assert new.status_code == known.status_code == 302
    assert new["Location"] == known["Location"]
    assert len(mail.outbox) == 2  # both mailboxes receive the link; nobody else learns


# --- Abuse rules -------------------------------------------------------------------------------


def test_a_filled_honeypot_looks_accepted_but_saves_and_mails_nothing(post):
    response = post(reverse("epaper:subscribe"), form(website="http://spam.example"))
    assert response.status_code == 302 and response["Location"] == reverse("epaper:subscribed")
    assert not Subscriber.objects.exists() and mail.outbox == []


def test_consent_is_required(post):
    data = form()
    del data["consent"]
    response = post(reverse("epaper:subscribe"), data)
    assert response.status_code == 400
    assert 'href="#id_consent"' in response.content.decode()
    assert not Subscriber.objects.exists() and mail.outbox == []


def test_at_least_one_newsletter_is_required(post):
    response = post(reverse("epaper:subscribe"), form(newsletters=[]))
    assert response.status_code == 400
    assert 'href="#id_newsletters"' in response.content.decode()
    assert 'id="id_newsletters"' in response.content.decode()  # the link's target
    assert mail.outbox == []


def test_a_blocked_domain_is_refused_on_the_address(post):
    BlockRule.objects.create(kind="domain", value="throwaway.example")
    response = post(reverse("epaper:subscribe"), form(email="x@mx.throwaway.example"))
    assert response.status_code == 400
    assert 'href="#id_email"' in response.content.decode()
    assert not Subscriber.objects.exists() and mail.outbox == []
    assert post(reverse("epaper:subscribe"), form(email="x@example.com")).status_code == 302


@pytest.mark.parametrize(
    ("kind", "value", "email"),
    [("email", "x@example.com", "X@Example.com"), ("ip", "203.0.113.0/24", "y@example.com")],
)
def test_a_blocked_address_or_network_is_refused_and_an_inactive_rule_is_not(
    post, kind, value, email
):
    rule = BlockRule.objects.create(kind=kind, value=value)
    data = form(email=email)
    response = post(reverse("epaper:subscribe"), data, REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 400
    assert not Subscriber.objects.exists() and mail.outbox == []
    rule.active = False
    rule.save()
    assert post(reverse("epaper:subscribe"), data, REMOTE_ADDR="203.0.113.9").status_code == 302


def test_a_block_rule_is_edited_in_the_admin_and_checked(client, admin_user):
    force_login_verified(client, admin_user)
    admin_client = client
    url = reverse("admin:epaper_blockrule_add")
    bad = admin_client.post(url, {"kind": "ip", "value": "not-a-network", "active": "on"})
    assert bad.status_code == 200 and not BlockRule.objects.exists()
    admin_client.post(url, {"kind": "domain", "value": " @Throwaway.Example ", "active": "on"})
    assert BlockRule.objects.get().value == "throwaway.example"


def test_the_rate_limit_per_address(post, settings):
    settings.EPAPER_RATE_PER_EMAIL = 2
    for _ in range(2):
        assert post(reverse("epaper:subscribe"), form()).status_code == 302
    refused = post(reverse("epaper:subscribe"), form(email="Chen@Example.com"))
    assert refused.status_code == 429
    assert len(mail.outbox) == 2
    # The resend and "my link" forms count against the same address's budget.
    assert post(reverse("epaper:resend"), {"email": "chen@example.com"}).status_code == 429
    assert post(reverse("epaper:subscribe"), form(email="lin@example.com")).status_code == 302


def test_the_rate_limit_per_network(post, settings):
    settings.EPAPER_RATE_PER_IP = 3
    for n in range(3):
        response = post(
            reverse("epaper:subscribe"), form(email=f"p{n}@example.com"), REMOTE_ADDR="203.0.113.9"
        )
        assert response.status_code == 302
    refused = post(
        reverse("epaper:subscribe"), form(email="p9@example.com"), REMOTE_ADDR="203.0.113.9"
    )
    assert refused.status_code == 429
    assert not Subscriber.objects.filter(email="p9@example.com").exists()
    other = post(
        reverse("epaper:subscribe"), form(email="p9@example.com"), REMOTE_ADDR="203.0.113.10"
    )
    assert other.status_code == 302


def test_the_rate_limit_can_be_switched_off(post, settings):
    settings.EPAPER_RATE_PER_EMAIL = 1
    settings.EPAPER_RATE_LIMIT_ENABLED = False
    for _ in range(3):
        assert post(reverse("epaper:subscribe"), form()).status_code == 302


@pytest.mark.parametrize(
    "email",
    [
        "<script>alert(1)</script>@example.com",
        "chen@example.com<img src=x onerror=alert(1)>",
        "chen@@example.com",
        '=HYPERLINK("http://evil")@example.com',
        "a" * 300 + "@example.com",
        "chen@" + "a" * 300 + ".com",
    ],
)
def test_hostile_addresses_are_refused_and_never_echoed_as_markup(post, email):
    response = post(reverse("epaper:subscribe"), form(email=email))
    assert response.status_code == 400
    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "<img src=x" not in html
    assert not Subscriber.objects.exists() and mail.outbox == []


def test_bidi_and_full_width_characters_are_normalised_away(post):
    response = post(
        reverse("epaper:subscribe"), form(email="\u202eｃｈｅｎ＠ＥＸＡＭＰＬＥ．ｃｏｍ\u200f")
    )
    assert response.status_code == 302
    assert Subscriber.objects.get().email == "chen@example.com"


def test_huge_input_is_refused_without_a_server_error(post):
    response = post(
        reverse("epaper:subscribe"),
        form(email="x" * 100_000, newsletters=["weekly"] * 500 + ["y" * 10_000]),
    )
    assert response.status_code == 400
    assert not Subscriber.objects.exists()


def test_an_expired_session_keeps_what_was_typed():
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("epaper:subscribe"), form(email="lin@example.com"))
    assert response.status_code == 403
    html = response.content.decode()
    assert 'value="lin@example.com"' in html  # the form again, bound to what was sent
    assert not Subscriber.objects.exists()


def test_the_opt_in_mail_path_is_the_confirm_route(commit):
    _opt_in, token = start(commit)
    assert path_of(confirm_link(mail.outbox[-1])[0]) == reverse("epaper:confirm", args=[token])
