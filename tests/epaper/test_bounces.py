"""Bounces read from a real IMAP server (dovecot, started by the test): DSNs of messages a real
SMTP sink received, hard and soft, non-standard bounces, success notices, re-reading."""

import re
from email.message import EmailMessage
from email.utils import make_msgid
from urllib.parse import unquote

import pytest

from epaper.models import (
    Bounce,
    BounceKind,
    DeliveryState,
    IssueDelivery,
    SubscriberState,
    Subscription,
)
from epaper.services.bounces import bounce_process, bounces_import_imap, parse_bounce
from epaper.services.sending import issue_send_batch, issue_start
from epaper.tasks import import_bounces
from tests.petitions.imap_server import imap_server  # noqa: F401 - fixture

from .sending_support import (  # noqa: F401 - fixtures
    _site,
    scheduled_issue,
    smtp_settings,
    smtp_sink,
    subscribe,
)

pytestmark = pytest.mark.django_db


def dsn(
    *,
    recipient: str,
    status: str,
    original: str | None = None,
    action: str = "failed",
    diagnostic: str = "",
    as_rfc822: bool = False,
) -> bytes:
    """A delivery status notification (RFC 3464) as Postfix writes it."""
    own = make_msgid(domain="mx.example.com")
    fields = [
        f"Final-Recipient: rfc822; {recipient}",
        f"Original-Recipient: rfc822;{recipient}",
        f"Action: {action}",
        *([f"Status: {status}"] if status else []),
        *([f"Diagnostic-Code: smtp; {diagnostic}"] if diagnostic else []),
    ]
    returned = ""
    if original is not None:
        kind = "message/rfc822" if as_rfc822 else "text/rfc822-headers"
        body = "\nthe issue\n" if as_rfc822 else ""
        returned = (
            f"--B\nContent-Description: Undelivered Message\nContent-Type: {kind}\n\n"
            f"From: epaper@mol.gov.tw\nTo: {recipient}\nMessage-ID: {original}\n"
            f"Subject: =?utf-8?b?5Yue5bel6Zu75a2Q6YCx5aCx?=\n{body}\n"
        )
    text = (
        "From: MAILER-DAEMON@mx.example.com (Mail Delivery System)\n"
        "To: epaper-bounces@mol.gov.tw\n"
        "Subject: Undelivered Mail Returned to Sender\n"
        f"Message-ID: {own}\n"
        "MIME-Version: 1.0\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\n\n'
        "--B\nContent-Type: text/plain\n\n"
        "This is the mail system at host mx.example.com.\n\nI'm sorry to have to inform you.\n\n"
        "--B\nContent-Type: message/delivery-status\n\n"
        "Reporting-MTA: dns; mx.example.com\nArrival-Date: Tue, 1 Dec 2026 10:00:00 +0800\n\n"
        + "\n".join(fields)
        + "\n\n"
        + returned
        + "--B--\n"
    )
    return text.replace("\n", "\r\n").encode("ascii")


def sent_issue(smtp_settings, *addresses, code="weekly"):  # noqa: F811
    people = [subscribe(address, code) for address in addresses]
    issue = scheduled_issue(code)
    issue_start(issue=issue)
    assert issue_send_batch(issue_id=issue.pk).done
    smtp_settings.wait_for(len(addresses))
    return issue, people


def delivery_of(issue, subscriber) -> IssueDelivery:
    return IssueDelivery.objects.get(issue=issue, subscriber=subscriber)


