"""Helpers and fixtures of the issue, archive and editor tests (H2's side of the e-papers).

People, from tests/conftest.py: ``owner`` edits the weekly newsletter (its editors' role),
``colleague`` edits another newsletter (the bulletin), ``outsider`` edits none. Test modules
import the fixtures they use from here.
"""

from __future__ import annotations

import struct
import zlib
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from accounts.oidc.services import role_assign
from core.sequences import next_value
from epaper.constants import ISSUE_NUMBER_SCOPE
from epaper.models import Issue, IssueState, Newsletter
from epaper.roles import MANAGER, editor_role
from epaper.services.issues import ISSUE_NUMBER_YEAR, clean_html, html_to_text

SITE = "https://epaper.example.gov.tw"


def grant(user, role: str):
    with transaction.atomic():
        role_assign(application=None, user=user, role_code=role)
    return user


def png_bytes(width: int = 4, height: int = 3) -> bytes:
    """A real (small) PNG: signature, IHDR, IDAT, IEND with correct CRCs."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    rows = b"".join(b"\x00" + b"\xd0\x30\x30" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def png_upload(name: str = "chart.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


def make_issue(
    newsletter: Newsletter,
    title: str = "本期標題",
    html: str = "<h1>標題</h1><p>內容</p>",
    *,
    state: str = IssueState.DRAFT,
    published_days_ago: int | None = None,
    created_by=None,
) -> Issue:
    """An issue written straight to the database (for the read side); a published one
    (``published_days_ago``) gets the next number of its newsletter's counter."""
    cleaned = clean_html(html)
    issue = Issue(
        newsletter=newsletter,
        title=title,
        html=cleaned,
        text=html_to_text(cleaned),
        state=state,
        created_by=created_by,
    )
    if published_days_ago is not None:
        with transaction.atomic():
            issue.number = next_value(
                scope=f"{ISSUE_NUMBER_SCOPE}:{newsletter.code}", year=ISSUE_NUMBER_YEAR
            )
        moment = timezone.now() - timedelta(days=published_days_ago)
        issue.state = state if state != IssueState.DRAFT else IssueState.SENT
        issue.started_at = issue.published_at = moment
        issue.sent_at = moment + timedelta(minutes=5)
        issue.recipients, issue.sent_count, issue.failed_count, issue.bounced_count = 120, 118, 2, 3
    issue.save()
    return issue


@pytest.fixture
def site(settings):
    settings.SITE_URL = SITE
    settings.MFA_REQUIRED_FOR_STAFF = False
    return SITE


@pytest.fixture
def weekly(db):
    return Newsletter.objects.get(code="weekly")


@pytest.fixture
def bulletin(db):
    return Newsletter.objects.get(code="bulletin")


@pytest.fixture
def editors(owner, colleague, outsider):
    """owner edits the weekly, colleague the bulletin, outsider nothing."""
    grant(owner, editor_role("weekly"))
    grant(colleague, editor_role("bulletin"))
    return owner, colleague, outsider


@pytest.fixture
def manager(make_user):
    return grant(make_user(username="epaper-manager"), MANAGER)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
