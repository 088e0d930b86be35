"""Taiwan's 2026 (民國115年) office calendar of the Directorate-General of Personnel
Administration (行政院人事行政總處): public holidays and compensatory days off falling on
weekdays. 2026 has no make-up working days (補班): the calendar announced in 2025 under the
Commemorative Days and Holidays Act (紀念日及節日實施條例) moves a holiday that falls on a
Saturday to the Friday before and one on a Sunday to the Monday after, without bridge days.
Holidays that fall on a weekend are listed too (off anyway; named for the calendar pages).
Later years are loaded from the DGPA CSV with ``manage.py load_work_calendar`` (see
petitions/README.md)."""

import datetime as dt

from django.db import migrations

HOLIDAYS_2026 = [
    ("2026-01-01", "開國紀念日"),
    ("2026-02-14", "春節連假"),
    ("2026-02-15", "小年夜（除夕前一日）"),
    ("2026-02-16", "農曆除夕"),
    ("2026-02-17", "春節"),
    ("2026-02-18", "春節"),
    ("2026-02-19", "春節"),
    ("2026-02-20", "小年夜補假"),
    ("2026-02-21", "春節連假"),
    ("2026-02-22", "春節連假"),
    ("2026-02-27", "和平紀念日補假"),
    ("2026-02-28", "和平紀念日"),
    ("2026-04-03", "兒童節補假"),
    ("2026-04-04", "兒童節"),
    ("2026-04-05", "民族掃墓節（清明節）"),
    ("2026-04-06", "民族掃墓節補假"),
    ("2026-05-01", "勞動節"),
    ("2026-06-19", "端午節"),
    ("2026-09-25", "中秋節"),
    ("2026-09-28", "孔子誕辰紀念日（教師節）"),
    ("2026-10-09", "國慶日補假"),
    ("2026-10-10", "國慶日"),
    ("2026-10-25", "臺灣光復暨金門古寧頭大捷紀念日"),
    ("2026-10-26", "臺灣光復暨金門古寧頭大捷紀念日補假"),
    ("2026-12-25", "行憲紀念日"),
]
MAKEUP_WORKDAYS_2026 = []  # none announced for 2026


def load(apps, schema_editor):
    WorkCalendarDay = apps.get_model("core", "WorkCalendarDay")
    for day, name in HOLIDAYS_2026:
        WorkCalendarDay.objects.update_or_create(
            date=dt.date.fromisoformat(day), defaults={"is_workday": False, "name": name}
        )
    for day, name in MAKEUP_WORKDAYS_2026:
        WorkCalendarDay.objects.update_or_create(
            date=dt.date.fromisoformat(day), defaults={"is_workday": True, "name": name}
        )


def unload(apps, schema_editor):
    WorkCalendarDay = apps.get_model("core", "WorkCalendarDay")
    days = [dt.date.fromisoformat(d) for d, _ in HOLIDAYS_2026 + MAKEUP_WORKDAYS_2026]
    WorkCalendarDay.objects.filter(date__in=days).delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0003_work_calendar")]

    operations = [migrations.RunPython(load, unload)]