def test_a_hard_bounce_from_the_mailbox_disables_the_address(
    smtp_settings,  # noqa: F811
    imap_server,  # noqa: F811
):
    issue, (gone, fine) = sent_issue(smtp_settings, "gone@example.com", "fine@example.com")
    # The DSN names the Message-ID the sink received.
    [received] = [m for m in smtp_settings.messages if m["To"] == "gone@example.com"]
    imap_server.append(
        dsn(
            recipient="gone@example.com",
            status="5.1.1",
            original=str(received["Message-ID"]),
            diagnostic="550 5.1.1 <gone@example.com>: Recipient address rejected",
        )
    )
    result = bounces_import_imap(**imap_server.import_kwargs())
    assert (result.seen, result.bounces, result.disabled) == (1, 1, 1)

    bounce = Bounce.objects.get()
    assert (bounce.kind, bounce.status) == (BounceKind.HARD, "5.1.1")
    assert bounce.subscriber == gone and bounce.issue == issue
    assert bounce.bounced_message_id == delivery_of(issue, gone).message_id
    assert "Recipient address rejected" in bounce.reason
    gone.refresh_from_db()
    assert gone.state == SubscriberState.DISABLED and gone.disabled_at is not None
    assert gone.hard_bounces == 1
    assert delivery_of(issue, gone).state == DeliveryState.BOUNCED
    fine.refresh_from_db()
    assert fine.state == SubscriberState.ACTIVE
    issue.refresh_from_db()
    assert issue.bounced_count == 1

    # Read again (also the seen ones): nothing new.
    again = bounces_import_imap(**imap_server.import_kwargs(search="ALL"))
    assert (again.seen, again.bounces) == (1, 0)
    assert Bounce.objects.count() == 1
    issue.refresh_from_db()
    assert issue.bounced_count == 1

    # The next issue is not sent to the disabled address.
    smtp_settings.messages.clear()
    smtp_settings.envelopes.clear()
    later = scheduled_issue()
    issue_start(issue=later)
    assert later.recipients == 1
    issue_send_batch(issue_id=later.pk)
    smtp_settings.wait_for(1)
    assert [rcpt for _f, [rcpt] in smtp_settings.envelopes] == ["fine@example.com"]


def test_soft_bounces_of_issues_in_a_row_disable_at_the_limit(
    smtp_settings,  # noqa: F811
    imap_server,  # noqa: F811
    settings,
):
    settings.EPAPER_SOFT_BOUNCE_LIMIT = 3
    issues = []
    for _n in range(3):
        smtp_settings.messages.clear()
        issue, (full,) = sent_issue(smtp_settings, "full@example.com")
        issues.append(issue)
    for number, issue in enumerate(issues):
        original = delivery_of(issue, full).message_id
        notices = 2 if number == 0 else 1  # two "delayed" notices of the first count once
        for _n in range(notices):
            imap_server.append(
                dsn(
                    recipient="full@example.com",
                    status="4.2.2",
                    original=original,
                    action="delayed" if number == 0 else "failed",
                    diagnostic="452 4.2.2 Mailbox full",
                    as_rfc822=number == 1,
                )
            )
        bounces_import_imap(**imap_server.import_kwargs())
        full.refresh_from_db()
        assert full.soft_bounces == number + 1
        expected = SubscriberState.DISABLED if number == 2 else SubscriberState.ACTIVE
        assert full.state == expected
    assert Bounce.objects.filter(kind=BounceKind.SOFT).count() == 4
    assert all(delivery_of(i, full).state == DeliveryState.BOUNCED for i in issues)


def test_a_non_standard_bounce_and_a_bounce_without_message_id(
    smtp_settings,  # noqa: F811
    imap_server,  # noqa: F811
):
    issue, (first, second) = sent_issue(smtp_settings, "one@example.com", "two@example.com")
    # An old-style bounce: plain text quoting the returned headers, no DSN part.
    plain = EmailMessage()
    plain["From"] = "postmaster@legacy.example.com"
    plain["To"] = "epaper-bounces@mol.gov.tw"
    plain["Subject"] = "退信通知：無法傳遞"
    plain["Message-ID"] = "<legacy-1@legacy.example.com>"
    plain.set_content(
        "您的郵件無法送達。\n550 5.1.1 User unknown\n\n"
        f"----- 原始郵件 -----\nMessage-ID: {delivery_of(issue, first).message_id}\n"
    )
    imap_server.append(plain.as_bytes())
    # A DSN that returned no headers: found by the failed recipient.
    imap_server.append(dsn(recipient="two@example.com", status="5.2.1"))
    result = bounces_import_imap(**imap_server.import_kwargs())
    assert (result.seen, result.bounces) == (2, 2)
    for subscriber in (first, second):
        subscriber.refresh_from_db()
        assert subscriber.state == SubscriberState.DISABLED
        assert delivery_of(issue, subscriber).state == DeliveryState.BOUNCED
    issue.refresh_from_db()
    assert issue.bounced_count == 2


