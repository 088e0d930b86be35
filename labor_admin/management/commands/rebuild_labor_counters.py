from django.core.management.base import BaseCommand

from labor_admin.services.counters import counters_rebuild


class Command(BaseCommand):
    help = (
        "Recompute the national board's counters (daily received/closed counts and the open "
        "counts per unit, county and case type) from the cases. Safe to run at any time: "
        "writers of cases wait while it runs, so the result is exact."
    )

    def handle(self, *args, **options):
        days, open_rows = counters_rebuild()
        self.stdout.write(
            self.style.SUCCESS(f"{days} daily counter rows, {open_rows} open counter rows.")
        )
