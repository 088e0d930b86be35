"""The chain template replies are signed off along: purpose ``petitions.reply``, one step, the
head of the case's handling unit (``unit_head`` with no unit: the unit the reply is for; when
the head wrote the reply, the head of the unit above). An administrator may change the steps
in the admin (Approval chain templates); the reply's author never signs it off.

The reverse removes the template when no chain used it.
"""

from django.db import migrations

CODE = "petitions-reply"
PURPOSE = "petitions.reply"


def create(apps, schema_editor):
    ChainTemplate = apps.get_model("documents", "ChainTemplate")
    ChainTemplateStep = apps.get_model("documents", "ChainTemplateStep")
    if ChainTemplate.objects.filter(purpose=PURPOSE).exists():
        return
    template = ChainTemplate.objects.create(
        code=CODE,
        purpose=PURPOSE,
        name_zh="陳情案件答復核定",
        name_en="Petition reply sign-off",
        description="The reply to a citizen's petition is approved by the head of the case's "
        "handling unit before it is sent; its author never approves it.",
        registers_document=False,
        is_active=True,
    )
    ChainTemplateStep.objects.create(template=template, order=1, kind="unit_head", levels_up=0)


def remove(apps, schema_editor):
    ChainTemplate = apps.get_model("documents", "ChainTemplate")
    SignOffChain = apps.get_model("documents", "SignOffChain")
    template = ChainTemplate.objects.filter(code=CODE).first()
    if template is not None and not SignOffChain.objects.filter(template=template).exists():
        template.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("petitions", "0006_permissions_to_roles"),
        ("documents", "0004_drop_group_steps_targets_required"),
    ]

    operations = [migrations.RunPython(create, remove)]
