from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings
from django.utils.translation import gettext as _

from core.registry import demo_loaders


class Command(BaseCommand):
    help = (
        "Load demo data from every app's demo loader (<app>/demo.py). Idempotent: running it "
        "twice changes nothing. Refuses to run against a production database unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load demo data (with its well-known passwords) even in production mode.",
        )

    def handle(self, *args, force=False, **options):
        if not settings.EMBEDDED and not settings.DEBUG and not force:
            raise CommandError(
                _("Refusing to load demo accounts into a production database; use --force.")
            )
        loaders = demo_loaders()
        # Demo data never mails anyone: the demo addresses are made up.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            for loader in loaders:
                self.stdout.write(f"- {loader.name}")
                with transaction.atomic():
                    loader.func(self.stdout)
        self.stdout.write(self.style.SUCCESS(f"Demo data loaded ({len(loaders)} loaders)."))
