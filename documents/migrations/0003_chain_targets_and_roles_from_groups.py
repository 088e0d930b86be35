"""Data: every existing chain approves its document's source object (or the document itself);
auth groups used by role steps become portal-wide roles held in the member's own unit (exactly
the old rule: member of the group and of the step's unit); holders of the
``documents.add_document`` permission become holders of ``documents.registrar`` everywhere.
Document serial counters move into ``core.Sequence`` (scope ``documents:<unit id>``).
Reversible: the reverse puts the groups back on the steps (removing the roles made from them)
and the counters back; registrar assignments stay (harmless, and possibly edited since)."""

from django.db import migrations

GROUP_ROLE_PREFIX = "documents.group-"
REGISTRAR = "documents.registrar"
MIGRATED = "migrated from auth groups"


def forwards(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Chain = apps.get_model("documents", "SignOffChain")
    Step = apps.get_model("documents", "SignOffStep")
    Role = apps.get_model("accounts", "Role")
    Assignment = apps.get_model("accounts", "RoleAssignment")
    User = apps.get_model("accounts", "User")
    Permission = apps.get_model("auth", "Permission")

    document_ct, _ = ContentType.objects.get_or_create(app_label="documents", model="document")
    for chain in Chain.objects.select_related("document").iterator():
        doc = chain.document
        if doc.source_content_type_id:
            chain.target_content_type_id = doc.source_content_type_id
            chain.target_object_id = doc.source_object_id
        else:
            chain.target_content_type_id = document_ct.pk
            chain.target_object_id = str(doc.pk)
        chain.subject = doc.subject[:300]
        chain.deadline = doc.deadline
        chain.requester_unit_id = doc.unit_id
        chain.save(
            update_fields=[
                "target_content_type",
                "target_object_id",
                "subject",
                "deadline",
                "requester_unit",
            ]
        )

    group_ids = set(
        Step.objects.filter(role_group__isnull=False).values_list("role_group_id", flat=True)
    )
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(pk__in=group_ids):
        role, _ = Role.objects.get_or_create(
            application=None,
            code=f"{GROUP_ROLE_PREFIX}{group.pk}",
            defaults={"name_zh": group.name[:100], "name_en": group.name[:100],
                      "description": MIGRATED},
        )
        for user in User.objects.filter(groups=group, organization__isnull=False):
            Assignment.objects.get_or_create(
                user=user,
                role=role,
                scope_id=user.organization_id,
                defaults={"include_subunits": False},
            )
        Step.objects.filter(role_group=group).update(role=role, role_group=None)

    perm = Permission.objects.filter(
        content_type__app_label="documents", codename="add_document"
    ).first()
    if perm is not None:
        holders = User.objects.filter(user_permissions=perm) | User.objects.filter(
            groups__permissions=perm
        )
        holders = holders.filter(is_superuser=False).distinct()
        if holders.exists():
            registrar, _ = Role.objects.get_or_create(
                application=None,
                code=REGISTRAR,
                defaults={"name_zh": "公文登記人員", "name_en": "Document registrar"},
            )
            for user in holders:
                Assignment.objects.get_or_create(user=user, role=registrar, scope=None)


def counters_to_sequences(apps, schema_editor):
    Counter = apps.get_model("documents", "DocumentCounter")
    Sequence = apps.get_model("core", "Sequence")
    for counter in Counter.objects.all():
        row, _ = Sequence.objects.get_or_create(
            scope=f"documents:{counter.unit_id}", year=counter.roc_year
        )
        if row.last_value < counter.last_serial:
            row.last_value = counter.last_serial
            row.save(update_fields=["last_value"])


def sequences_to_counters(apps, schema_editor):
    Counter = apps.get_model("documents", "DocumentCounter")
    Sequence = apps.get_model("core", "Sequence")
    for row in Sequence.objects.filter(scope__startswith="documents:"):
        Counter.objects.update_or_create(
            unit_id=int(row.scope.split(":", 1)[1]),
            roc_year=row.year,
            defaults={"last_serial": row.last_value},
        )


def backwards(apps, schema_editor):
    Step = apps.get_model("documents", "SignOffStep")
    Role = apps.get_model("accounts", "Role")
    Group = apps.get_model("auth", "Group")
    for role in Role.objects.filter(application=None, code__startswith=GROUP_ROLE_PREFIX):
        group_id = int(role.code[len(GROUP_ROLE_PREFIX):])
        group, _ = Group.objects.get_or_create(pk=group_id, defaults={"name": role.name_zh})
        Step.objects.filter(role=role).update(role_group=group, role=None)
        role.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0002_chains_on_any_object_templates_roles"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
        migrations.RunPython(counters_to_sequences, sequences_to_counters),
    ]
