"""The seven newsletters of the seed (電子報訂閱), with English titles and their editors' roles."""

from django.db import migrations

NEWSLETTERS = [
    # code, 中文, English, publisher, publisher (English), frequency, frequency (English)
    ("weekly", "勞工電子週報", "Labor e-Weekly", "勞動部", "Ministry of Labor", "每週", "Weekly"),
    ("bulletin", "台灣勞工簡訊", "Taiwan Labor Bulletin", "勞動部", "Ministry of Labor",
     "每月", "Monthly"),
    ("education", "全民勞教e網電子報", "Labor Education for All e-Newsletter", "勞動部",
     "Ministry of Labor", "每月", "Monthly"),
    ("quarterly", "台灣勞工季刊", "Taiwan Labor Quarterly", "勞動部", "Ministry of Labor",
     "每季", "Quarterly"),
    ("statistics", "勞動統計電子報", "Labor Statistics e-Newsletter", "勞動部統計處",
     "Department of Statistics", "每月", "Monthly"),
    ("bli", "勞工保險局電子報", "Bureau of Labor Insurance e-Newsletter", "勞工保險局",
     "Bureau of Labor Insurance", "每月", "Monthly"),
    ("wda", "勞動力發展署電子報", "Workforce Development Agency e-Newsletter", "勞動力發展署",
     "Workforce Development Agency", "每月", "Monthly"),
]  # fmt: skip


def seed(apps, schema_editor):
    Newsletter = apps.get_model("epaper", "Newsletter")
    for order, (code, zh, en, pub_zh, pub_en, freq_zh, freq_en) in enumerate(NEWSLETTERS):
        Newsletter.objects.get_or_create(
            code=code,
            defaults={
                "name_zh": zh,
                "name_en": en,
                "publisher_zh": pub_zh,
                "publisher_en": pub_en,
                "frequency_zh": freq_zh,
                "frequency_en": freq_en,
                "from_name": zh,
                "editor_role": f"epaper.editor.{code}",
                "sort_order": (order + 1) * 10,
            },
        )


def unseed(apps, schema_editor):
    Newsletter = apps.get_model("epaper", "Newsletter")
    Newsletter.objects.filter(
        code__in=[row[0] for row in NEWSLETTERS], issues__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("epaper", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
