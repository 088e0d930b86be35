import time

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from monitoring.tasks import run_once


class Command(BaseCommand):
    help = _(
        "Run every due check once, sweep the heartbeats and send due escalation steps; with "
        "--once exit afterwards (for cron and the embedded default, where no beat runs)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help=_("Run one pass and exit."))
        parser.add_argument(
            "--every", type=int, default=15, help=_("Seconds between passes without --once.")
        )

    def handle(self, *args, **options):
        while True:
            totals = run_once()
            self.stdout.write(
                _(
                    "%(claimed)s checks run (%(ok)s ok, %(failed)s failed), %(changed)s changes, "
                    "%(heartbeats)s heartbeat changes, %(alerts)s alerts"
                )
                % totals
            )
            if options["once"]:
                return
            time.sleep(options["every"])
