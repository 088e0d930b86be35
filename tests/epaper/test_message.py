"""The mail of an issue: both parts and every header, as a real SMTP server receives it, and the
per-recipient substitution (base64 and quoted-printable with slots) equal to rendering the
mail whole."""

import re
import string
from email.header import decode_header, make_header

import pytest
from freezegun import freeze_time

from epaper.models import IssueDelivery
from epaper.services import links
from epaper.services.message import issue_message, list_id, render_parts
from epaper.services.sending import issue_send_batch, issue_start

from .sending_support import (  # noqa: F401 - fixtures
    SITE,
    _site,
    parsed,
    parts,
    scheduled_issue,
    smtp_settings,
    smtp_sink,
    subscribe,
)

pytestmark = pytest.mark.django_db


def _send_one(smtp_settings, issue, address="chen@example.com.tw"):  # noqa: F811
    subscriber = subscribe(address)
    issue_start(issue=issue)
    result = issue_send_batch(issue_id=issue.pk)
    assert result.sent == 1, result
    [message] = smtp_settings.wait_for(1)
    return subscriber, message, smtp_settings.raw[0]


def test_a_real_server_receives_both_parts_and_every_header(smtp_settings):  # noqa: F811
    issue = scheduled_issue(title="勞工電子週報第 12 期：最低工資調整，自明年一月一日起實施")
    subscriber, message, raw = _send_one(smtp_settings, issue)
    delivery = IssueDelivery.objects.get(issue=issue)

    assert message["Subject"] == issue.title
    assert re.search(rb"^Subject: =\?utf-8\?b\?", raw, re.MULTILINE | re.IGNORECASE)
    assert message["From"].addresses[0].display_name == "勞工電子週報"
    assert message["From"].addresses[0].addr_spec == "epaper@mol.gov.tw"
    assert message["To"] == "chen@example.com.tw"
    assert message["Message-ID"] == delivery.message_id
    assert re.fullmatch(r"<[0-9a-f]{32}@mol\.gov\.tw>", delivery.message_id)
    assert message["List-Id"].endswith("<weekly.epaper.mol.gov.tw>")
    assert str(make_header(decode_header(message["List-Id"]))).startswith("勞工電子週報")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["Precedence"] == "bulk"
    assert message["Auto-Submitted"] is None
    assert message["List-Archive"] == f"<{SITE}/epaper/archive/weekly/>"
    assert message["Date"] is not None
    # The envelope sender is the bounce address, the recipient the subscriber.
    assert smtp_settings.envelopes[0] == ("epaper-bounces@mol.gov.tw", ["chen@example.com.tw"])

    [unsubscribe_url] = re.findall(r"<([^>]+)>", message["List-Unsubscribe"])
    assert unsubscribe_url.startswith(f"{SITE}/epaper/unsubscribe/")
    token = unsubscribe_url.removeprefix(f"{SITE}/epaper/unsubscribe/").rstrip("/")
    found, newsletter = links.subscription_for_unsubscribe(token)
    assert (found, newsletter.code) == (subscriber, "weekly")

    assert message.get_content_type() == "multipart/alternative"
    body = parts(message)
    assert set(body) == {"text/plain", "text/html"}
    text, html = body["text/plain"], body["text/html"]
    assert "本期重點：最低工資調整" in text and "月薪 28,590 元" in text
    assert "<p>本期重點：最低工資調整，自明年一月一日起實施。</p>" in html
    browser = f"{SITE}/epaper/archive/weekly/{issue.number}/"
    for part in (text, html):
        assert browser in part  # "view in browser"
        assert unsubscribe_url in part
        [preferences] = re.findall(rf"{SITE}/epaper/preferences/([^/\s\"]+)/", part)
        assert links.subscriber_for_preferences(preferences) == subscriber
    assert 'lang="zh-hant"' in html


def test_the_message_is_7bit_with_short_lines_and_crlf(smtp_settings):  # noqa: F811
    issue = scheduled_issue(html="<p>" + "很長的段落沒有空白" * 200 + "</p>")
    _subscriber, _message, raw = _send_one(smtp_settings, issue)
    assert raw.isascii()
    body = raw.split(b"\r\n\r\n", 1)[1]
    assert max(len(line) for line in body.split(b"\r\n")) <= 76
    assert b"\n" not in raw.replace(b"\r\n", b"")
    head = raw.split(b"\r\n\r\n", 1)[0].split(b"\r\n")
    assert max(len(line) for line in head) < 998
    assert b"Content-Transfer-Encoding: base64" in raw  # Chinese: base64 is the shorter


