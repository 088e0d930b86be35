"""Delivery through real servers: an aiosmtpd SMTP sink receives both parts; a real Celery
worker (on a Redis of the test's own) killed between claim and send delivers after restart,
exactly once and with the same Message-ID."""

import os
import signal
import subprocess
import time

import pytest
from celery import Celery
from django.conf import settings

from notifications.choices import DeliveryState
from notifications.constants import TASK_DELIVER, TASK_RELAY_DUE
from notifications.models import Delivery
from notifications.services import delivery_send, outbox, outbox_email
from tests.core.conftest import celery_command, postgres_url, process_env
from tests.notifications.conftest import unique_node, worker_log

ROOT = settings.BASE_DIR


@pytest.mark.django_db
def test_a_real_smtp_server_receives_text_and_html_parts(smtp_settings):
    delivery = outbox_email(
        to="citizen@example.com",
        subject="案件確認 Confirmation",
        text="純文字 plain",
        html="<p>HTML 內容</p>",
        kind="petitions.confirmation",
        enqueue=False,
    )
    assert delivery_send(delivery_id=delivery.pk) is True
    [message] = smtp_settings.wait_for(1)
    assert message["Message-ID"] == delivery.message_id
    assert message["List-Id"] == "<petitions.notices.mol.gov.tw>"
    assert message["Subject"] == "案件確認 Confirmation"
    assert message.get_content_type() == "multipart/alternative"
    parts = {part.get_content_type(): part.get_content() for part in message.iter_parts()}
    assert parts["text/plain"].strip() == "純文字 plain"
    assert "<p>HTML 內容</p>" in parts["text/html"]
    assert smtp_settings.envelopes[0][1] == ["citizen@example.com"]


@pytest.mark.django_db
def test_one_connection_carries_many_messages_and_survives_a_server_drop(smtp_settings):
    rows = [
        outbox_email(to=f"p{i}@example.com", subject=f"s{i}", text="t", enqueue=False)
        for i in range(3)
    ]
    for row in rows[:2]:
        delivery_send(delivery_id=row.pk)
    # The server closes idle connections: the next send reconnects instead of failing.
    outbox._smtp["connection"].connection.close()
    delivery_send(delivery_id=rows[2].pk)
    assert len(smtp_settings.wait_for(3)) == 3
    assert {Delivery.objects.get(pk=r.pk).state for r in rows} == {DeliveryState.SENT}


def _start_worker(env: dict, tmp_path, label: str) -> tuple[subprocess.Popen, str, object]:
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
    return process, node, logfile


def _wait(condition, timeout: float, what: str, logfile=None):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}\n{worker_log(logfile) if logfile else ''}")
        time.sleep(0.1)


def _state(pk: int) -> str:
    return Delivery.objects.filter(pk=pk).values_list("state", flat=True).first()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_killed_between_claim_and_send_delivers_once_after_restart(
    needs_postgres, own_redis, smtp_sink, tmp_path
):
    db = settings.DATABASES["default"]
    env = process_env(
        REDIS_URL=own_redis.url,
        CELERY_TASK_ALWAYS_EAGER="0",
        DATA_DIR=str(tmp_path),
        DATABASE_URL=postgres_url(db),
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp_sink.port),
        NOTIFICATIONS_CLAIM_LEASE_SECONDS="3",
        SECRET_KEY=os.environ.get("SECRET_KEY") or "test-key-for-the-worker-0123456789abcdefghijkl",
    )
    env["DJANGO_SETTINGS_MODULE"] = "mol_portal.settings"
    # set_as_current=False: the project app stays the current one for every later test.
    publisher = Celery(broker=own_redis.url, set_as_current=False)
    delivery = outbox_email(
        to="citizen@example.com",
        subject="Query code",
        text="code",
        kind="petitions.query_code",
        enqueue=False,
    )

    smtp_sink.hold.set()  # the server stalls at RCPT: the worker has claimed and is sending
    first, _node, log1 = _start_worker(env, tmp_path, "worker1")
    try:
        publisher.send_task(TASK_DELIVER, kwargs={"delivery_ids": [delivery.pk]}, queue="default")
        _wait(smtp_sink.rcpt_seen.is_set, 60, "the worker to start sending", log1)
        assert _state(delivery.pk) == DeliveryState.SENDING
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        if first.poll() is None:
            first.kill()
    smtp_sink.hold.clear()
    time.sleep(0.5)
    assert smtp_sink.messages == []
    assert _state(delivery.pk) == DeliveryState.SENDING

    second, _node2, log2 = _start_worker(env, tmp_path, "worker2")
    try:
        time.sleep(3.5)  # the dead worker's lease runs out
        publisher.send_task(TASK_RELAY_DUE, queue="default")  # what beat does every minute
        _wait(lambda: len(smtp_sink.messages) == 1, 60, "the sweep to resend", log2)
        _wait(lambda: _state(delivery.pk) == DeliveryState.SENT, 20, "the row to be marked", log2)
        # A redelivered task and another sweep send nothing more.
        publisher.send_task(TASK_DELIVER, kwargs={"delivery_ids": [delivery.pk]}, queue="default")
        publisher.send_task(TASK_RELAY_DUE, queue="default")
        time.sleep(3)
    finally:
        second.send_signal(signal.SIGTERM)
        try:
            second.wait(timeout=15)
        except subprocess.TimeoutExpired:
            second.kill()
    assert len(smtp_sink.messages) == 1, worker_log(log2)
    assert smtp_sink.messages[0]["Message-ID"] == delivery.message_id
    delivery.refresh_from_db()
    assert delivery.attempts == 2
    assert [a.outcome for a in delivery.attempt_log.all()] == ["sent"]
