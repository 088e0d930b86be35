"""Load (create or update) the 財物標準分類 table from a CSV file:
``code,name_zh,name_en,useful_life_years``. All or nothing; row errors are listed."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from property.services import ImportRefused, classifications_load


class Command(BaseCommand):
    help = "Load the government property classification table from CSV (all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)

    def handle(self, *args, path: Path, **options):
        try:
            counts = classifications_load(data=path.read_bytes())
        except ImportRefused as exc:
            for error in exc.errors:
                self.stderr.write(f"row {error.row}: {error.field}: {error.reason}")
            raise CommandError(f"{len(exc.errors)} row error(s); nothing was loaded.") from exc
        self.stdout.write(f"{counts['created']} created, {counts['updated']} updated")
