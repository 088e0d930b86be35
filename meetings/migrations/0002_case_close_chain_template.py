"""The chain template a chair's 解除列管 is approved along where the series asks for it
(``MeetingSeries.closure_needs_approval``): purpose ``meetings.case_close``, one step, the head
of the series' organising unit. An administrator may change the steps in the admin (Approval
chain templates). The reverse removes the template when no chain used it."""

from django.db import migrations

CODE = "meetings-case-close"
PURPOSE = "meetings.case_close"


def create(apps, schema_editor):
    ChainTemplate = apps.get_model("documents", "ChainTemplate")
    ChainTemplateStep = apps.get_model("documents", "ChainTemplateStep")
    if ChainTemplate.objects.filter(purpose=PURPOSE).exists():
        return
    template = ChainTemplate.objects.create(
        code=CODE,
        purpose=PURPOSE,
        name_zh="列管案件解除列管核定",
        name_en="Closing a tracked case",
        description="The chair's decision to close a tracked case is approved by the head of "
        "the meeting series' organising unit.",
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
        ("meetings", "0001_meetings_filing_cases_search"),
        ("documents", "0004_drop_group_steps_targets_required"),
    ]

    operations = [migrations.RunPython(create, remove)]
