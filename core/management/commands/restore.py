"""``manage.py restore --input DIR [--force] [--target-url URL]``: restore a backup."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.backup import BackupError, Database, restore_backup


class Command(BaseCommand):
    help = (
        "Restore a backup written by `manage.py backup` into an empty database and media "
        "folder, after verifying its manifest."
    )

    def add_arguments(self, parser):
        parser.add_argument("--input", type=Path, required=True, help="the backup's folder")
        parser.add_argument(
            "--force", action="store_true", help="overwrite a database or media folder in use"
        )
        parser.add_argument(
            "--target-url", help="restore into this database instead (postgres://… or sqlite:///…)"
        )
        parser.add_argument("--media-root", type=Path, help="restore the files here (MEDIA_ROOT)")

    def handle(self, *args, input, force=False, target_url=None, media_root=None, **options):  # noqa: A002
        try:
            database = Database.from_url(target_url) if target_url else None
            manifest = restore_backup(
                folder=input, database=database, media_root=media_root, force=force
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(manifest["tables"].values())
        self.stdout.write(
            f"restored {input}: {len(manifest['tables'])} tables, {rows} rows, "
            f"{manifest['media']['files']} files"
        )
