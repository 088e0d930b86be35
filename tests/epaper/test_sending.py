"""Sending an issue: the start, batches through a real SMTP sink, who is skipped, refusals and
deferrals, the rate limit and the connections, expired claims resent with the same Message-ID,
concurrent claims (PostgreSQL), the tasks, the test send, and a real Celery worker killed in
the middle of a send (no gap, at most one duplicate per crash)."""

import os
import signal
import socket
import subprocess
import threading
import time
from collections import Counter
from datetime import timedelta

import pytest
from celery import Celery
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections
from django.utils import timezone

from epaper import tasks
from epaper.constants import TASK_SEND_DUE
from epaper.models import (
    DeliveryState,
    Issue,
    IssueDelivery,
    IssueState,
    Subscription,
    SubscriptionState,
)
from epaper.roles import MANAGER, editor_role
from epaper.services import sending
from epaper.services.sending import (
    deliveries_claim,
    issue_send,
    issue_send_batch,
    issue_start,
    issue_test_send,
)
from epaper.tasks import BEAT, send_due
from notifications.services.bulk import BulkSmtp, PermanentRefusal, TemporaryFailure, TokenBucket
from tests.core.conftest import celery_command, postgres_url, process_env
from tests.notifications.conftest import unique_node, worker_log

from .sending_support import (  # noqa: F401 - fixtures
    _site,
    disable,
    free_port,
    grant,
    own_redis,
    parts,
    received_ids,
    scheduled_issue,
    smtp_settings,
    smtp_sink,
    subscribe,
    subscribers,
)

ROOT = settings.BASE_DIR


def _states(issue) -> Counter:
    return Counter(IssueDelivery.objects.filter(issue=issue).values_list("state", flat=True))


# --- Start ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_start_writes_a_row_per_confirmed_subscription_of_an_active_subscriber():
    wanted = [subscribe(f"yes{n}@example.com") for n in range(3)]
    subscribe("pending@example.com", state=SubscriptionState.PENDING)
    subscribe("left@example.com", state=SubscriptionState.UNSUBSCRIBED)
    subscribe("other@example.com", "bulletin")
    disable(subscribe("bounced@example.com"))
    issue = scheduled_issue()

    before = timezone.now()
    assert issue_start(issue=issue) is True
    assert issue.state == IssueState.SENDING
    assert issue.published_at >= before and issue.started_at == issue.published_at
    assert issue.recipients == 3
    rows = IssueDelivery.objects.filter(issue=issue)
    assert {r.subscriber_id for r in rows} == {s.pk for s in wanted}
    assert {r.state for r in rows} == {DeliveryState.PENDING}
    assert len({r.message_id for r in rows}) == 3

    # Idempotent: started once.
    assert issue_start(issue=issue) is False
    assert IssueDelivery.objects.filter(issue=issue).count() == 3


@pytest.mark.django_db
def test_an_issue_not_yet_due_or_not_scheduled_does_not_start():
    subscribe("a@example.com")
    later = scheduled_issue(at=timezone.now() + timedelta(hours=1))
    draft = scheduled_issue()
    Issue.objects.filter(pk=draft.pk).update(state=IssueState.DRAFT)
    assert sending.issues_start_due() == []
    assert issue_start(issue=later) is False
    assert IssueDelivery.objects.count() == 0
    later.refresh_from_db()
    assert later.state == IssueState.SCHEDULED and later.published_at is None


# --- Batches ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_every_recipient_gets_the_issue_once_and_the_issue_is_marked_sent(
    smtp_settings,  # noqa: F811
):
    people = subscribers(25)
    issue = scheduled_issue()
    issue_start(issue=issue)
    first = issue_send_batch(issue_id=issue.pk, limit=10)
    assert (first.claimed, first.sent, first.done) == (10, 10, False)
    result = issue_send(issue_id=issue.pk, seconds=30, limit=10)
    assert result["done"] is True and result["sent"] == 15

    smtp_settings.wait_for(25)
    assert sorted(rcpt for _f, [rcpt] in smtp_settings.envelopes) == sorted(p.email for p in people)
    rows = IssueDelivery.objects.filter(issue=issue)
    assert sorted(received_ids(smtp_settings)) == sorted(r.message_id for r in rows)
    assert _states(issue) == {DeliveryState.SENT: 25}
    assert all(r.sent_at is not None and r.attempts == 1 for r in rows)
    issue.refresh_from_db()
    assert issue.state == IssueState.SENT and issue.sent_at is not None
    assert (issue.recipients, issue.sent_count, issue.failed_count) == (25, 25, 0)


