"""Raw e-mails for the intake tests, built with the standard library (real MIME)."""

from __future__ import annotations

from email.header import Header
from email.message import EmailMessage, Message
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formataddr

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def plain(
    *,
    subject="加班費問題",
    body="雇主未給加班費。",
    sender=("王小明", "wang@example.com"),
    to="petitions@mol.gov.tw",
    message_id="<m1@example.com>",
    headers=None,
) -> bytes:
    msg = EmailMessage()
    msg["From"] = formataddr(sender)
    msg["To"] = to
    msg["Subject"] = subject
    if message_id:
        msg["Message-ID"] = message_id
    for key, value in (headers or {}).items():
        msg[key] = value
    msg.set_content(body)
    return msg.as_bytes()


def big5_with_attachment(*, message_id="<big5@example.com>") -> bytes:
    """A Big5 (cp950) text and HTML body with Big5 headers and a PDF attachment."""
    outer = MIMEMultipart("mixed")
    outer["From"] = formataddr(("陳美玲", "chen@example.com.tw"), charset="big5")
    outer["To"] = "petitions@mol.gov.tw"
    outer["Subject"] = Header("資遣費計算疑問", "big5")
    outer["Message-ID"] = message_id
    alternative = MIMEMultipart("alternative")
    alternative.attach(MIMEText("我在公司工作五年，被資遣了，請問資遣費怎麼算？", "plain", "big5"))
    alternative.attach(
        MIMEText(
            "<html><head><style>p{color:red}</style><script>alert(1)</script></head>"
            "<body><p>我在公司工作五年，<b>被資遣了</b>。</p></body></html>",
            "html",
            "big5",
        )
    )
    outer.attach(alternative)
    attachment = MIMEApplication(PDF, "pdf")
    attachment.add_header(
        "Content-Disposition", "attachment", filename=("big5", "", "資遣通知.pdf")
    )
    outer.attach(attachment)
    return outer.as_bytes()


def html_only(*, message_id="<html@example.com>") -> bytes:
    msg = EmailMessage()
    msg["From"] = "lin@example.com"
    msg["To"] = "petitions@mol.gov.tw"
    msg["Subject"] = "HTML only"
    msg["Message-ID"] = message_id
    msg.set_content(
        "<p>第一段 &amp; 更多</p><script>steal()</script><div>第二段</div>", subtype="html"
    )
    return msg.as_bytes()


def president_forward(*, message_id="<pres@president.gov.tw>") -> bytes:
    body = (
        "總統府人民陳情案件轉文\n"
        "陳情人姓名：林大同\n"
        "電子信箱：lin.datong@example.net\n"
        "陳情內容：\n工廠未提供安全防護。\n"
    )
    return plain(
        subject="轉陳：工安問題",
        body=body,
        sender=("總統府", "service@mail.president.gov.tw"),
        message_id=message_id,
    )


def premier_forward(*, message_id="<ey@example.org>") -> bytes:
    body = "行政院院長信箱 轉交案件\n姓名：張三\nE-mail: zhang@example.org\n\n最低工資問題。\n"
    return plain(
        subject="院長信箱轉文",
        body=body,
        sender=("某轉寄系統", "relay@example.org"),
        message_id=message_id,
    )


def bounce(*, original_message_id: str, to="bounces@mol.gov.tw") -> bytes:
    outer = MIMEMultipart("report", report_type="delivery-status")
    outer["From"] = "MAILER-DAEMON@mail.example.com"
    outer["To"] = to
    outer["Subject"] = "Undelivered Mail Returned to Sender"
    outer["Message-ID"] = "<bounce-1@mail.example.com>"
    outer.attach(MIMEText("Delivery failed.", "plain"))
    status = Message()
    status.set_type("message/delivery-status")
    per_message = Message()
    per_message["Reporting-MTA"] = "dns; mail.example.com"
    per_recipient = Message()
    per_recipient["Final-Recipient"] = "rfc822; gone@example.com"
    per_recipient["Action"] = "failed"
    per_recipient["Status"] = "5.1.1"
    per_recipient["Diagnostic-Code"] = "smtp; 550 5.1.1 user unknown"
    status.set_payload([per_message, per_recipient])
    outer.attach(status)
    headers = MIMEText(f"Message-ID: {original_message_id}\nSubject: x\n", "rfc822-headers")
    outer.attach(headers)
    return outer.as_bytes()