def test_an_english_issue_goes_quoted_printable_and_keeps_a_leading_dot(smtp_settings):  # noqa: F811
    issue = scheduled_issue(
        title="Labor e-Weekly No. 3",
        html="<p>Plain English text for the weekly.</p><p>.A line that starts with a dot</p>",
    )
    _subscriber, message, raw = _send_one(smtp_settings, issue)
    assert b"Content-Transfer-Encoding: quoted-printable" in raw
    assert message["Subject"] == "Labor e-Weekly No. 3"
    assert b"Subject: Labor e-Weekly No. 3\r\n" in raw
    assert ".A line that starts with a dot" in parts(message)["text/plain"]


@pytest.mark.parametrize(
    "html",
    [
        "<p>勞動部電子報內容，中文為主。</p>" * 5,  # base64
        "<p>Mostly ASCII content of the newsletter.</p>" * 5,  # quoted-printable
    ],
)
def test_substitution_equals_rendering_the_mail_whole_for_any_token_length(html):
    """Every offset of the base64 groups (token lengths 1..40) and long values split over
    quoted-printable lines give exactly the parts rendered with the same values."""
    issue = scheduled_issue(html=html)
    prepared = issue_message(issue)
    alphabet = string.ascii_letters + string.digits + "-_:"
    for length in [*range(1, 41), 120]:
        preferences = (alphabet * 5)[:length]
        unsubscribe = (alphabet[::-1] * 5)[: length + 7]
        raw = prepared.render(
            to="someone@example.com",
            message_id="<abc@mol.gov.tw>",
            preferences_token=preferences,
            unsubscribe_token=unsubscribe,
        )
        expected_html, expected_text = render_parts(
            issue, preferences_token=preferences, unsubscribe_token=unsubscribe
        )
        # Text in base64 is in its canonical form, CRLF line ends (RFC 2045 6.8).
        received = {k: v.replace("\r\n", "\n") for k, v in parts(parsed(raw)).items()}
        assert received["text/html"] == expected_html.replace("\r\n", "\n")
        assert received["text/plain"] == expected_text.replace("\r\n", "\n")
        assert f"/unsubscribe/{unsubscribe}/>" in parsed(raw)["List-Unsubscribe"]


def test_non_ascii_sender_names_and_domains_are_encoded():
    issue = scheduled_issue()
    issue.newsletter.from_name = "勞動部 電子報「週報」"
    raw = issue_message(issue).render(
        to="讀者@例え.jp".replace("讀者", "reader"),
        message_id="<x@mol.gov.tw>",
        preferences_token="p",
        unsubscribe_token="u",
    )
    message = parsed(raw)
    assert raw.isascii()
    assert message["From"].addresses[0].display_name == "勞動部 電子報「週報」"
    assert message["To"] == "reader@xn--r8jz45g.jp"


def test_a_test_message_is_marked_in_the_subject():
    issue = scheduled_issue(title="第 5 期")
    raw = issue_message(issue, test=True).render(
        to="editor@mol.gov.tw", message_id="<t@x>", preferences_token="p", unsubscribe_token="u"
    )
    assert parsed(raw)["Subject"] == "[TEST] 第 5 期"


def test_list_id_and_footer_language():
    issue = scheduled_issue("bli")
    assert list_id(issue.newsletter) == "<bli.epaper.mol.gov.tw>"
    html, text = render_parts(issue, language="en")
    assert "Bureau of Labor Insurance e-Newsletter" in text
    assert 'lang="en"' in html


@freeze_time("2026-03-01 01:00:00")
def test_the_fast_token_signer_makes_the_links_tokens():
    """The message's tokens are django.core.signing's, as services.links makes and reads them,
    with the derived key computed once."""
    subscriber = subscribe("signed@example.com")
    issue = scheduled_issue()
    prepared = issue_message(issue)
    pk, version = subscriber.pk, subscriber.link_version
    preferences = prepared.preferences_signer.dumps([pk, version])
    unsubscribe = prepared.unsubscribe_signer.dumps([pk, version, "weekly"])
    assert preferences == links.preferences_token(subscriber)
    assert unsubscribe == links.unsubscribe_token(subscriber, issue.newsletter)
    assert links.subscriber_for_preferences(preferences) == subscriber
    assert links.subscription_for_unsubscribe(unsubscribe) == (subscriber, issue.newsletter)
    forged = preferences[:-2] + ("AA" if not preferences.endswith("AA") else "BB")
    assert links.subscriber_for_preferences(forged) is None
