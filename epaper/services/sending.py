"""Sending an issue to its subscribers: resumable after a crash, without double sends.

Start (``issue_start``, from the periodic ``epaper.send_due``): one transaction turns a due
scheduled issue into ``sending`` (a conditional update from ``scheduled``, so an editor's
change holding the row finishes first; ``started_at``, ``published_at`` = now) and writes one
``IssueDelivery`` row per *confirmed* subscription of an *active* subscriber, each with its own
``Message-ID`` (PostgreSQL: one ``INSERT … SELECT``; elsewhere ``bulk_create`` in chunks);
``recipients`` is their number. A crash leaves the issue scheduled; run twice, it does nothing.

Sending (``issue_send_batch``, looped by the ``epaper.send_issue`` task; one issue at a time):

1. **claim** a batch with one conditional statement: ``WITH picked AS (SELECT id … WHERE
   issue=… AND state='pending' ORDER BY id LIMIT n FOR UPDATE SKIP LOCKED) UPDATE … SET
   state='sending', claim_token=<new>, lease_until=now+lease, attempts=attempts+1 FROM picked
   WHERE … AND state='pending' RETURNING id`` (PostgreSQL; elsewhere a select and the same
   conditional update). Two claims never get the same row.
2. Rows whose subscriber left this newsletter (or was disabled or erased) since the rows were
   made are marked ``skipped`` (one update), never sent.
3. **send** the rest over ``notifications.services.bulk.BulkSmtp``: one thread per SMTP
   connection (``EPAPER_SMTP_CONNECTIONS``, ``EPAPER_SMTP_RATE``), each message the issue's
   prepared bytes with the recipient's values (``services.message``).
4. **mark** in bulk: the main thread writes what the senders report, one ``UPDATE … WHERE id
   IN (…) AND claim_token=<ours>`` for everything accepted since its last write (it waits up
   to ``GATHER_SECONDS`` for one message of each connection, so one write marks several). A
   sender does not let the server accept its next message (it waits before writing the data)
   until its previous one is marked. So when a worker is killed, each connection has at most
   one message the server accepted but the database does not know of: the one in flight.
   Its row, with the rest of the claimed batch, stays ``sending`` until the lease
   (``EPAPER_SEND_LEASE_SECONDS``, longer than the send task's hard time limit, so a live
   worker is never overtaken) runs out; then it is claimed again and sent with the same
   ``Message-ID``: no gap, at most one duplicate per connection per crash, and mail programs
   show the two as one message. While a batch is claimed, sent and marked, PostgreSQL
   commits asynchronously (``synchronous_commit`` off for the session): a killed worker loses
   nothing committed; a crash of PostgreSQL itself may forget its last fraction of a second
   of claims and marks, whose rows are then sent again, with their Message-ID (never a gap).

A refused recipient (5xx) is ``failed`` at once; a deferred one (4xx) goes back to ``pending``,
not claimable for ``RETRY_SECONDS`` (its ``lease_until``), until ``EPAPER_SEND_MAX_ATTEMPTS``
claims, then ``failed``; a server or connection failure stops the batch, defers the rows tried
and gives the untried ones back (the periodic job resumes). ``sent_count`` and
``failed_count`` grow per batch and are counted exactly when the issue is finished: state
``sent`` and ``sent_at`` once no row is pending or sending.

``issue_test_send`` mails the real message, marked ``[TEST]``, to the editor's own address;
nothing is recorded or counted.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
import uuid
from collections import namedtuple
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection as db_connection
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from accounts import authz
from notifications.services.bulk import PermanentRefusal, TemporaryFailure, bulk_sender

from ..models import (
    DeliveryState,
    Issue,
    IssueDelivery,
    IssueState,
    Newsletter,
    Subscriber,
    SubscriberState,
    Subscription,
    SubscriptionState,
)
from ..roles import MANAGER
from . import message as mail

logger = logging.getLogger("epaper.sending")

#: Rows written per statement when a send starts (bulk_create, other than PostgreSQL).
START_CHUNK = 5000
#: Seconds before a deferred recipient (4xx, or the server failing) is tried again.
RETRY_SECONDS = 120
#: Seconds a prepared message is reused before it is built again (its Date header).
PREPARED_SECONDS = 300

_Subscriber = namedtuple("_Subscriber", "pk link_version")


# --- Starting ---------------------------------------------------------------------------------


_START_SQL = """
INSERT INTO {delivery} ({issue}, {subscriber}, {state}, {token}, {attempts}, {message_id}, {error})
SELECT %s, sub.{sub_subscriber}, %s, '', 0,
       '<' || replace(gen_random_uuid()::text, '-', '') || %s, ''