@pytest.mark.django_db
def test_who_left_or_was_disabled_after_the_start_is_skipped(smtp_settings):  # noqa: F811
    stays, leaves, bounced = (subscribe(f"{n}@example.com") for n in ("stays", "leaves", "hard"))
    issue = scheduled_issue()
    issue_start(issue=issue)
    Subscription.objects.filter(subscriber=leaves).update(state=SubscriptionState.UNSUBSCRIBED)
    disable(bounced)
    result = issue_send_batch(issue_id=issue.pk)
    assert (result.sent, result.skipped, result.done) == (1, 2, True)
    time.sleep(0.3)
    assert [rcpt for _f, [rcpt] in smtp_settings.envelopes] == [stays.email]
    assert _states(issue) == {DeliveryState.SENT: 1, DeliveryState.SKIPPED: 2}
    issue.refresh_from_db()
    assert (issue.state, issue.sent_count, issue.recipients) == (IssueState.SENT, 1, 3)


@pytest.mark.django_db
def test_a_refused_recipient_fails_and_a_deferred_one_is_tried_again_later(
    smtp_settings,  # noqa: F811
    settings,
):
    settings.EPAPER_SEND_MAX_ATTEMPTS = 2
    subscribers(3)
    smtp_settings.refuse.add("reader1@example.com")
    smtp_settings.defer.add("reader2@example.com")
    issue = scheduled_issue()
    issue_start(issue=issue)
    result = issue_send_batch(issue_id=issue.pk)
    assert (result.sent, result.failed, result.deferred, result.done) == (1, 1, 1, False)
    assert not result.server_trouble
    refused = IssueDelivery.objects.get(issue=issue, subscriber__email="reader1@example.com")
    assert refused.state == DeliveryState.FAILED and "550" in refused.error
    deferred = IssueDelivery.objects.get(issue=issue, subscriber__email="reader2@example.com")
    assert deferred.state == DeliveryState.PENDING and "451" in deferred.error
    assert deferred.lease_until > timezone.now()  # not claimable for a while
    assert issue_send_batch(issue_id=issue.pk).claimed == 0

    IssueDelivery.objects.filter(pk=deferred.pk).update(lease_until=timezone.now())
    again = issue_send_batch(issue_id=issue.pk)  # second attempt: the limit, so it fails
    assert (again.claimed, again.failed, again.done) == (1, 1, True)
    issue.refresh_from_db()
    assert (issue.state, issue.sent_count, issue.failed_count) == (IssueState.SENT, 1, 2)


