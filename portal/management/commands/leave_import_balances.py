"""Import opening leave balances from a CSV file (format: portal/README.md, "Leave")."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from portal.services.leave import leave_balances_import


class Command(BaseCommand):
    help = "Import opening leave balances from a CSV file; all or nothing."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file and write nothing."
        )

    def handle(self, *args, path: Path, dry_run: bool, **options):
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc}") from exc
        report = leave_balances_import(data=data, dry_run=dry_run)
        if not report.ok:
            for error in report.errors:
                self.stderr.write(error)
            raise CommandError(
                f"{len(report.errors)} error(s) in {report.rows} row(s); nothing was imported."
            )
        if dry_run:
            self.stdout.write(f"{report.rows} row(s) checked; nothing written (dry run).")
        else:
            self.stdout.write(
                f"{report.rows} row(s): {report.created} balance(s) created, "
                f"{report.updated} updated."
            )