FROM {subscription} sub JOIN {subscriber_table} person ON person.{pk} = sub.{sub_subscriber}
WHERE sub.{sub_newsletter} = %s AND sub.{sub_state} = %s AND person.{person_state} = %s
ON CONFLICT DO NOTHING
"""


def _start_sql() -> str:
    quote = db_connection.ops.quote_name
    delivery, subscription = IssueDelivery._meta, Subscription._meta

    def column(opts, name):
        return quote(opts.get_field(name).column)

    return _START_SQL.format(
        delivery=quote(delivery.db_table),
        issue=column(delivery, "issue"),
        subscriber=column(delivery, "subscriber"),
        state=column(delivery, "state"),
        token=column(delivery, "claim_token"),
        attempts=column(delivery, "attempts"),
        message_id=column(delivery, "message_id"),
        error=column(delivery, "error"),
        subscription=quote(subscription.db_table),
        sub_subscriber=column(subscription, "subscriber"),
        sub_newsletter=column(subscription, "newsletter"),
        sub_state=column(subscription, "state"),
        subscriber_table=quote(Subscriber._meta.db_table),
        pk=quote(Subscriber._meta.pk.column),
        person_state=column(Subscriber._meta, "state"),
    )


def _create_deliveries(issue: Issue) -> int:
    """One row per confirmed subscription of an active subscriber, each with a new
    ``<32 hex digits@domain>`` Message-ID: on PostgreSQL one INSERT … SELECT (the ids from
    ``gen_random_uuid()``), elsewhere ``bulk_create`` in chunks."""
    if db_connection.vendor == "postgresql":
        with db_connection.cursor() as cursor:
            cursor.execute(
                _start_sql(),
                [
                    issue.pk,
                    DeliveryState.PENDING,
                    f"@{mail.message_domain()}>",
                    issue.newsletter_id,
                    SubscriptionState.CONFIRMED,
                    SubscriberState.ACTIVE,
                ],
            )
        return IssueDelivery.objects.filter(issue_id=issue.pk).count()
    subscriber_ids = (
        Subscription.objects.filter(
            newsletter_id=issue.newsletter_id,
            state=SubscriptionState.CONFIRMED,
            subscriber__state=SubscriberState.ACTIVE,
        )
        .order_by("subscriber_id")
        .values_list("subscriber_id", flat=True)
    )
    last = 0
    while True:
        chunk = list(subscriber_ids.filter(subscriber_id__gt=last)[:START_CHUNK])
        if not chunk:
            break
        IssueDelivery.objects.bulk_create(
            [
                IssueDelivery(issue_id=issue.pk, subscriber_id=pk, message_id=mail.new_message_id())
                for pk in chunk
            ],
            batch_size=START_CHUNK,
            ignore_conflicts=True,
        )
        last = chunk[-1]
    return IssueDelivery.objects.filter(issue_id=issue.pk).count()


def issue_start(*, issue: Issue, now: datetime | None = None) -> bool:
    """Start sending ``issue`` if it is scheduled and due: True when this call started it.
    The state change and every delivery row commit together (a crash leaves it scheduled)."""
    now = now or timezone.now()
    with transaction.atomic():
        started = Issue.objects.filter(
            pk=issue.pk, state=IssueState.SCHEDULED, scheduled_at__lte=now
        ).update(state=IssueState.SENDING, started_at=now, published_at=now, updated_at=now)
        if not started:
            return False
        recipients = _create_deliveries(issue)
        Issue.objects.filter(pk=issue.pk).update(recipients=recipients)
    issue.refresh_from_db()
    logger.info("epaper: issue %s started, %s recipients", issue.pk, recipients)
    return True


def issues_start_due(*, now: datetime | None = None) -> list[int]:
    """Start every scheduled issue that is due; the ids of those started."""
    now = now or timezone.now()
    due = Issue.objects.filter(state=IssueState.SCHEDULED, scheduled_at__lte=now).order_by(
        "scheduled_at", "pk"
    )
    return [issue.pk for issue in due if issue_start(issue=issue, now=now)]


def sending_issue_ids() -> list[int]:
    """Issues being sent, oldest start first (what the periodic job resumes)."""
    return list(
        Issue.objects.filter(state=IssueState.SENDING)
        .order_by("started_at", "pk")
        .values_list("pk", flat=True)
    )


# --- Claiming ---------------------------------------------------------------------------------

_CLAIM_SQL = """
WITH picked AS MATERIALIZED (
    SELECT {pk} FROM {table}
    WHERE {issue} = %s AND {state} = %s AND ({lease} IS NULL OR {lease} <= %s)
    ORDER BY {pk} LIMIT %s
    FOR UPDATE SKIP LOCKED
)
UPDATE {table} SET {state} = %s, {token} = %s, {lease} = %s, {attempts} = {attempts} + 1
FROM picked WHERE {table}.{pk} = picked.{pk} AND {table}.{state} = %s
RETURNING {table}.{pk}
"""


def _claim_sql() -> str:
    quote = db_connection.ops.quote_name
    opts = IssueDelivery._meta
    columns = {
        name: quote(opts.get_field(field_name).column)
        for name, field_name in {
            "pk": "id",
            "issue": "issue",
            "state": "state",
            "token": "claim_token",
            "lease": "lease_until",
            "attempts": "attempts",
        }.items()
    }
    return _CLAIM_SQL.format(table=quote(opts.db_table), **columns)


def deliveries_claim(*, issue_id: int, limit: int) -> tuple[list[int], str]:
    """Claim at most ``limit`` pending rows of the issue (lowest ids first; a deferred row
    once its ``lease_until`` has passed) with one new token: ``(ids, token)``. Rows another
    claim holds are skipped, never waited for."""
    token = uuid.uuid4().hex
    now = timezone.now()
    lease_until = now + timedelta(seconds=settings.EPAPER_SEND_LEASE_SECONDS)
    if db_connection.vendor == "postgresql":
        params = [issue_id, DeliveryState.PENDING, now, limit]
        params += [DeliveryState.SENDING, token, lease_until, DeliveryState.PENDING]
        with db_connection.cursor() as cursor:
            cursor.execute(_claim_sql(), params)
            ids = sorted(pk for (pk,) in cursor.fetchall())
        return ids, token
    pending = IssueDelivery.objects.filter(
        Q(lease_until__isnull=True) | Q(lease_until__lte=now),
        issue_id=issue_id,
        state=DeliveryState.PENDING,
    )
    picked = list(pending.order_by("pk").values_list("pk", flat=True)[:limit])
    if picked:
        pending.filter(pk__in=picked).update(
            state=DeliveryState.SENDING,
            claim_token=token,
            lease_until=lease_until,
            attempts=F("attempts") + 1,
        )
        picked = list(
            IssueDelivery.objects.filter(pk__in=picked, claim_token=token).values_list(
                "pk", flat=True
            )
        )
    return sorted(picked), token


def leases_release(*, issue_id: int | None = None, now: datetime | None = None) -> int:
    """Rows whose claim's lease ran out (their worker died) back to pending: claimed again,
    they are sent with the same Message-ID."""
    rows = IssueDelivery.objects.filter(
        state=DeliveryState.SENDING, lease_until__lt=now or timezone.now()
    )
    if issue_id is not None:
        rows = rows.filter(issue_id=issue_id)
    released = rows.update(state=DeliveryState.PENDING, claim_token="", lease_until=None)
    if released:
        logger.warning("epaper: %s expired claims given back (issue %s)", released, issue_id)
    return released


# --- Messages ---------------------------------------------------------------------------------

_prepared: dict[tuple, tuple[float, mail.PreparedIssue]] = {}
_prepared_lock = threading.Lock()


def prepared_message(issue: Issue, language: str) -> mail.PreparedIssue:
    """The issue's prepared message in ``language``, built at most every PREPARED_SECONDS
    (and again whenever the issue changed)."""
    key = (issue.pk, issue.updated_at, language)
    now = time.monotonic()
    with _prepared_lock:
        found = _prepared.get(key)
        if found and now - found[0] < PREPARED_SECONDS:
            return found[1]
    built = mail.issue_message(issue, language=language)
    with _prepared_lock:
        for old in [k for k, (at, _p) in _prepared.items() if now - at >= PREPARED_SECONDS]:
            del _prepared[old]
        _prepared[key] = (now, built)
    return built


def _language(value: str) -> str:
    value = (value or "").lower()
    return "en" if value.startswith("en") else settings.LANGUAGE_CODE


# --- Sending a batch --------------------------------------------------------------------------

SENT, FAILED, RETRY = "sent", "failed", "retry"
_DONE = object()


class _Aborted(Exception):
    """The batch stopped while this message waited to be completed: it is not sent."""


@dataclass
class _Job:
    delivery_id: int
    to: str
    message_id: str
    subscriber: _Subscriber
    prepared: mail.PreparedIssue


@dataclass
class _Outcome:
    job: _Job
    kind: str
    error: str = ""
    marked: threading.Event = field(default_factory=threading.Event)


@dataclass
class BatchResult:
    claimed: int = 0
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    deferred: int = 0
    released: int = 0
    #: The SMTP server or the connection failed: stop sending for now.
    server_trouble: bool = False
    #: No row of the issue is pending or sending any more: the issue is finished.
    done: bool = False
    errors: list[str] = field(default_factory=list)


class _Sender(threading.Thread):
    """One SMTP connection's worth of sending: takes jobs until none is left or ``stop``."""

    def __init__(self, *, smtp, newsletter, work, results, stop, abort, trouble):
        super().__init__(daemon=True, name="epaper-sender")
        self.smtp, self.newsletter = smtp, newsletter
        self.work, self.results = work, results
        self.stop, self.abort, self.trouble = stop, abort, trouble

    def run(self):
        previous: _Outcome | None = None
        try:
            while not self.stop.is_set():
                try:
                    job = self.work.get_nowait()
                except queue.Empty:
                    break
                previous = self._one(job, previous)
        finally:
            self.results.put(_DONE)

    def _one(self, job: _Job, previous: _Outcome | None) -> _Outcome:
        try:
            data = job.prepared.for_subscriber(
                subscriber=job.subscriber,
                newsletter=self.newsletter,
                to=job.to,
                message_id=job.message_id,
            )
        except (UnicodeError, ValueError) as exc:
            outcome = _Outcome(job, FAILED, f"the message cannot be built: {exc}")
            self.results.put(outcome)
            return previous

        def before_end():
            # The server may accept this message once its data ends: the previous message
            # of this connection must be marked sent first.
            if previous is not None:
                previous.marked.wait()
            if self.abort.is_set():
                raise _Aborted

        try:
            self.smtp.send(job.prepared.envelope_from, job.to, data, before_end=before_end)
            outcome = _Outcome(job, SENT)
        except PermanentRefusal as exc:
            outcome = _Outcome(job, FAILED, str(exc))
        except TemporaryFailure as exc:
            outcome = _Outcome(job, RETRY, str(exc))
            if exc.server:
                self.trouble.set()
                self.stop.set()
        except _Aborted:
            outcome = _Outcome(job, RETRY, "stopped")
            self.stop.set()
        except Exception as exc:  # noqa: BLE001 - reported, the row is tried again later
            logger.exception("epaper: sending to delivery %s failed", job.delivery_id)
            outcome = _Outcome(job, RETRY, f"{type(exc).__name__}: {exc}")
            self.trouble.set()
            self.stop.set()
        self.results.put(outcome)
        return outcome


