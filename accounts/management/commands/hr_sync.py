"""``manage.py hr_sync [--file PATH | --url URL] [--dry-run] [--force]``: apply the HR feed."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.choices import HRSyncStatus
from accounts.hr.choices import FeedFormat
from accounts.hr.constants import MAX_PRINTED_LINES
from accounts.hr.report import report_lines
from accounts.hr.services import hr_sync_run
from accounts.hr.sources import FeedSource, configured_source


class Command(BaseCommand):
    help = gettext_lazy(
        "Apply the HR feed: create, update, move and deactivate accounts. Reads HR_FEED_URL or "
        "HR_FEED_PATH unless --file or --url is given. Prints one line per change."
    )

    def add_arguments(self, parser):
        source = parser.add_mutually_exclusive_group()
        source.add_argument("--file", metavar="PATH", help=_("Read the feed from this file."))
        source.add_argument(
            "--url",
            metavar="URL",
            help=_("Fetch the feed from this URL (with the HR_FEED_TOKEN bearer token)."),
        )
        parser.add_argument(
            "--format",
            choices=FeedFormat.values,
            default=None,
            help=_("Feed format (default: HR_FEED_FORMAT, normally detected)."),
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help=_("Print what would change and apply nothing."),
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help=_(
                "Apply even when the feed would deactivate more than HR_MAX_DEACTIVATE_RATIO "
                "of the active users (after reviewing it with --dry-run)."
            ),
        )

    def handle(self, *args, file=None, url=None, format=None, dry_run=False, force=False, **opts):
        if file:
            source = FeedSource(path=file)
        elif url:
            source = FeedSource(url=url, token=settings.HR_FEED_TOKEN)
        else:
            source = configured_source()
            if source is None:
                raise CommandError(
                    _("No feed: give --file or --url, or set HR_FEED_URL or HR_FEED_PATH.")
                )
        result = hr_sync_run(source=source, dry_run=dry_run, force=force, fmt=format)
        run = result.run
        heading = _("HR sync run #%(id)s from %(source)s") % {"id": run.pk, "source": run.source}
        if dry_run:
            heading += " " + _("(dry run: nothing is applied)")
        self.stdout.write(heading)
        lines = report_lines(result.changes, result.errors, verbose=opts["verbosity"] >= 2)
        for line in lines[:MAX_PRINTED_LINES]:
            self.stdout.write("  " + line)
        if len(lines) > MAX_PRINTED_LINES:
            self.stdout.write(
                "  "
                + _("... and %(count)s more lines (see the run in the admin).")
                % {"count": len(lines) - MAX_PRINTED_LINES}
            )
        if run.status == HRSyncStatus.FAILED:
            raise CommandError(run.message)
        if run.status == HRSyncStatus.REFUSED:
            self.stderr.write(run.message)
            raise CommandError(_("The feed was refused; nothing was applied."), returncode=2)
        style = self.style.WARNING if run.error_count else self.style.SUCCESS
        self.stdout.write(style(run.message))