@pytest.mark.django_db
def test_a_server_that_is_down_pauses_the_send_and_gives_the_rows_back(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nobody listens
    subscribers(5)
    issue = scheduled_issue()
    issue_start(issue=issue)
    result = issue_send(issue_id=issue.pk, seconds=10)
    assert result["done"] is False and result["more"] is False and result["sent"] == 0
    assert _states(issue) == {DeliveryState.PENDING: 5}
    assert all(a <= 1 for a in IssueDelivery.objects.values_list("attempts", flat=True))
    issue.refresh_from_db()
    assert issue.state == IssueState.SENDING


@pytest.mark.django_db
def test_an_expired_claim_is_sent_again_with_the_same_message_id(smtp_settings, settings):  # noqa: F811
    subscribers(3)
    issue = scheduled_issue()
    issue_start(issue=issue)
    # A worker claimed two rows and died before sending.
    ids, _token = deliveries_claim(issue_id=issue.pk, limit=2)
    assert len(ids) == 2
    first = issue_send_batch(issue_id=issue.pk)
    assert (first.claimed, first.sent, first.done) == (1, 1, False)  # the claim still holds
    IssueDelivery.objects.filter(pk__in=ids).update(lease_until=timezone.now() - timedelta(1))
    second = issue_send_batch(issue_id=issue.pk)
    assert (second.claimed, second.sent, second.done) == (2, 2, True)
    smtp_settings.wait_for(3)
    expected = IssueDelivery.objects.filter(pk__in=ids).values_list("message_id", flat=True)
    assert set(expected) <= set(received_ids(smtp_settings))
    assert sorted(IssueDelivery.objects.filter(pk__in=ids).values_list("attempts", flat=True)) == [
        2,
        2,
    ]


@pytest.mark.django_db
def test_connections_and_rate_limit(smtp_settings, settings):  # noqa: F811
    settings.EPAPER_SMTP_CONNECTIONS = 3
    settings.EPAPER_SMTP_RATE = 20
    subscribers(30)
    issue = scheduled_issue()
    issue_start(issue=issue)
    started = time.monotonic()
    result = issue_send(issue_id=issue.pk, seconds=60)
    elapsed = time.monotonic() - started
    assert result["done"] and result["sent"] == 30
    # 30 messages at 20/s with a burst of 3: at least (30 - 3) / 20 s.
    assert elapsed >= 1.3
    assert smtp_settings.greetings == 3  # three connections, each reused
    assert len(set(received_ids(smtp_settings))) == 30


def test_the_token_bucket_waits_for_its_rate():
    clock = [0.0]
    slept = []

    def sleep(seconds):
        slept.append(seconds)
        clock[0] += seconds

    bucket = TokenBucket(10, capacity=2, clock=lambda: clock[0], sleep=sleep)
    waits = [bucket.take() for _ in range(5)]
    assert waits[:2] == [0.0, 0.0]  # the burst
    assert waits[2:] == pytest.approx([0.1, 0.1, 0.1])
    assert TokenBucket(0).take() == 0.0


def test_bulk_smtp_reconnects_once_after_the_server_dropped_the_connection(smtp_sink):  # noqa: F811
    smtp = BulkSmtp(host="127.0.0.1", port=smtp_sink.port, use_tls=False, connections=1)
    message = b"Subject: x\r\nMessage-ID: <1@x>\r\n\r\n.line with a dot\r\n"
    smtp.send("a@example.com", "b@example.com", message)
    # The connection is gone between two messages (a server's idle timeout, a restart).
    smtp._pool.queue[0].smtp.sock.shutdown(socket.SHUT_RDWR)
    smtp.send("a@example.com", "c@example.com", message)
    smtp.close()
    smtp_sink.wait_for(2)
    assert [rcpt for _f, [rcpt] in smtp_sink.envelopes] == ["b@example.com", "c@example.com"]
    assert smtp.opened == 2
    assert parts_of(smtp_sink.raw[0]).startswith(b".line with a dot")
    closed = BulkSmtp(host="127.0.0.1", port=free_port(), use_tls=False)
    with pytest.raises(TemporaryFailure) as failure:
        closed.send("a@example.com", "b@example.com", message)
    assert failure.value.server is True


def test_bulk_smtp_pipelines_its_commands_and_survives_a_refusal(smtp_sink):  # noqa: F811
    """MAIL, RCPT and DATA in one write (as when the server offers PIPELINING); a refused
    recipient among them leaves the connection usable for the next message."""
    smtp_sink.refuse.add("nobody@example.com")
    smtp = BulkSmtp(
        host="127.0.0.1", port=smtp_sink.port, use_tls=False, connections=1, pipelining=True
    )
    message = b"Subject: x\r\nMessage-ID: <2@x>\r\n\r\nbody\r\n"
    smtp.send("a@example.com", "first@example.com", message)
    with pytest.raises(PermanentRefusal) as refused:
        smtp.send("a@example.com", "nobody@example.com", message)
    assert refused.value.code == 550
    smtp.send("a@example.com", "讀者@例え.jp".replace("讀者", "reader"), message)
    with pytest.raises(PermanentRefusal):
        smtp.send("a@example.com", "讀者@example.com", message)  # would need SMTPUTF8
    smtp.close()
    smtp_sink.wait_for(2)
    assert [rcpt for _f, [rcpt] in smtp_sink.envelopes] == [
        "first@example.com",
        "reader@xn--r8jz45g.jp",
    ]
    assert smtp.opened == 1


def parts_of(raw: bytes) -> bytes:
    return raw.split(b"\r\n\r\n", 1)[1]


@pytest.mark.django_db(transaction=True)
def test_concurrent_claims_never_share_a_row(needs_postgres):
    subscribers(300)
    issue = scheduled_issue()
    issue_start(issue=issue)
    claimed: list[list[int]] = []
    lock = threading.Lock()

    def claimer():
        try:
            while True:
                ids, _token = deliveries_claim(issue_id=issue.pk, limit=7)
                if not ids:
                    return
                with lock:
                    claimed.append(ids)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=claimer) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    every = [pk for ids in claimed for pk in ids]
    assert len(every) == len(set(every)) == 300
    assert _states(issue) == {DeliveryState.SENDING: 300}
    assert connection.vendor == "postgresql"