_MARK_SENT_SQL = (
    "UPDATE {table} SET {state} = %s, {sent_at} = %s, {lease} = NULL "
    "WHERE {pk} IN ({ids}) AND {token} = %s AND {state} = %s"
)


def _mark_sent(ids: list[int], token: str, now) -> None:
    """One UPDATE of the sent rows, written directly (the ORM's query building costs more
    than the statement)."""
    quote = db_connection.ops.quote_name
    opts = IssueDelivery._meta
    sql = _MARK_SENT_SQL.format(
        table=quote(opts.db_table),
        state=quote(opts.get_field("state").column),
        sent_at=quote(opts.get_field("sent_at").column),
        lease=quote(opts.get_field("lease_until").column),
        pk=quote(opts.pk.column),
        token=quote(opts.get_field("claim_token").column),
        ids=", ".join(["%s"] * len(ids)),
    )
    with db_connection.cursor() as cursor:
        cursor.execute(sql, [DeliveryState.SENT, now, *ids, token, DeliveryState.SENDING])


@contextmanager
def _asynchronous_commits():
    """While a batch is claimed, sent and marked, PostgreSQL commits without waiting for the
    WAL flush (``synchronous_commit`` off for the session, reset after): a mark is one round
    trip instead of a disk flush. A worker that dies loses nothing that was committed; only a
    crash of PostgreSQL itself may forget its last fraction of a second of claims and marks,
    whose rows are then sent again with their Message-ID (a duplicate, never a gap: a row is
    only ever marked sent after the server accepted its message)."""
    if db_connection.vendor != "postgresql":
        yield
        return
    with db_connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF")
    try:
        yield
    finally:
        try:
            with db_connection.cursor() as cursor:
                cursor.execute("RESET synchronous_commit")
        except Exception:  # noqa: BLE001 - a broken connection is discarded anyway
            logger.debug("epaper: could not reset synchronous_commit", exc_info=True)


