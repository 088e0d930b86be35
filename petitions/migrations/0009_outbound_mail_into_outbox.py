"""The citizen mailbox's own outgoing-mail table joins the portal's one outbox.

Every ``OutboundMail`` row becomes a ``notifications.Delivery`` e-mail row kept on its case
(``source`` = the petition, ``kind`` = ``petitions.<kind>``), with its Message-ID, attempts,
errors, send and bounce times. A mail still queued (or failed and still being retried) is
pending again, so the outbox's relay sends it; one that had used up its tries stays failed.
Then the table is dropped. Reversible: going back copies the case mails back.
"""

from django.db import migrations

MAX_TRIES = 8  # the old task's max_retries


def _petition_type(apps):
    ContentType = apps.get_model("contenttypes", "ContentType")
    return ContentType.objects.get_or_create(app_label="petitions", model="petition")[0]


def forwards(apps, schema_editor):
    OutboundMail = apps.get_model("petitions", "OutboundMail")
    Delivery = apps.get_model("notifications", "Delivery")
    if not OutboundMail.objects.exists():
        return
    petition_type = _petition_type(apps)
    for mail in OutboundMail.objects.order_by("pk").iterator():
        if mail.state == "sent":
            state = "sent"
        elif mail.state == "bounced":
            state = "bounced"
        elif mail.state == "failed" and mail.attempts > MAX_TRIES:
            state = "failed"
        else:
            state = "pending"
        delivery = Delivery.objects.create(
            channel="email",
            kind=f"petitions.{mail.kind}"[:60],
            source_type=petition_type if mail.petition_id else None,
            source_id=str(mail.petition_id or ""),
            to=mail.to,
            subject=mail.subject,
            text=mail.body,
            reply_to=mail.reply_to,
            message_id=mail.message_id,
            state=state,
            due_at=mail.created_at,
            attempts=mail.attempts,
            last_error=mail.last_error,
            sent_at=mail.sent_at,
            bounced_at=mail.bounced_at,
            bounce_reason=mail.bounce_reason,
        )
        Delivery.objects.filter(pk=delivery.pk).update(created_at=mail.created_at)


def backwards(apps, schema_editor):
    OutboundMail = apps.get_model("petitions", "OutboundMail")
    Delivery = apps.get_model("notifications", "Delivery")
    Petition = apps.get_model("petitions", "Petition")
    rows = Delivery.objects.filter(channel="email", kind__startswith="petitions.")
    known = set(Petition.objects.values_list("pk", flat=True))
    for delivery in rows.order_by("pk").iterator():
        petition_id = int(delivery.source_id) if delivery.source_id.isdigit() else None
        mail = OutboundMail.objects.create(
            petition_id=petition_id if petition_id in known else None,
            kind=delivery.kind.removeprefix("petitions.")[:30],
            to=delivery.to,
            subject=delivery.subject,
            body=delivery.text,
            reply_to=delivery.reply_to,
            message_id=delivery.message_id,
            state={"pending": "queued", "sending": "queued", "delivered": "sent"}.get(
                delivery.state, delivery.state if delivery.state != "cancelled" else "failed"
            ),
            attempts=delivery.attempts,
            last_error=delivery.last_error,
            sent_at=delivery.sent_at,
            bounced_at=delivery.bounced_at,
            bounce_reason=delivery.bounce_reason,
        )
        OutboundMail.objects.filter(pk=mail.pk).update(created_at=delivery.created_at)
    rows.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("notifications", "0001_initial"),
        ("petitions", "0008_submission_key"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
        migrations.DeleteModel(name="OutboundMail"),
    ]
