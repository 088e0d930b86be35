"""Load a year of the DGPA office calendar (CSV) into core.WorkCalendarDay."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.dates import CalendarFileError, parse_dgpa_csv
from core.services import work_calendar_load


class Command(BaseCommand):
    help = (
        "Load the office calendar of the Directorate-General of Personnel Administration "
        "(data.gov.tw 中華民國政府行政機關辦公日曆表, CSV: 西元日期,星期,是否放假,備註)."
    )

    def add_arguments(self, parser):
        parser.add_argument("csv_file", type=Path)
        parser.add_argument(
            "--keep-existing",
            action="store_true",
            help="Do not delete entries of the covered years that the file does not list.",
        )

    def handle(self, *args, csv_file: Path, keep_existing: bool, **options):
        try:
            entries = parse_dgpa_csv(csv_file.read_bytes())
        except OSError as exc:
            raise CommandError(f"Cannot read {csv_file}: {exc}") from exc
        except CalendarFileError as exc:
            raise CommandError(str(exc)) from exc
        created, updated, deleted = work_calendar_load(
            entries=entries, replace_years=not keep_existing
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"{len(entries)} calendar entries: {created} created, {updated} updated, "
                f"{deleted} removed."
            )
        )