def _mark(outcomes: list[_Outcome], token: str, result: BatchResult) -> None:
    """Write what the senders report: one UPDATE for the sent rows, and the rarer failures."""
    sent = [o.job.delivery_id for o in outcomes if o.kind == SENT]
    failed = [o for o in outcomes if o.kind == FAILED]
    retry = [o for o in outcomes if o.kind == RETRY]
    now = timezone.now()
    if not failed and not retry:  # the usual case: one statement, no transaction block
        _mark_sent(sent, token, now)
        result.sent += len(sent)
        return
    mine = IssueDelivery.objects.filter(claim_token=token, state=DeliveryState.SENDING)
    with transaction.atomic():
        if sent:
            _mark_sent(sent, token, now)
        for outcome in failed:
            mine.filter(pk=outcome.job.delivery_id).update(
                state=DeliveryState.FAILED, error=outcome.error[:500], lease_until=None
            )
        if retry:
            ids = [o.job.delivery_id for o in retry]
            error = retry[0].error[:500]
            given_up = mine.filter(
                pk__in=ids, attempts__gte=settings.EPAPER_SEND_MAX_ATTEMPTS
            ).update(state=DeliveryState.FAILED, error=error, lease_until=None)
            result.failed += given_up
            # Pending again, not claimable before lease_until (greylisting wants minutes).
            result.deferred += mine.filter(pk__in=ids).update(
                state=DeliveryState.PENDING,
                claim_token="",
                lease_until=now + timedelta(seconds=RETRY_SECONDS),
                error=error,
            )
    result.sent += len(sent)
    result.failed += len(failed)
    result.errors += [o.error for o in failed + retry if o.error][: 10 - len(result.errors)]


