"""E-mail intake against a real IMAP server (dovecot started by the test)."""

import pytest
from django.utils import translation

from petitions.choices import PetitionSource
from petitions.models import InboundMessage, InboundState, Petition
from petitions.services.intake import import_imap

from . import mail_samples as mails
from .imap_server import imap_server  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """Messages stored on cases are written in the active language; these tests read English."""
    with translation.override("en"):
        yield


def test_imap_import_reads_big5_html_and_an_attachment(
    imap_server,  # noqa: F811
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    imap_server.append(mails.big5_with_attachment())
    with django_capture_on_commit_callbacks(execute=True):
        result = import_imap(**imap_server.import_kwargs())
    assert result.created == 1
    petition = Petition.objects.get()
    assert petition.subject == "資遣費計算疑問"
    assert petition.citizen_name == "陳美玲"
    assert petition.citizen_email == "chen@example.com.tw"
    assert "資遣費怎麼算" in petition.body
    assert petition.source == PetitionSource.EMAIL
    attachment = petition.attachments.get()
    assert attachment.original_name == "資遣通知.pdf"
    assert attachment.content_type == "application/pdf"
    assert petition.document is not None and petition.deadline is not None
    assert mailoutbox[0].to == ["chen@example.com.tw"]
    assert petition.case_number in mailoutbox[0].subject


def test_running_the_import_again_creates_nothing_new(imap_server):  # noqa: F811
    imap_server.append(mails.plain(message_id="<a@example.com>"))
    imap_server.append(mails.big5_with_attachment())
    import_imap(**imap_server.import_kwargs(search="ALL"))
    again = import_imap(**imap_server.import_kwargs(search="ALL"))
    assert again.seen == 2 and again.created == 0
    assert Petition.objects.count() == 2
    assert InboundMessage.objects.count() == 2


def test_crash_midway_then_rerun_gives_one_case_per_message(
    imap_server,  # noqa: F811
    settings,
    tmp_path,
):
    imap_server.append(mails.plain(message_id="<one@example.com>"))
    imap_server.append(mails.big5_with_attachment(message_id="<two@example.com>"))
    imap_server.append(mails.plain(message_id="<three@example.com>", subject="第三封"))
    # A real failure on the second message: the file storage cannot write its attachment.
    broken = tmp_path / "not-a-folder"
    broken.write_text("x")
    settings.MEDIA_ROOT = broken
    with pytest.raises(OSError):
        import_imap(**imap_server.import_kwargs(search="ALL"))
    assert list(InboundMessage.objects.values_list("message_id", flat=True)) == [
        "<one@example.com>"
    ]
    settings.MEDIA_ROOT = tmp_path / "media"
    import_imap(**imap_server.import_kwargs(search="ALL"))
    import_imap(**imap_server.import_kwargs(search="ALL"))
    ids = sorted(InboundMessage.objects.values_list("message_id", flat=True))
    assert ids == ["<one@example.com>", "<three@example.com>", "<two@example.com>"]
    assert Petition.objects.count() == 3
    assert len(set(Petition.objects.values_list("case_number", flat=True))) == 3


def test_a_malformed_message_is_queued_as_failed_and_does_not_stop_the_run(imap_server):  # noqa: F811
    imap_server.append(b"Subject: no sender\r\nMessage-ID: <bad@x>\r\n\r\nbody\r\n")
    imap_server.append(mails.plain(message_id="<good@example.com>"))
    result = import_imap(**imap_server.import_kwargs())
    assert result.created == 1
    bad = InboundMessage.objects.get(message_id="<bad@x>")
    assert bad.state == InboundState.FAILED and "sender" in bad.error
