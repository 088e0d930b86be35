from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from labor_admin.services import DEFAULT_FILE, labor_units_load


class Command(BaseCommand):
    help = (
        "Create or update the local labour-administration units from a CSV file (columns "
        "code,parent_code,name_zh,name_en,kind,county_code; see labor_admin/README.md). "
        "Without a path: the plausible set shipped in labor_admin/data/labor_units.csv. "
        "All or nothing: a bad line is reported and nothing is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=str(DEFAULT_FILE))

    def handle(self, *args, path, **options):
        try:
            text = Path(path).read_bytes().decode("utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"cannot read {path}: {exc}") from exc
        report = labor_units_load(text=text)
        if report.errors:
            raise CommandError("\n".join(report.errors))
        self.stdout.write(
            self.style.SUCCESS(f"{report.created} units created, {report.updated} updated.")
        )
