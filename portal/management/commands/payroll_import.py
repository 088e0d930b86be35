"""``manage.py payroll_import FILE --as USERNAME``: import a payroll CSV whole or not at all
(the format is in portal/README.md). The user named must hold ``portal.payroll_officer``.
A refused file prints its report (row, field, message) and exits with status 1."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from portal.services import payslips as services


class Command(BaseCommand):
    help = "Import a payroll CSV file (employee_number,month,type,item,amount) into payslips."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--as", dest="username", required=True, help="A payroll officer's login name."
        )

    def handle(self, *args, file: Path, username: str, **options):
        actor = User.objects.filter(username=username, is_active=True).first()
        if actor is None:
            raise CommandError(f"No active user {username!r}.")
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc}") from exc
        try:
            result = services.payroll_import(actor=actor, data=data, filename=file.name)
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from exc
        except services.PayrollFileInvalid as exc:
            for error in exc.errors:
                self.stderr.write(f"row {error.row}, {error.field}: {error.message}")
            raise CommandError(
                f"{exc.total} problem(s); nothing was imported.", returncode=1
            ) from exc
        self.stdout.write(
            f"Imported {result.slips} payslips from {result.batch.rows} rows "
            f"({result.replaced} replaced)."
        )
