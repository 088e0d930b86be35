"""On PostgreSQL, a GIN index on ``to_tsvector('simple', tokens)`` of the search entries
(CJK bigrams and English words, ``meetings.services.search``). Nothing on SQLite, where the
search runs as LIKE."""

from django.db import migrations

INDEX = "meetings_search_tokens_gin"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON meetings_searchentry "
        "USING gin (to_tsvector('simple', tokens))"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("meetings", "0002_case_close_chain_template")]

    operations = [migrations.RunPython(create, drop)]
