"""The citizen's whole journey in a real Chromium at 360 px: file a petition through the form
(every field, a real PNG, consent), confirm it by the e-mailed link, look the case up with the
e-mailed case number and query code, read the staff reply (sent through the case's
sign-off chain), rate it. axe-core on every public page, no horizontal overflow. The form
also at 1280 px in English.

The live server runs in this process and Celery is eager, so ``mail.outbox`` holds every mail.
"""

import re
import struct
import zlib

import pytest
from django.core import mail

from accounts.models import UnitOfficer
from core.models import County
from documents.choices import StepStatus
from documents.services import signoff_approve
from petitions import roles
from petitions.choices import PetitionStatus
from petitions.models import Attachment, Category, Petition, SatisfactionSurvey
from petitions.services import cases
from tests.browser_support import (
    DESKTOP,
    PHONE,
    check_axe,
    check_no_horizontal_overflow,
    html_lang,
    switch_language,
)

from .factories import grant

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _no_second_factor(settings):
    settings.MFA_REQUIRED_FOR_STAFF = False


@pytest.fixture
def category(transactional_db):

    return Category.objects.create(code="wages", name_zh="工資爭議", name_en="Wage disputes")


def tiny_png(path, width: int = 4, height: int = 3):
    """A real (small) PNG file: signature, IHDR, IDAT, IEND with correct CRCs."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    rows = b"".join(b"\x00" + b"\xd0\x30\x30" * width for _ in range(height))
    png = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )
    path.write_bytes(png)
    return path


def fill_form(page, *, category, png_path, name, email, subject, body):

    page.locator("#id_name").fill(name)
    page.locator("#id_email").fill(email)
    page.locator("#id_phone").fill("02-8590-2567")
    page.locator("#id_subject").fill(subject)
    page.locator("#id_category").select_option(str(category.pk))
    page.locator("#id_county").select_option(str(County.objects.get(code="63000").pk))
    page.locator("#id_body").fill(body)
    page.locator("#id_attachments").set_input_files(str(png_path))
    page.locator("#id_consent").check()


def test_citizen_journey_at_360px(live_server, open_page, category, make_user, tmp_path):
    page = open_page(PHONE)
    base = live_server.url

    # 1. The form, every field, a real PNG, consent.
    page.goto(base + "/petitions/")
    assert html_lang(page) == "zh-Hant"
    check_no_horizontal_overflow(page, PHONE, "petition form")
    check_axe(page, "petition form 360px")
    fill_form(
        page,
        category=category,
        png_path=tiny_png(tmp_path / "加班紀錄.png"),
        name="陳小明",
        email="chen.xiaoming@example.com",
        subject="公司未給付加班費",
        body="我在某公司擔任作業員，過去三個月每週加班十小時，公司都沒有給付加班費。"
        "<script>alert(1)</script>",
    )
    assert page.locator("#id_consent").is_checked()
    with page.expect_navigation():
        page.locator("form.pet-form button[type=submit]").click()
    assert page.url == base + "/petitions/submitted/"
    check_no_horizontal_overflow(page, PHONE, "submitted page")
    check_axe(page, "submitted page 360px")

    petition = Petition.objects.get()
    assert petition.status == PetitionStatus.PENDING_CONFIRMATION
    assert petition.citizen_phone == "02-8590-2567"
    assert petition.county.name_zh == "臺北市"
    attachment = Attachment.objects.get(petition=petition)
    assert attachment.content_type == "image/png"

    # 2. The confirmation mail and its link.
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["chen.xiaoming@example.com"]
    link = re.search(r"https?://\S+/petitions/confirm/[\w-]+/", mail.outbox[0].body).group(0)
    assert link.startswith(base)
    page.goto(link)
    check_no_horizontal_overflow(page, PHONE, "confirmation page")
    check_axe(page, "confirmation page 360px")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    check_axe(page, "confirmed page 360px")

    # 3. The case number + query code mail.
    petition.refresh_from_db()
    assert petition.status == PetitionStatus.RECEIVED
    assert petition.case_number in page.locator("main").inner_text()
    number_mail = mail.outbox[-1]
    assert petition.case_number in number_mail.body
    query_code = re.search(r"[:：]\s*([A-Z0-9]{10})\s*$", number_mail.body, re.M).group(1)

    # 4. Progress page with them.
    page.goto(base + "/petitions/progress/")
    check_no_horizontal_overflow(page, PHONE, "progress page")
    check_axe(page, "progress page 360px")
    page.locator("#id_case_number").fill(petition.case_number)
    page.locator("#id_query_code").fill(query_code)
    with page.expect_navigation():
        page.locator("form.pet-form button[type=submit]").click()
    assert page.url == f"{base}/petitions/case/{petition.case_number}/"
    main = page.locator("main").inner_text()
    assert "公司未給付加班費" in main
    assert "<script>alert(1)</script>" in main  # shown as text, not run
    check_no_horizontal_overflow(page, PHONE, "case page")
    check_axe(page, "case page 360px")

    # 5. Staff reply through the case services: reply, sign-off, sent.
    petition.refresh_from_db()
    assert petition.document_id, "the confirmed case was not registered"
    handler = make_user(username="handler")
    grant(handler, roles.HANDLER)
    chief = make_user(username="chief")
    UnitOfficer.objects.create(unit=petition.handling_unit, user=chief, kind="head")
    cases.reply_submit(
        petition=petition, text="您好，本部已函請雇主於十日內補發加班費。", actor=handler
    )
    petition.refresh_from_db()
    step = petition.document.signoff_chains.get().steps.get(status=StepStatus.PENDING)
    signoff_approve(step=step, actor=chief)
    petition.refresh_from_db()
    assert petition.status == PetitionStatus.ANSWERED
    assert any("十日內補發加班費" in m.body for m in mail.outbox)

    # 6. The citizen reads the reply and rates it.
    page.reload()
    assert "本部已函請雇主於十日內補發加班費" in page.locator(".pet-reply").inner_text()
    check_no_horizontal_overflow(page, PHONE, "case page with the reply")
    check_axe(page, "case page with the reply 360px")
    with page.expect_navigation():
        page.locator(f"a[href='/petitions/case/{petition.case_number}/survey/']").click()
    check_no_horizontal_overflow(page, PHONE, "survey page")
    check_axe(page, "survey page 360px")
    page.locator("input[name=rating][value='4']").check()
    page.locator("#id_comment").fill("回覆清楚，謝謝。")
    with page.expect_navigation():
        page.locator("form.pet-form button[type=submit]").click()
    assert page.locator("main [role=status]").count() == 1
    check_axe(page, "survey thanks 360px")
    survey = SatisfactionSurvey.objects.get(petition=petition)
    assert (survey.rating, survey.comment) == (4, "回覆清楚，謝謝。")

    # 7. Public statistics count it.
    page.goto(base + "/petitions/statistics/")
    check_no_horizontal_overflow(page, PHONE, "statistics page")
    check_axe(page, "statistics page 360px")
    assert "工資爭議" in page.locator("main").inner_text()


def test_form_in_english_at_1280px(live_server, open_page, category, tmp_path):

    page = open_page(DESKTOP)
    page.goto(live_server.url + "/petitions/")
    switch_language(page, "English")
    assert html_lang(page) == "en"
    check_no_horizontal_overflow(page, DESKTOP, "petition form (en)")
    check_axe(page, "petition form en 1280px")

    # A missing consent is announced in the error summary, which names the field.
    fill_form(
        page,
        category=category,
        png_path=tiny_png(tmp_path / "wages.png"),
        name="Alex Lin",
        email="alex.lin@example.com",
        subject="Unpaid overtime",
        body="My employer has not paid overtime for three months.",
    )
    page.locator("#id_consent").uncheck()
    with page.expect_navigation():
        page.locator("form.pet-form button[type=submit]").click()
    alert = page.get_by_role("alert")
    assert "privacy notice" in alert.inner_text()
    check_axe(page, "petition form with errors en 1280px")
    assert Petition.objects.count() == 0

    page.locator("#id_attachments").set_input_files(str(tmp_path / "wages.png"))
    page.locator("#id_consent").check()
    with page.expect_navigation():
        page.locator("form.pet-form button[type=submit]").click()
    assert page.url == live_server.url + "/petitions/submitted/"
    assert Petition.objects.get().citizen_name == "Alex Lin"
    assert len(mail.outbox) == 1