def _release_untried(ids: list[int], token: str) -> int:
    """Claimed rows the batch did not get to: back to pending, the claim not counted."""
    if not ids:
        return 0
    return IssueDelivery.objects.filter(
        pk__in=ids, claim_token=token, state=DeliveryState.SENDING
    ).update(
        state=DeliveryState.PENDING,
        claim_token="",
        lease_until=None,
        attempts=F("attempts") - 1,
    )


def _jobs(issue: Issue, ids: list[int], token: str, result: BatchResult) -> list[_Job]:
    rows = list(
        IssueDelivery.objects.filter(pk__in=ids, claim_token=token)
        .order_by("pk")
        .values_list(
            "pk",
            "message_id",
            "subscriber_id",
            "subscriber__email",
            "subscriber__state",
            "subscriber__link_version",
            "subscriber__language",
        )
    )
    confirmed = set(
        Subscription.objects.filter(
            newsletter_id=issue.newsletter_id,
            subscriber_id__in=[row[2] for row in rows],
            state=SubscriptionState.CONFIRMED,
        ).values_list("subscriber_id", flat=True)
    )
    jobs, skipped, prepared = [], [], {}
    for pk, message_id, subscriber_id, email, state, version, language in rows:
        if state != SubscriberState.ACTIVE or subscriber_id not in confirmed:
            skipped.append(pk)
            continue
        language = _language(language)
        if language not in prepared:
            prepared[language] = prepared_message(issue, language)
        jobs.append(
            _Job(
                delivery_id=pk,
                to=email,
                message_id=message_id,
                subscriber=_Subscriber(subscriber_id, version),
                prepared=prepared[language],
            )
        )
    if skipped:
        result.skipped = IssueDelivery.objects.filter(pk__in=skipped, claim_token=token).update(
            state=DeliveryState.SKIPPED, lease_until=None
        )
    return jobs