def test_success_notices_and_ordinary_mail_are_not_bounces(imap_server):  # noqa: F811
    subscriber = subscribe("happy@example.com")
    imap_server.append(dsn(recipient="happy@example.com", status="2.0.0", action="delivered"))
    ordinary = EmailMessage()
    ordinary["From"] = "reader@example.com"
    ordinary["Subject"] = "謝謝你們的電子報"
    ordinary["Message-ID"] = "<thanks@example.com>"
    ordinary.set_content("很有幫助")
    imap_server.append(ordinary.as_bytes())
    result = bounces_import_imap(**imap_server.import_kwargs())
    assert (result.seen, result.bounces, result.ignored) == (2, 0, 2)
    assert Bounce.objects.count() == 0
    subscriber.refresh_from_db()
    assert subscriber.state == SubscriberState.ACTIVE


def test_a_bounce_of_a_message_we_did_not_send_changes_nobody():
    subscribe("someone@example.com")
    outcome = bounce_process(
        dsn(recipient="someone@example.com", status="5.1.1", original="<other@portal.example>")
    )
    assert outcome.created
    assert outcome.bounce.subscriber is None and outcome.bounce.issue is None
    assert not outcome.disabled


def test_classification_without_a_status_code():
    parsed = parse_bounce(dsn(recipient="x@example.com", status="", diagnostic="554 rejected"))
    assert parsed.kind == BounceKind.HARD
    parsed = parse_bounce(dsn(recipient="x@example.com", status="", action="delayed"))
    assert parsed.kind == BounceKind.SOFT


def test_the_periodic_job_reads_the_configured_mailbox(
    smtp_settings,  # noqa: F811
    imap_server,  # noqa: F811
    settings,
):
    issue, (gone,) = sent_issue(smtp_settings, "gone@example.com")
    settings.EPAPER_BOUNCE_IMAP_HOST = imap_server.host
    settings.EPAPER_BOUNCE_IMAP_PORT = imap_server.port
    settings.EPAPER_BOUNCE_IMAP_USER = imap_server.user
    settings.EPAPER_BOUNCE_IMAP_PASSWORD = imap_server.password
    settings.EPAPER_BOUNCE_IMAP_SSL = False
    original = delivery_of(issue, gone).message_id
    imap_server.append(dsn(recipient="gone@example.com", status="5.1.1", original=original))
    assert import_bounces.delay().get() == {"seen": 1, "bounces": 1}
    gone.refresh_from_db()
    assert gone.state == SubscriberState.DISABLED


def test_the_mailto_of_list_unsubscribe_leaves_the_newsletter(
    smtp_settings,  # noqa: F811
    imap_server,  # noqa: F811
    settings,
):
    """With the bounce mailbox read, List-Unsubscribe also offers a mailto: to it; a mail with
    that subject leaves that newsletter only, a forged token nothing."""
    settings.EPAPER_BOUNCE_IMAP_HOST = imap_server.host
    issue, (reader,) = sent_issue(smtp_settings, "leaver@example.com")
    subscribe("leaver@example.com", "bulletin")
    [message] = smtp_settings.messages
    https, mailto = re.findall(r"<([^>]+)>", message["List-Unsubscribe"])
    assert https.startswith("https://") and mailto.startswith("mailto:epaper-bounces@mol.gov.tw?")
    subject = unquote(mailto.split("?subject=", 1)[1])
    for text in (subject[:-3] + "xyz", subject):  # forged first, then the real one
        request = EmailMessage()
        request["From"] = "leaver@example.com"
        request["To"] = "epaper-bounces@mol.gov.tw"
        request["Subject"] = text
        request["Message-ID"] = make_msgid(domain="example.com")
        request.set_content("")
        imap_server.append(request.as_bytes())
    result = bounces_import_imap(**imap_server.import_kwargs())
    assert (result.seen, result.unsubscribed, result.ignored, result.bounces) == (2, 1, 1, 0)
    states = dict(
        Subscription.objects.filter(subscriber=reader).values_list("newsletter__code", "state")
    )
    assert states == {"weekly": "unsubscribed", "bulletin": "confirmed"}
    assert reader.bounces.count() == 0
