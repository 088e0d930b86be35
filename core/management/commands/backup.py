"""``manage.py backup [--output DIR]``: back up the database and the media files."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.backup import BackupError, create_backup, prune_backups


class Command(BaseCommand):
    help = "Back up the database and the media files into a new folder (core/backup.py)."

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, help="folder to write into (BACKUP_DIR)")
        parser.add_argument(
            "--prune", action="store_true", help="then apply the BACKUP_KEEP_* retention rule"
        )

    def handle(self, *args, output=None, prune=False, **options):
        try:
            folder = create_backup(output=output)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(str(folder))
        if prune:
            for deleted in prune_backups(output):
                self.stdout.write(f"deleted {deleted}")