#: Seconds the marker waits for the other connections' messages after the first one arrived,
#: so that one UPDATE marks one message of each connection (fewer, larger writes).
GATHER_SECONDS = 0.002


def _gather(results: queue.SimpleQueue, live: int) -> list:
    """The next reports: the first one, then as many more as there are live senders (each
    has at most one unmarked message) or until GATHER_SECONDS have passed."""
    items = [results.get()]
    deadline = time.monotonic() + GATHER_SECONDS
    while len(items) < live:
        remaining = deadline - time.monotonic()
        try:
            items.append(results.get(timeout=remaining) if remaining > 0 else results.get_nowait())
        except queue.Empty:
            break
    return items


def _send_jobs(jobs, *, smtp, newsletter, token, result, deadline) -> None:
    work: queue.SimpleQueue = queue.SimpleQueue()
    for job in jobs:
        work.put(job)
    results: queue.SimpleQueue = queue.SimpleQueue()
    stop, abort, trouble = threading.Event(), threading.Event(), threading.Event()
    senders = [
        _Sender(
            smtp=smtp,
            newsletter=newsletter,
            work=work,
            results=results,
            stop=stop,
            abort=abort,
            trouble=trouble,
        )
        for _ in range(min(smtp.connections, len(jobs)))
    ]
    for sender in senders:
        sender.start()
    live = len(senders)
    unmarked: list[_Outcome] = []
    try:
        while live:
            items = _gather(results, live)
            live -= sum(1 for item in items if item is _DONE)
            unmarked = [item for item in items if item is not _DONE]
            if unmarked:
                _mark(unmarked, token, result)
                for outcome in unmarked:
                    outcome.marked.set()
                unmarked = []
            if deadline is not None and time.monotonic() > deadline:
                stop.set()
    except BaseException:
        # Stopped (time limit, database error): no sender may complete another message; what
        # the server has accepted already is marked if the database still answers.
        abort.set()
        stop.set()
        for outcome in unmarked:
            outcome.marked.set()
        while live:
            try:
                item = results.get(timeout=smtp_timeout(smtp))
            except queue.Empty:
                break
            if item is _DONE:
                live -= 1
            else:
                unmarked.append(item)
                item.marked.set()
        try:
            _mark([o for o in unmarked if o.kind == SENT], token, result)
        except Exception:  # noqa: BLE001 - the lease brings them back; same Message-ID
            logger.exception("epaper: could not mark %s sent messages", len(unmarked))
        raise
    finally:
        untried = []
        while True:
            try:
                untried.append(work.get_nowait().delivery_id)
            except queue.Empty:
                break
        try:
            result.released += _release_untried(untried, token)
        except Exception:  # noqa: BLE001 - they come back when the lease ends
            logger.exception("epaper: could not give back %s untried rows", len(untried))
        for sender in senders:
            sender.join(timeout=smtp_timeout(smtp))
    result.server_trouble = trouble.is_set()


