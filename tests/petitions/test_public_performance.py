"""Submission cost: a bounded number of queries whatever the table holds, and the
near-duplicate check served by indexes on PostgreSQL (only the sender's recent cases)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from petitions.models import Petition
from petitions.services.abuse import normalise_text, similar_petition

from .factories import CategoryFactory, PetitionFactory, county

pytestmark = pytest.mark.django_db

# Category + county (form), block list, near-duplicate check, BEGIN, INSERT, the confirmation
# mail's outbox row (INSERT; its content type is looked up once per process), COMMIT
# (PostgreSQL counts BEGIN/COMMIT as queries, SQLite does not); one INSERT per attachment on top.
MAX_SUBMIT_QUERIES = 9


def _data(category, n: int) -> dict:
    return {
        "name": "林小姐",
        "email": "lin@example.com",
        "phone": "0912-345-678",
        "subject": f"加班費未給付 {n}",
        "category": category.pk,
        "county": county().pk,
        "body": f"第{n}次：雇主三個月未給付加班費，工時紀錄如附，請協助。{'x' * n * 40}",
        "consent": "on",
        "website": "",
    }


def test_submission_post_runs_a_bounded_number_of_queries(
    client, django_assert_max_num_queries, django_capture_on_commit_callbacks, mailoutbox
):
    category = CategoryFactory(code="wages")
    for n in range(15):  # the sender's earlier cases: the count must not grow with them
        PetitionFactory(citizen_email="lin@example.com", subject=f"其他案件 {n}", body="無關" * n)
    data = _data(category, 1)
    with (
        django_assert_max_num_queries(MAX_SUBMIT_QUERIES),
        django_capture_on_commit_callbacks(execute=False) as callbacks,
    ):
        response = client.post(reverse("petitions:submit"), data)
    assert response.status_code == 302
    assert len(callbacks) == 1  # the confirmation mail is enqueued after commit
    callbacks[0]()
    assert len(mailoutbox) == 1
    # The token is stored as SHA-256 (64 hex), the slow hasher waits for the confirmation.
    petition = Petition.objects.get(subject="加班費未給付 1")
    assert len(petition.confirmation_token_hash) == 64
    assert petition.query_code_hash == ""


@pytest.mark.needs_postgres
def test_duplicate_check_uses_indexes_on_postgresql(needs_postgres):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'petitions_petition'"
        )
        indexes = dict(cursor.fetchall())
    assert "gin_trgm_ops" in indexes["petitions_fingerprint_trgm"]
    assert "upper" in indexes["petitions_email_upper_created"].lower()

    PetitionFactory(citizen_email="Lin@Example.com", subject="加班費", body="雇主未給付加班費")
    fingerprint = normalise_text("加班費\n雇主未給付加班費")
    with CaptureQueriesContext(connection) as queries:
        found = similar_petition(email="lin@example.COM", fingerprint=fingerprint)
    assert found is not None and len(queries) == 1
    sql = queries[0]["sql"]
    assert "% '" in sql or "%%" in sql  # the trigram operator the GIN index serves
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Seq Scan" not in plan and "Index" in plan, plan
