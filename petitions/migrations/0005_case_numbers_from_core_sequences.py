"""Case numbers come from ``core.sequences`` (scope "petitions:case"): the last serial of each
ROC year moves from ``petitions.CaseCounter`` into ``core.Sequence``, then the old table goes.
The reverse recreates the table and copies the values back."""

from django.db import migrations, models

SCOPE = "petitions:case"


def counters_to_core(apps, schema_editor):
    CaseCounter = apps.get_model("petitions", "CaseCounter")
    Sequence = apps.get_model("core", "Sequence")
    for counter in CaseCounter.objects.all():
        sequence, _created = Sequence.objects.get_or_create(
            scope=SCOPE, year=counter.roc_year, defaults={"last_value": counter.last_serial}
        )
        if sequence.last_value < counter.last_serial:
            sequence.last_value = counter.last_serial
            sequence.save(update_fields=["last_value"])


def counters_from_core(apps, schema_editor):
    CaseCounter = apps.get_model("petitions", "CaseCounter")
    Sequence = apps.get_model("core", "Sequence")
    for sequence in Sequence.objects.filter(scope=SCOPE):
        CaseCounter.objects.update_or_create(
            roc_year=sequence.year, defaults={"last_serial": sequence.last_value}
        )


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0005_sequence"),
        ("petitions", "0004_public_duplicate_indexes"),
    ]

    operations = [
        migrations.RunPython(counters_to_core, counters_from_core),
        migrations.DeleteModel(name="CaseCounter"),
    ]
