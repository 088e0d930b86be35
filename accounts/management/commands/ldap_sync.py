"""``manage.py ldap_sync [--directory KEY] [--full] [--check]``: sync directory groups now."""

from django.core.management.base import BaseCommand, CommandError

from accounts.ldap.config import get_directories, get_directory
from accounts.ldap.connection import connect
from accounts.ldap.errors import DirectoryError
from accounts.ldap.services import directory_sync


class Command(BaseCommand):
    help = (
        "Mirror the groups of the configured LDAP/AD directories and apply their roles. "
        "Incremental where the directory offers a change attribute, unless --full."
    )

    def add_arguments(self, parser):
        parser.add_argument("--directory", help="only this directory (its key)")
        parser.add_argument("--full", action="store_true", help="read every group")
        parser.add_argument(
            "--check", action="store_true", help="only test the connection and service bind"
        )

    def handle(self, *args, directory=None, full=False, check=False, **options):
        if directory:
            found = get_directory(directory)
            if found is None:
                known = ", ".join(d.key for d in get_directories()) or "none"
                raise CommandError(f"No directory {directory!r} is configured (known: {known}).")
            directories = [found]
        else:
            directories = get_directories()
        if not directories:
            self.stdout.write("No LDAP directory is configured (LDAP_DIRECTORIES is empty).")
            return
        failed = 0
        for item in directories:
            try:
                if check:
                    connect(item).unbind_s()
                    self.stdout.write(f"{item.key}: reachable, service account accepted")
                else:
                    self.stdout.write(directory_sync(directory=item, full=full).summary())
            except DirectoryError as exc:
                failed += 1
                self.stderr.write(f"{item.key}: {exc}")
        if failed:
            raise CommandError(f"{failed} of {len(directories)} directories failed.")
