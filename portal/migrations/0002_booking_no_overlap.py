"""No double booking, enforced by PostgreSQL: ``btree_gist`` and an exclusion constraint over
``(room_id WITH =, tstzrange(start, "end", '[)') WITH &&)`` for the bookings that hold their
slot (pending or confirmed). Half-open ranges: a booking may start when the previous ends.
Nothing on SQLite, where ``portal.services.bookings`` checks under a lock."""

from django.db import migrations

CONSTRAINT = "portal_booking_no_overlap"


def _constraint():
    from django.contrib.postgres.constraints import ExclusionConstraint
    from django.contrib.postgres.fields import DateTimeRangeField, RangeBoundary, RangeOperators
    from django.db.models import Func, Q

    class TsTzRange(Func):
        function = "TSTZRANGE"
        output_field = DateTimeRangeField()

    return ExclusionConstraint(
        name=CONSTRAINT,
        expressions=[
            ("room", RangeOperators.EQUAL),
            (TsTzRange("start", "end", RangeBoundary()), RangeOperators.OVERLAPS),
        ],
        condition=Q(status__in=["pending", "confirmed"]),
    )


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    schema_editor.add_constraint(apps.get_model("portal", "Booking"), _constraint())


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # Other apps may use btree_gist too: the extension stays.
    schema_editor.remove_constraint(apps.get_model("portal", "Booking"), _constraint())


class Migration(migrations.Migration):
    dependencies = [("portal", "0001_rooms_and_bookings")]

    operations = [migrations.RunPython(forwards, backwards)]
