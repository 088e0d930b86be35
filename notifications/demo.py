"""Demo notices for ``make run``: each demo login finds a few notices in its inbox (a to-do,
information from another agency's system, an alert), a template in both languages, and an
API sender application. Idempotent: a second run adds nothing. Mail goes nowhere in the demo
(``seed_demo`` uses the dummy backend), so the deliveries it queues are harmless."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from accounts.models import Application
from core.models import Organization
from core.registry import demo_loader

from .choices import NoticeKind, Priority
from .models import ApiClient, MessageTemplate, Notice
from .recipients import UnitMembers
from .services import notify

DEMO_SOURCE_HR = "人事差勤系統 (HR)"
DEMO_TEMPLATES = [
    (
        "notifications.welcome",
        "zh-hant",
        "歡迎使用勞動部入口網通知匣",
        "{{ name }} 您好：各系統的通知、待辦與警示都會送到這裡，也可以依設定寄送電子郵件或簡訊。",
    ),
    (
        "notifications.welcome",
        "en",
        "Welcome to your MOL Portal inbox",
        "Hello {{ name }}: notices, to-dos and alerts of every system arrive here, and by e-mail "
        "or SMS as you choose.",
    ),
]


def _users():
    names = ["chen.yiming", "lin.meihua", "wang.jianguo", "huang.shufen", "lee.zhiwei"]
    return list(get_user_model().objects.filter(username__in=names))


@demo_loader(order=70)
def load_notifications(stdout):
    users = _users()
    if not users:
        stdout.write("  notifications: demo users missing, skipped")
        return
    for code, language, title, body in DEMO_TEMPLATES:
        MessageTemplate.objects.update_or_create(
            code=code,
            language=language,
            defaults={"title": title, "body": body, "sample_context": {"name": "陳怡明"}},
        )
    app, _created = Application.objects.get_or_create(
        name="Demo HR system (notices)",
        defaults={
            "client_type": Application.CLIENT_CONFIDENTIAL,
            "authorization_grant_type": Application.GRANT_CLIENT_CREDENTIALS,
            "redirect_uris": "",
            "is_internal": True,
            "show_in_launcher": False,
        },
    )
    ApiClient.objects.get_or_create(application=app, defaults={"source": DEMO_SOURCE_HR})
    if Notice.objects.filter(source=DEMO_SOURCE_HR).exists():
        stdout.write("  notifications: demo notices already there")
        return
    now = timezone.now()
    with transaction.atomic():
        for user in users:
            notify(
                recipients=[user],
                kind=NoticeKind.INFORMATION,
                template="notifications.welcome",
                context={"name": user.name_zh or user.username},
            )
        notify(
            recipients=users,
            kind=NoticeKind.INFORMATION,
            source=DEMO_SOURCE_HR,
            title={"zh-hant": "12 月份薪資單已發布", "en": "December payslip published"},
            body={"zh-hant": "請至人事差勤系統查閱。", "en": "See the HR system."},
            link="https://hr.example.gov.tw/payslips/2026-12",
        )
        im = Organization.objects.filter(code="IM").first()
        if im is not None:
            notify(
                recipients=[UnitMembers(im, include_subunits=True)],
                kind=NoticeKind.ALERT,
                source="monitoring",
                priority=Priority.HIGH,
                title={"zh-hant": "公文系統備份逾時", "en": "Document system backup timed out"},
                body={
                    "zh-hant": "今晚 02:00 的備份未完成，請值班人員確認。",
                    "en": "The 02:00 backup did not finish; the person on duty should check.",
                },
            )
        for user in users[:3]:
            notify(
                recipients=[user],
                kind=NoticeKind.TODO,
                source="documents",
                title={
                    "zh-hant": "請填寫 115 年度教育訓練時數",
                    "en": "Enter your 2026 training hours",
                },
                link="/documents/pending/",
                due=now + timedelta(days=5),
            )
    stdout.write(f"  notifications: demo notices for {len(users)} people")