def smtp_timeout(smtp) -> float:
    """How long a sender may take to finish the message it is in."""
    return float(getattr(smtp, "timeout", 30) or 30) * 2


def issue_finish_if_done(issue_id: int) -> bool:
    """Mark the issue sent, with exact counts, when no row is pending or sending."""
    open_rows = IssueDelivery.objects.filter(
        issue_id=issue_id, state__in=[DeliveryState.PENDING, DeliveryState.SENDING]
    )
    if open_rows.exists():
        return False
    counts = dict(
        IssueDelivery.objects.filter(issue_id=issue_id)
        .values_list("state")
        .annotate(n=Count("pk"))
        .values_list("state", "n")
    )
    finished = Issue.objects.filter(pk=issue_id, state=IssueState.SENDING).update(
        state=IssueState.SENT,
        sent_at=timezone.now(),
        sent_count=counts.get(DeliveryState.SENT, 0) + counts.get(DeliveryState.BOUNCED, 0),
        failed_count=counts.get(DeliveryState.FAILED, 0),
        updated_at=timezone.now(),
    )
    if finished:
        logger.info("epaper: issue %s sent: %s", issue_id, counts)
    return True


def issue_send_batch(
    *, issue_id: int, limit: int | None = None, smtp=None, deadline: float | None = None
) -> BatchResult:
    """Claim, send and mark one batch of the issue's recipients (see the module). ``smtp``: a
    ``BulkSmtp`` to reuse (default: one for this batch, closed after); ``deadline``: a
    ``time.monotonic()`` after which no new message is started."""
    result = BatchResult()
    issue = Issue.objects.select_related("newsletter").filter(pk=issue_id).first()
    if issue is None or issue.state != IssueState.SENDING:
        result.done = True
        return result
    with _asynchronous_commits():
        _send_batch(issue, limit or settings.EPAPER_SEND_BATCH, smtp, deadline, result)
    return result


def _send_batch(issue: Issue, limit: int, smtp, deadline, result: BatchResult) -> None:
    issue_id = issue.pk
    leases_release(issue_id=issue_id)
    ids, token = deliveries_claim(issue_id=issue_id, limit=limit)
    result.claimed = len(ids)
    if ids:
        jobs = _jobs(issue, ids, token, result)
        if jobs:
            own = smtp is None
            if own:
                smtp = new_sender()
            try:
                _send_jobs(
                    jobs,
                    smtp=smtp,
                    newsletter=issue.newsletter,
                    token=token,
                    result=result,
                    deadline=deadline,
                )
            finally:
                if own:
                    smtp.close()
        if result.sent or result.failed:
            Issue.objects.filter(pk=issue_id).update(
                sent_count=F("sent_count") + result.sent,
                failed_count=F("failed_count") + result.failed,
            )
    if not ids or result.claimed < limit:
        result.done = issue_finish_if_done(issue_id)


