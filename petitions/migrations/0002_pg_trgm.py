"""pg_trgm for near-duplicate detection (similarity()) on PostgreSQL; nothing on SQLite."""

from django.db import migrations


def _operations():
    from django.contrib.postgres.operations import TrigramExtension

    class PostgresOnlyTrigramExtension(TrigramExtension):
        """CREATE EXTENSION IF NOT EXISTS pg_trgm, only when the database is PostgreSQL."""

        def database_forwards(self, app_label, schema_editor, from_state, to_state):
            if schema_editor.connection.vendor != "postgresql":
                return
            super().database_forwards(app_label, schema_editor, from_state, to_state)

        def database_backwards(self, app_label, schema_editor, from_state, to_state):
            # Other apps may use pg_trgm too: leave the extension in place.
            return

    return [PostgresOnlyTrigramExtension()]


class Migration(migrations.Migration):
    dependencies = [("petitions", "0001_initial")]
    operations = _operations()
