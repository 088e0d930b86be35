"""Calendar feeds keep only their token's SHA-256: the existing tokens are hashed in place, so
addresses already given to calendar programs keep working."""

import hashlib

from django.db import migrations, models


def hash_tokens(apps, schema_editor):
    feed_model = apps.get_model("meetings", "CalendarFeed")
    for feed in feed_model.objects.all():
        feed.token_hash = hashlib.sha256(feed.token.encode()).hexdigest()
        feed.save(update_fields=["token_hash"])


class Migration(migrations.Migration):
    dependencies = [("meetings", "0006_calendar_feed")]

    operations = [
        migrations.AddField(
            model_name="calendarfeed",
            name="token_hash",
            field=models.CharField(default="", max_length=64, verbose_name="token (SHA-256)"),
            preserve_default=False,
        ),
        migrations.RunPython(hash_tokens, migrations.RunPython.noop, elidable=True),
        migrations.RemoveField(model_name="calendarfeed", name="token"),
        migrations.AlterField(
            model_name="calendarfeed",
            name="token_hash",
            field=models.CharField(max_length=64, unique=True, verbose_name="token (SHA-256)"),
        ),
    ]