@pytest.mark.django_db(transaction=True)
def test_concurrent_batches_send_each_recipient_once(needs_postgres, smtp_settings):  # noqa: F811
    subscribers(120)
    issue = scheduled_issue()
    issue_start(issue=issue)

    def worker():
        try:
            issue_send(issue_id=issue.pk, seconds=60, limit=9)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    smtp_settings.wait_for(120)
    time.sleep(0.3)
    assert Counter(Counter(received_ids(smtp_settings)).values()) == {1: 120}
    issue.refresh_from_db()
    assert (issue.state, issue.sent_count) == (IssueState.SENT, 120)


# --- Tasks ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_periodic_job_starts_due_issues_and_sends_them(smtp_settings):  # noqa: F811
    subscribers(4)
    issue = scheduled_issue()
    not_yet = scheduled_issue(at=timezone.now() + timedelta(days=1))
    result = send_due.delay().get()
    assert result["started"] == [issue.pk]
    issue.refresh_from_db()
    not_yet.refresh_from_db()
    assert issue.state == IssueState.SENT and issue.sent_count == 4
    assert not_yet.state == IssueState.SCHEDULED
    assert len(smtp_settings.wait_for(4)) == 4


def test_the_beat_runs_the_send_job_every_minute_with_an_expiry():
    entry = BEAT["epaper-send-due"]
    assert entry["task"] == TASK_SEND_DUE
    assert entry["schedule"] == timedelta(minutes=1)
    assert 0 < entry["options"]["expires"] <= 60


def test_the_send_task_stops_before_its_claim_could_be_taken_over():
    assert tasks.send_issue.time_limit < settings.EPAPER_SEND_LEASE_SECONDS
    assert settings.EPAPER_SEND_SECONDS < tasks.send_issue.soft_time_limit


# --- Test send --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_editor_mails_a_test_to_themselves_and_nothing_is_counted(
    smtp_settings,  # noqa: F811
    owner,
    outsider,
):
    grant(owner, editor_role("weekly"))
    owner.email = "owner@mol.gov.tw"
    owner.save()
    issue = scheduled_issue(title="第 7 期")
    assert issue_test_send(issue=issue, actor=owner) == "owner@mol.gov.tw"
    [message] = smtp_settings.wait_for(1)
    assert message["Subject"] == "[TEST] 第 7 期"
    assert message["To"] == "owner@mol.gov.tw"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert set(parts(message)) == {"text/plain", "text/html"}
    assert IssueDelivery.objects.count() == 0
    issue.refresh_from_db()
    assert (issue.state, issue.sent_count, issue.recipients) == (IssueState.SCHEDULED, 0, 0)
    with pytest.raises(PermissionDenied):
        issue_test_send(issue=issue, actor=outsider)
    grant(outsider, editor_role("bulletin"))
    with pytest.raises(PermissionDenied):
        issue_test_send(issue=issue, actor=outsider)
    assert len(smtp_settings.messages) == 1


@pytest.mark.django_db
def test_a_manager_may_test_send_and_a_refusal_is_reported(smtp_settings, colleague):  # noqa: F811
    grant(colleague, MANAGER)
    colleague.email = "nobody@mol.gov.tw"
    colleague.save()
    smtp_settings.refuse.add("nobody@mol.gov.tw")
    with pytest.raises(ValidationError):
        issue_test_send(issue=scheduled_issue(), actor=colleague)


@pytest.mark.django_db
def test_the_test_send_goes_through_a_non_smtp_backend_too(mailoutbox, owner):
    grant(owner, MANAGER)
    owner.email = "owner@mol.gov.tw"
    owner.save()
    issue_test_send(issue=scheduled_issue(title="第 8 期"), actor=owner)
    [mail] = mailoutbox
    assert mail.subject == "[TEST] 第 8 期" and mail.to == ["owner@mol.gov.tw"]
    assert "最低工資" in mail.body and "最低工資" in mail.alternatives[0][0]


# --- A real worker killed in the middle of a send ---------------------------------------------


