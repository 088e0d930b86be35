"""Seed the organisation chart (seed 壹-一) and Taiwan's 22 counties/cities."""

from django.db import migrations

from core.constants import COUNTIES, ORGANIZATION_CHART


def load(apps, schema_editor):
    County = apps.get_model("core", "County")
    Organization = apps.get_model("core", "Organization")
    for order, (code, name_zh, name_en, letter, kind) in enumerate(COUNTIES, start=1):
        County.objects.update_or_create(
            code=code,
            defaults={
                "name_zh": name_zh,
                "name_en": name_en,
                "letter": letter,
                "kind": kind,
                "sort_order": order,
            },
        )
    by_code = {}
    for order, (code, parent, name_zh, name_en, abbr, kind) in enumerate(
        ORGANIZATION_CHART, start=1
    ):
        by_code[code], _ = Organization.objects.update_or_create(
            code=code,
            defaults={
                "parent": by_code.get(parent),
                "name_zh": name_zh,
                "name_en": name_en,
                "abbreviation": abbr,
                "kind": kind,
                "sort_order": order * 10,
            },
        )


def unload(apps, schema_editor):
    Organization = apps.get_model("core", "Organization")
    County = apps.get_model("core", "County")
    codes = [row[0] for row in ORGANIZATION_CHART]
    # Children first (the parent link protects).
    for code in reversed(codes):
        Organization.objects.filter(code=code, children__isnull=True).delete()
    County.objects.filter(code__in=[row[0] for row in COUNTIES]).delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
