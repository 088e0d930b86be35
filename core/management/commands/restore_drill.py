"""``manage.py restore_drill [--input DIR]``: restore the newest backup into a scratch database
and check it against its manifest; exit status 1 when the drill fails."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.backup import restore_drill


class Command(BaseCommand):
    help = "Restore the newest backup into a scratch database and compare it with its manifest."

    def add_arguments(self, parser):
        parser.add_argument("--input", type=Path, help="this backup instead of the newest")
        parser.add_argument("--output", type=Path, help="where the backups are (BACKUP_DIR)")

    def handle(self, *args, input=None, output=None, **options):  # noqa: A002
        record = restore_drill(output=output, folder=input)
        if not record.ok:
            raise CommandError(
                "restore drill failed:\n" + "\n".join(record.detail.get("problems", []))
            )
        self.stdout.write(f"restore drill passed: {record.location} in {record.seconds:.1f} s")