def _start_worker(env: dict, tmp_path, label: str):
    node = unique_node()
    logfile = tmp_path / f"{label}.log"
    with logfile.open("w") as log:
        process = subprocess.Popen(
            [
                *celery_command(),
                "-A",
                "mol_portal",
                "worker",
                "--pool=solo",
                "-c",
                "1",
                "-l",
                "info",
                "-n",
                node,
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    return process, logfile


def _wait(condition, timeout: float, what: str, logfile=None):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}\n{worker_log(logfile) if logfile else ''}")
        time.sleep(0.05)


def _kill(process):
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_killed_mid_send_resumes_with_no_gap_and_one_duplicate_at_most(
    needs_postgres,
    own_redis,  # noqa: F811
    smtp_sink,  # noqa: F811
    tmp_path,
):
    """Two crashes in one send, each a SIGKILL of the worker: first while the server stalls
    at RCPT (the message in flight not accepted yet), then while the server has taken the
    message's data but not answered (accepted, and the worker never knew). After each
    restart and the beat's send_due every recipient has the issue: none missing, and the one
    message in flight at the second crash arrives twice, with the same Message-ID."""
    db = settings.DATABASES["default"]
    env = process_env(
        REDIS_URL=own_redis.url,
        CELERY_TASK_ALWAYS_EAGER="0",
        DATA_DIR=str(tmp_path),
        DATABASE_URL=postgres_url(db),
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp_sink.port),
        EPAPER_SMTP_CONNECTIONS="1",
        EPAPER_SMTP_RATE="0",
        EPAPER_SEND_BATCH="40",
        EPAPER_SEND_LEASE_SECONDS="3",
        SITE_URL="https://epaper.example.gov.tw",
        SECRET_KEY=os.environ.get("SECRET_KEY") or "test-key-for-the-worker-0123456789abcdefghijkl",
    )
    env["DJANGO_SETTINGS_MODULE"] = "mol_portal.settings"
    publisher = Celery(broker=own_redis.url, set_as_current=False)
    people = subscribers(150)
    issue = scheduled_issue()
    in_flight = {}

    worker, log = _start_worker(env, tmp_path, "worker0")
    try:
        publisher.send_task(TASK_SEND_DUE, queue="default")  # what beat does every minute
        for crash, (at, hold, seen) in enumerate(
            [
                (30, smtp_sink.hold, smtp_sink.rcpt_seen),
                (80, smtp_sink.hold_data, smtp_sink.data_seen),
            ]
        ):
            _wait(lambda at=at: len(smtp_sink.messages) >= at, 60, f"{at} messages", log)
            seen.clear()
            hold.set()  # the next message stalls: the worker is in the middle of it
            _wait(seen.is_set, 30, "the worker to be mid-send", log)
            in_flight[crash] = len(smtp_sink.messages)
            _kill(worker)
            hold.clear()
            worker, log = _start_worker(env, tmp_path, f"worker{crash + 1}")
            time.sleep(3.5)  # the dead worker's claim runs out
            publisher.send_task(TASK_SEND_DUE, queue="default")
        _wait(
            lambda: Issue.objects.filter(pk=issue.pk, state=IssueState.SENT).exists(),
            120,
            "the issue to be sent",
            log,
        )
    finally:
        if worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(timeout=15)
            except subprocess.TimeoutExpired:
                worker.kill()

    time.sleep(0.5)
    received = Counter(rcpt for _f, [rcpt] in smtp_sink.envelopes)
    assert set(received) == {p.email for p in people}, "a recipient is missing"
    duplicates = {address for address, n in received.items() if n > 1}
    # Crash 2: the message the server took without the worker hearing back is sent again.
    accepted_unknown = smtp_sink.envelopes[in_flight[1] - 1][1][0]
    assert accepted_unknown in duplicates
    # Crash 1: at most the message before the stalled one (accepted, perhaps not yet marked).
    just_before = smtp_sink.envelopes[in_flight[0] - 1][1][0]
    assert duplicates <= {accepted_unknown, just_before}, duplicates
    assert max(received.values()) == 2
    by_address = {}
    for message, (_f, [rcpt]) in zip(smtp_sink.messages, smtp_sink.envelopes, strict=True):
        by_address.setdefault(rcpt, set()).add(str(message["Message-ID"]))
    assert all(len(ids) == 1 for ids in by_address.values())  # a resend is the same message
    issue.refresh_from_db()
    assert (issue.sent_count, issue.failed_count) == (150, 0)
    assert IssueDelivery.objects.filter(issue=issue, state=DeliveryState.SENT).count() == 150
