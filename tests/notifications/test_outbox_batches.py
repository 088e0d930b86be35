"""The outbox in chunks: one claim, one SMTP connection and one mark per chunk, each row with
its own outcome; concurrent relays never share a row; a stopped chunk gives its untried rows
back; the relay task drains what is due; the mail bytes are the message Django would build."""

import email
import email.policy
import threading
import time
from datetime import timedelta
from unittest import mock

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from notifications.choices import AttemptOutcome, DeliveryState
from notifications.constants import RELAY_QUEUED_KEY
from notifications.models import Delivery, DeliveryAttempt
from notifications.services import deliveries_relay, delivery_send, outbox_email
from notifications.services import outbox as outbox_module
from notifications.services.outbox import deliveries_send, email_bytes
from notifications.tasks import deliver

pytestmark = pytest.mark.django_db


def _rows(count: int, **extra) -> list[Delivery]:
    return [
        outbox_email(
            to=f"person{i}@example.com",
            subject=f"Notice {i}",
            text=f"Body {i}",
            enqueue=False,
            **extra,
        )
        for i in range(count)
    ]


def _states(rows) -> dict[int, str]:
    return dict(Delivery.objects.filter(pk__in=[r.pk for r in rows]).values_list("pk", "state"))


def test_a_chunk_with_one_refused_recipient_sends_the_rest_over_one_connection(
    smtp_settings, django_assert_max_num_queries
):
    rows = _rows(6)
    refused = rows[2]
    smtp_settings.refuse.add(refused.to)
    # Claim, send, mark: a fixed number of statements for the whole chunk.
    with django_assert_max_num_queries(10):
        assert deliveries_send(delivery_ids=[r.pk for r in rows]) == 5
    received = smtp_settings.wait_for(5)
    assert sorted(m["Message-ID"] for m in received) == sorted(
        r.message_id for r in rows if r.pk != refused.pk
    )
    assert smtp_settings.greetings == 1  # one connection, kept after the refusal
    states = _states(rows)
    assert states.pop(refused.pk) == DeliveryState.FAILED
    assert set(states.values()) == {DeliveryState.SENT}
    refused.refresh_from_db()
    assert refused.attempts == 1 and "550" in refused.last_error
    outcomes = dict(DeliveryAttempt.objects.values_list("delivery_id", "outcome"))
    assert outcomes.pop(refused.pk) == AttemptOutcome.FAILED
    assert set(outcomes.values()) == {AttemptOutcome.SENT} and len(outcomes) == 5
    # Nothing is sent twice afterwards.
    assert deliveries_send(delivery_ids=[r.pk for r in rows]) == 0
    assert deliveries_relay()["sent"] == 0
    assert len(smtp_settings.messages) == 5


def test_the_claim_statement_is_one_per_chunk_however_many_rows(
    django_assert_max_num_queries, monkeypatch
):
    rows = _rows(30)
    monkeypatch.setattr(outbox_module, "RELAY_CHUNK", 10)
    # 3 chunks: each a claim and one mark; never a query per row.
    with django_assert_max_num_queries(3 * 8):
        assert deliveries_send(delivery_ids=[r.pk for r in rows]) == 30
    assert len(mail.outbox) == 30
    assert set(_states(rows).values()) == {DeliveryState.SENT}


def test_sensitive_rows_of_a_chunk_lose_their_text_and_others_keep_it():
    secret = outbox_email(to="a@example.com", subject="Code", text="code 123456", enqueue=False,
                          sensitive=True)  # fmt: skip
    plain = outbox_email(to="b@example.com", subject="Hello", text="hello", enqueue=False)
    assert deliveries_send(delivery_ids=[secret.pk, plain.pk]) == 2
    secret.refresh_from_db()
    plain.refresh_from_db()
    assert (secret.text, secret.html) == ("", "")
    assert plain.text == "hello"
    assert {m.extra_headers["Message-ID"] for m in mail.outbox} == {
        secret.message_id,
        plain.message_id,
    }


