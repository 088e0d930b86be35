"""Indexes for the near-duplicate check of public submissions (PostgreSQL only; SQLite, used
for development and tests, compares the sender's few recent cases in Python).

* ``petitions_email_upper_created``: the sender's recent cases, matched case-insensitively
  (``citizen_email__iexact`` compiles to ``UPPER("citizen_email"::text) = UPPER(%s)``, which the
  plain ``(citizen_email, created_at)`` index cannot serve).
* ``petitions_fingerprint_trgm``: GIN trigram index on the normalised text, serving the
  ``body_fingerprint % …`` pre-filter of ``similarity()``.

Raw SQL because neither index exists on SQLite; the model state does not list them, so
``makemigrations`` stays quiet.
"""

from django.db import migrations

INDEXES = [
    (
        "petitions_email_upper_created",
        "CREATE INDEX IF NOT EXISTS petitions_email_upper_created ON petitions_petition "
        '(UPPER("citizen_email"::text), "created_at")',
    ),
    (
        "petitions_fingerprint_trgm",
        "CREATE INDEX IF NOT EXISTS petitions_fingerprint_trgm ON petitions_petition "
        'USING gin ("body_fingerprint" gin_trgm_ops)',
    ),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for _name, sql in INDEXES:
        schema_editor.execute(sql)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _sql in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("petitions", "0003_staff_intake")]
    operations = [migrations.RunPython(create, drop, elidable=False)]
