"""The 17 seeded case types (fields, statuses, transitions) and the industrial
classification (sectors A-S with their divisions)."""

from django.db import migrations

from labor_admin.seed import load_reference_data


def load(apps, schema_editor):
    load_reference_data(apps)


def unload(apps, schema_editor):
    for name in ("CaseType", "IndustryDivision", "IndustrySector"):
        apps.get_model("labor_admin", name).objects.filter(
            pk__in=apps.get_model("labor_admin", name).objects.values("pk")
        ).delete()


class Migration(migrations.Migration):
    dependencies = [("labor_admin", "0001_cases_types_and_facts")]

    operations = [migrations.RunPython(load, unload)]