def new_sender():
    """The SMTP sender of the e-papers (EPAPER_SMTP_CONNECTIONS, EPAPER_SMTP_RATE)."""
    return bulk_sender(connections=settings.EPAPER_SMTP_CONNECTIONS, rate=settings.EPAPER_SMTP_RATE)


def issue_send(*, issue_id: int, seconds: float, limit: int | None = None, smtp=None) -> dict:
    """Send batches of the issue until it is finished, ``seconds`` have passed, the SMTP
    server is in trouble or nothing is left to claim (rows leased by a worker that died wait
    for their lease). ``more``: call again (the time was up)."""
    deadline = time.monotonic() + seconds
    totals = {"sent": 0, "failed": 0, "skipped": 0, "deferred": 0, "batches": 0}
    own = smtp is None
    if own:
        smtp = new_sender()
    try:
        while True:
            result = issue_send_batch(issue_id=issue_id, limit=limit, smtp=smtp, deadline=deadline)
            totals["batches"] += 1
            for key in ("sent", "failed", "skipped", "deferred"):
                totals[key] += getattr(result, key)
            if result.done:
                return {**totals, "done": True, "more": False}
            if result.server_trouble:
                logger.warning("epaper: issue %s paused: %s", issue_id, result.errors[:3])
                return {**totals, "done": False, "more": False, "errors": result.errors[:3]}
            if not result.claimed:
                return {**totals, "done": False, "more": False}
            if time.monotonic() >= deadline:
                return {**totals, "done": False, "more": True}
    finally:
        if own:
            smtp.close()


# --- Test send --------------------------------------------------------------------------------


def may_send(user, newsletter: Newsletter) -> bool:
    """Editors of the newsletter (its ``editor_role``) and e-paper managers."""
    if authz.has_role(user, MANAGER):
        return True
    return bool(newsletter.editor_role) and authz.has_role(user, newsletter.editor_role)


def issue_test_send(*, issue: Issue, actor) -> str:
    """Mail the issue's real message, subject marked ``[TEST]``, to ``actor``'s own address,
    now; returns the address. Not recorded as a delivery, not counted. The footer links are
    the actor's own when the address is a subscriber, else placeholders that open the "link
    not valid" page. ``PermissionDenied`` unless an editor of the newsletter or a manager;
    ``ValidationError`` when there is no address or the server did not take the message."""
    if actor is None or not may_send(actor, issue.newsletter):
        raise PermissionDenied(_("You may not send this newsletter's issues."))
    address = (getattr(actor, "email", "") or "").strip()
    if not address:
        raise ValidationError(_("Your account has no e-mail address to send the test to."))
    language = _language(translation.get_language() or "")
    prepared = mail.issue_message(issue, language=language, test=True)
    subscriber = (
        Subscriber.objects.filter(email__iexact=address)
        .exclude(state=SubscriberState.ERASED)
        .first()
    )
    if subscriber is not None:
        data = prepared.for_subscriber(
            subscriber=subscriber,
            newsletter=issue.newsletter,
            to=address,
            message_id=mail.new_message_id(),
        )
    else:
        data = prepared.render(
            to=address,
            message_id=mail.new_message_id(),
            preferences_token=mail.PREVIEW_TOKEN,
            unsubscribe_token=mail.PREVIEW_TOKEN,
        )
    sender = bulk_sender(connections=1)
    try:
        sender.send(prepared.envelope_from, address, data)
    except (PermanentRefusal, TemporaryFailure) as exc:
        logger.warning("epaper: test send of issue %s to %s failed: %s", issue.pk, address, exc)
        raise ValidationError(
            _("The test could not be sent: %(error)s"), params={"error": str(exc)}
        ) from exc
    finally:
        sender.close()
    logger.info("epaper: test of issue %s sent to user %s", issue.pk, actor.pk)
    return address