def test_a_relay_that_starts_while_another_sends_takes_only_the_rest(monkeypatch):
    """A second relay runs right after the first one claimed its chunk (as a second worker
    would): it claims only what the first did not, and no row goes out twice."""
    rows = _rows(7)
    monkeypatch.setattr(outbox_module, "RELAY_CHUNK", 3)
    real_claim = outbox_module._claim_chunk
    inner: dict = {}

    def claim(**kwargs):
        claimed = real_claim(**kwargs)
        if not inner:
            inner["started"] = True
            inner["result"] = deliveries_relay()  # the other worker, right now
        return claimed

    monkeypatch.setattr(outbox_module, "_claim_chunk", claim)
    outer = deliveries_relay()
    assert inner["result"]["due"] == 4  # the first had claimed 3
    assert outer["sent"] + inner["result"]["sent"] == 7
    ids = [m.extra_headers["Message-ID"] for m in mail.outbox]
    assert sorted(ids) == sorted(r.message_id for r in rows)
    assert set(Delivery.objects.values_list("attempts", flat=True)) == {1}
    assert DeliveryAttempt.objects.count() == 7


@pytest.mark.django_db(transaction=True)
def test_two_relays_at_once_on_postgresql_never_send_a_row_twice(needs_postgres, monkeypatch):
    rows = _rows(120)
    monkeypatch.setattr(outbox_module, "RELAY_CHUNK", 10)
    sent_ids: list[str] = []
    lock = threading.Lock()

    def slow_send(self, messages):
        time.sleep(0.002)  # both relays are mid-chunk at the same time
        with lock:
            sent_ids.extend(m.extra_headers["Message-ID"] for m in messages)
        return len(messages)

    results = []

    def relay():
        try:
            results.append(deliveries_relay(limit=1000))
        finally:
            connection.close()

    with mock.patch("django.core.mail.backends.locmem.EmailBackend.send_messages", slow_send):
        threads = [threading.Thread(target=relay) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    assert len(results) == 2
    assert all(r["sent"] > 0 for r in results), results  # both took part
    assert sum(r["sent"] for r in results) == 120
    assert sorted(sent_ids) == sorted(r.message_id for r in rows)
    assert set(Delivery.objects.values_list("state", flat=True)) == {DeliveryState.SENT}
    assert DeliveryAttempt.objects.count() == 120


def test_a_chunk_stopped_mid_way_marks_what_was_sent_and_gives_back_the_rest(monkeypatch):
    rows = _rows(5)
    real_send = outbox_module._send_email
    calls = {"n": 0}

    def send_email(delivery):
        calls["n"] += 1
        if calls["n"] == 3:
            raise SoftTimeLimitExceeded()
        return real_send(delivery)

    monkeypatch.setattr(outbox_module, "_send_email", send_email)
    with pytest.raises(SoftTimeLimitExceeded):
        deliveries_send(delivery_ids=[r.pk for r in rows])
    by_pk = {d.pk: d for d in Delivery.objects.filter(pk__in=[r.pk for r in rows])}
    first, second, stopped, *untried = (by_pk[r.pk] for r in rows)
    assert first.state == second.state == DeliveryState.SENT
    # Stopped while sending: unknown whether it went out; retried later, same Message-ID.
    assert stopped.state == DeliveryState.PENDING and stopped.attempts == 1
    assert stopped.due_at > timezone.now()
    # Never tried: back at once, the attempt not counted.
    assert {(d.state, d.attempts, d.lease_until) for d in untried} == {
        (DeliveryState.PENDING, 0, None)
    }
    assert len(mail.outbox) == 2
    monkeypatch.setattr(outbox_module, "_send_email", real_send)
    assert deliveries_relay()["sent"] == 2  # the untried ones; the stopped one waits
    assert len({m.extra_headers["Message-ID"] for m in mail.outbox}) == 4


def test_a_chunk_gives_back_what_it_had_no_time_for(settings):
    settings.NOTIFICATIONS_CLAIM_LEASE_SECONDS = 300
    rows = _rows(4)
    claimed, token = outbox_module._claim_chunk(ids=[r.pk for r in rows])
    clock = iter([0.0, 0.0, 0.0])  # the start, the first row's check and its mark check

    def monotonic():
        return next(clock, 1e9)  # then time is up

    with mock.patch.object(outbox_module, "time", mock.Mock(monotonic=monotonic)):
        assert outbox_module._send_claimed(claimed, token, deadline=10) == 1
    states = _states(rows)
    assert sorted(states.values()).count(DeliveryState.SENT) == 1
    assert sorted(states.values()).count(DeliveryState.PENDING) == 3


def test_rows_whose_lease_is_half_gone_are_given_back_unsent(settings, monkeypatch):
    """A slow provider: a chunk is sent for at most half its lease; the rest goes back to
    pending at once (not counted as an attempt) and the next relay sends it, each row once."""
    settings.NOTIFICATIONS_CLAIM_LEASE_SECONDS = 0.3
    rows = _rows(6)
    real_send = outbox_module._send_email

    def slow_send(delivery):
        time.sleep(0.06)
        return real_send(delivery)

    monkeypatch.setattr(outbox_module, "_send_email", slow_send)
    first = deliveries_send(delivery_ids=[r.pk for r in rows])
    assert 1 <= first < 6
    after = Delivery.objects.filter(pk__in=[r.pk for r in rows])
    assert {(d.state, d.attempts) for d in after if d.state != DeliveryState.SENT} == {
        (DeliveryState.PENDING, 0)
    }
    for _round in range(10):
        if deliveries_relay()["due"] == 0:
            break
    assert set(_states(rows).values()) == {DeliveryState.SENT}
    ids = [m.extra_headers["Message-ID"] for m in mail.outbox]
    assert sorted(ids) == sorted(r.message_id for r in rows)
    assert set(Delivery.objects.values_list("attempts", flat=True)) == {1}


def test_the_relay_task_sends_its_rows_then_whatever_else_is_due():
    mine, other, later_one = _rows(3)
    Delivery.objects.filter(pk=later_one.pk).update(due_at=timezone.now() + timedelta(hours=1))
    assert deliver(delivery_ids=[mine.pk]) == 2
    assert _states([mine, other, later_one]) == {
        mine.pk: DeliveryState.SENT,
        other.pk: DeliveryState.SENT,
        later_one.pk: DeliveryState.PENDING,
    }
    assert deliver(delivery_ids=[mine.pk]) == 0  # a redelivered task finds nothing


def test_while_a_relay_task_is_queued_a_commit_publishes_none(django_capture_on_commit_callbacks):
    with mock.patch("celery.app.task.Task.apply_async") as publish:
        with django_capture_on_commit_callbacks(execute=True):
            first = outbox_email(to="a@example.com", subject="s", text="t")
        with django_capture_on_commit_callbacks(execute=True):
            second = outbox_email(to="b@example.com", subject="s", text="t")
        assert publish.call_count == 1  # the queued task sends both when it starts
        assert publish.call_args.kwargs["kwargs"] == {"delivery_ids": [first.pk]}
    assert deliver(delivery_ids=[first.pk]) == 2  # it starts: clears the flag, drains
    assert {m.extra_headers["Message-ID"] for m in mail.outbox} == {
        first.message_id,
        second.message_id,
    }
    with mock.patch("celery.app.task.Task.apply_async") as publish:
        with django_capture_on_commit_callbacks(execute=True):
            outbox_email(to="c@example.com", subject="s", text="t")
        assert publish.call_count == 1  # started: the next commit publishes again


def test_a_failed_publish_does_not_hold_back_the_next(django_capture_on_commit_callbacks):
    with mock.patch("celery.app.task.Task.apply_async", side_effect=ConnectionError("down")):
        with django_capture_on_commit_callbacks(execute=True):
            outbox_email(to="a@example.com", subject="s", text="t")
    assert cache.get(RELAY_QUEUED_KEY) is None
    with django_capture_on_commit_callbacks(execute=True):
        outbox_email(to="b@example.com", subject="s", text="t")
    assert len(mail.outbox) == 2  # eager: the task ran and drained both


def test_delivery_send_still_sends_one_row():
    first, second = _rows(2)
    assert delivery_send(delivery_id=first.pk) is True
    assert _states([first, second]) == {
        first.pk: DeliveryState.SENT,
        second.pk: DeliveryState.PENDING,
    }


# --- The bytes on the wire ------------------------------------------------------------------


def _parsed(data: bytes):
    return email.message_from_bytes(data, policy=email.policy.default)


def _compare(delivery: Delivery):
    """The outbox's bytes and Django's message of the same row, parsed: equal but for the
    Date and the boundary."""
    _sender, _to, data = email_bytes(delivery)
    ours = _parsed(data)
    django = _parsed(outbox_module._email_message(delivery).message().as_bytes(linesep="\r\n"))
    skip = {"date", "content-type"}

    def headers(message):  # Django's double folding may leave a space at the start
        return [(k, " ".join(str(v).split())) for k, v in message.items() if k.lower() not in skip]

    assert headers(ours) == headers(django)
    assert ours.get_content_type() == django.get_content_type() == "multipart/alternative"
    ours_parts = [(p.get_content_type(), p.get_content()) for p in ours.iter_parts()]
    django_parts = [(p.get_content_type(), p.get_content()) for p in django.iter_parts()]
    assert ours_parts == django_parts
    for line in data.split(b"\r\n"):
        assert len(line) <= 998
    assert b"\n" not in data.replace(b"\r\n", b"")
    return ours


@pytest.mark.parametrize(
    "fields",
    [
        {"subject": "Hello", "text": "Plain ASCII body.\n"},
        {"subject": "案件確認 Confirmation 第 2026-0001 號", "text": "純文字\n第二行",
         "html": "<p>HTML 內容</p>"},
        {"subject": "長" * 300, "text": "x"},
        {"subject": "Long " * 60, "text": "line\r\nwindows\rold mac\n.leading dot\n"},
        {"subject": "s", "text": "很長的一行" * 300},  # > 998 bytes: quoted-printable
        {"subject": "s", "text": "t", "reply_to": "reply@example.gov.tw",
         "headers": {"In-Reply-To": "<a@b>", "References": " ".join(f"<m{i}@x>" for i in range(30)),
                     "X-Case": "陳情 123"}},
        {"subject": "s", "text": "t", "to": "person+tag@bücher.example"},
    ],
)  # fmt: skip
def test_the_mail_bytes_are_the_message_django_would_send(fields):
    delivery = outbox_email(**{"to": "citizen@example.com", **fields}, enqueue=False)
    _compare(delivery)


def test_sender_name_and_bounce_address_as_django_writes_them(settings):
    settings.NOTIFICATIONS_FROM_EMAIL = "勞動部入口網 <no-reply@mol.gov.tw>"
    settings.NOTIFICATIONS_BOUNCE_ADDRESS = "bounces@mol.gov.tw"
    delivery = outbox_email(to="citizen@example.com", subject="s", text="t", enqueue=False)
    message = _compare(delivery)
    assert message["From"].addresses[0].display_name == "勞動部入口網"
    assert message["Return-Path"] == "bounces@mol.gov.tw"
    sender, recipients, _data = email_bytes(delivery)
    assert sender.endswith("<no-reply@mol.gov.tw>")
    assert recipients == ["citizen@example.com"]


def test_a_header_that_cannot_be_sent_fails_the_row_not_the_chunk(smtp_settings):
    bad, good = _rows(2)
    Delivery.objects.filter(pk=bad.pk).update(headers={"X-Evil": "a\r\nBcc: victim@example.com"})
    assert deliveries_send(delivery_ids=[bad.pk, good.pk]) == 1
    assert _states([bad, good]) == {bad.pk: DeliveryState.FAILED, good.pk: DeliveryState.SENT}
    [message] = smtp_settings.wait_for(1)
    assert message["Message-ID"] == good.message_id
    assert all(b"victim" not in raw for raw in smtp_settings.raw)


def test_what_the_sink_receives_is_what_email_bytes_built(smtp_settings):
    [row] = _rows(1, html="<p>Hi</p>")
    assert deliveries_send(delivery_ids=[row.pk]) == 1
    smtp_settings.wait_for(1)
    [raw] = smtp_settings.raw
    received = _parsed(raw)
    assert received["Message-ID"] == row.message_id
    assert [p.get_content_type() for p in received.iter_parts()] == ["text/plain", "text/html"]
