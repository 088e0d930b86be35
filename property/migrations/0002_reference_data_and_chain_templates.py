"""Reference data of the property app, all editable afterwards in the admin:

- the seed subset of 財物標準分類 (``property/data/classifications.csv``; the full table is
  loaded with ``manage.py property_load_classifications <file.csv>``);
- the register rules: classes 3, 4 and 5 at least NT$10,000 and at least 2 years' life are
  property, else non-consumables; classes 1 and 2 are always property;
- the reason classes for scrap and loss;
- one chain template per movement kind (purpose ``property.<kind>``): the head of the
  requesting unit; scrap, loss and sale then the agency's property officer (a role step);
- the form templates (財產增加單, 移動單, 減損單, 報廢單).

The reverse removes what is unused.
"""

import csv
from pathlib import Path

from django.db import migrations

CSV = Path(__file__).resolve().parent.parent / "data" / "classifications.csv"

KINDS = {
    "acquisition": ("財產增加核定", "Property acquisition approval"),
    "transfer": ("財產移動核定", "Property transfer approval"),
    "handover": ("財產移交核定", "Property hand-over approval"),
    "value_increase": ("財產增值核定", "Property value increase approval"),
    "value_decrease": ("財產減值核定", "Property value decrease approval"),
    "scrap": ("財產報廢核定", "Property scrap approval"),
    "loss": ("財產減損核定", "Property loss approval"),
    "sale": ("報廢財產變賣核定", "Sale of scrapped property approval"),
}
OFFICER_KINDS = {"scrap", "loss", "sale"}

REASONS = [
    ("worn-out", "使用年限屆滿", "Useful life reached", False),
    ("beyond-repair", "損壞無法修復", "Damaged beyond repair", True),
    ("disaster", "天然災害毀損", "Destroyed in a natural disaster", True),
    ("theft", "遭竊遺失", "Stolen or lost", True),
    ("obsolete", "技術陳舊不堪使用", "Obsolete", False),
]

FORMS = [
    ("acquisition", "財產增加單", "Property acquisition form"),
    ("transfer", "財產移動單", "Property transfer form"),
    ("value_decrease", "財產減損單", "Property decrease form"),
    ("loss", "財產減損單", "Property loss form"),
    ("scrap", "財產報廢單", "Property scrap form"),
]
SIGNATURES = "經辦人,保管人,單位主管,財產管理人員,主辦會計,機關首長"


def create(apps, schema_editor):
    Classification = apps.get_model("property", "Classification")
    RegisterRule = apps.get_model("property", "RegisterRule")
    ScrapReason = apps.get_model("property", "ScrapReason")
    FormTemplate = apps.get_model("property", "FormTemplate")
    ChainTemplate = apps.get_model("documents", "ChainTemplate")
    ChainTemplateStep = apps.get_model("documents", "ChainTemplateStep")
    Role = apps.get_model("accounts", "Role")

    with CSV.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            Classification.objects.get_or_create(
                code=row["code"],
                defaults={
                    "class_digit": row["code"][0],
                    "name_zh": row["name_zh"],
                    "name_en": row["name_en"],
                    "useful_life_years": int(row["useful_life_years"]),
                },
            )
    if not RegisterRule.objects.exists():
        for priority, digit in enumerate(["1", "2"], start=1):
            RegisterRule.objects.create(
                priority=priority, class_digit=digit, min_cost=0, min_life_years=0,
                register_when_met="property", register_otherwise="property",
            )
        RegisterRule.objects.create(
            priority=10, class_digit="", min_cost=10000, min_life_years=2,
            register_when_met="property", register_otherwise="non_consumable",
        )
    for code, zh, en, early in REASONS:
        ScrapReason.objects.get_or_create(
            code=code, defaults={"name_zh": zh, "name_en": en, "allows_early": early}
        )
    for kind, zh, en in FORMS:
        FormTemplate.objects.get_or_create(
            kind=kind, defaults={"title_zh": zh, "title_en": en, "signatures": SIGNATURES}
        )
    officer, _ = Role.objects.get_or_create(
        code="property.officer",
        application=None,
        defaults={"name_zh": "財產管理人員", "name_en": "Property officer"},
    )
    for kind, (zh, en) in KINDS.items():
        purpose = f"property.{kind}"
        if ChainTemplate.objects.filter(purpose=purpose).exists():
            continue
        template = ChainTemplate.objects.create(
            code=f"property-{kind.replace('_', '-')}",
            purpose=purpose,
            name_zh=zh,
            name_en=en,
            description="Seeded by the property app; edit the steps as the agency decides.",
            registers_document=False,
            is_active=True,
        )
        ChainTemplateStep.objects.create(template=template, order=1, kind="unit_head", levels_up=0)
        if kind in OFFICER_KINDS:
            ChainTemplateStep.objects.create(template=template, order=2, kind="role", role=officer)


def remove(apps, schema_editor):
    ChainTemplate = apps.get_model("documents", "ChainTemplate")
    SignOffChain = apps.get_model("documents", "SignOffChain")
    for template in ChainTemplate.objects.filter(purpose__startswith="property."):
        if not SignOffChain.objects.filter(template=template).exists():
            template.delete()
    for name in ("FormTemplate", "ScrapReason", "RegisterRule", "Classification"):
        apps.get_model("property", name).objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("property", "0001_register_movements_ledger"),
        ("documents", "0004_drop_group_steps_targets_required"),
        ("accounts", "0008_directory_outage_alerted"),
    ]

    operations = [migrations.RunPython(create, remove)]
