"""Writing the seeded reference data (case types, industrial classification) into the
tables; called by the data migration with historical models and by tests."""

from .constants import CASE_TYPES, INDUSTRY_DIVISIONS, INDUSTRY_SECTORS


def load_reference_data(apps) -> None:
    Sector = apps.get_model("labor_admin", "IndustrySector")
    Division = apps.get_model("labor_admin", "IndustryDivision")
    CaseType = apps.get_model("labor_admin", "CaseType")
    CaseStatus = apps.get_model("labor_admin", "CaseStatus")
    CaseTransition = apps.get_model("labor_admin", "CaseTransition")
    CaseField = apps.get_model("labor_admin", "CaseField")
    sectors = {}
    for code, zh, en in INDUSTRY_SECTORS:
        sectors[code], _ = Sector.objects.update_or_create(
            code=code, defaults={"name_zh": zh, "name_en": en}
        )
    for code, sector, zh, en in INDUSTRY_DIVISIONS:
        Division.objects.update_or_create(
            code=code, defaults={"sector": sectors[sector], "name_zh": zh, "name_en": en}
        )
    for order, (code, zh, en, workflow, days, kind, fields) in enumerate(CASE_TYPES, start=1):
        if CaseType.objects.filter(code=code).exists():
            continue  # edited in the admin since: leave it alone
        case_type = CaseType.objects.create(
            code=code,
            name_zh=zh,
            name_en=en,
            deadline_days=days,
            deadline_kind=kind,
            sort_order=order * 10,
        )
        statuses = {}
        for n, (s_code, s_zh, s_en, initial, final) in enumerate(workflow["statuses"]):
            statuses[s_code] = CaseStatus.objects.create(
                case_type=case_type,
                code=s_code,
                name_zh=s_zh,
                name_en=s_en,
                is_initial=initial,
                is_final=final,
                sort_order=n * 10,
            )
        for n, (src, dst, t_zh, t_en, role, comment) in enumerate(workflow["transitions"]):
            CaseTransition.objects.create(
                case_type=case_type,
                from_status=statuses[src],
                to_status=statuses[dst],
                name_zh=t_zh,
                name_en=t_en,
                actor_role=role,
                comment_required=comment,
                sort_order=n * 10,
            )
        for n, (f_code, f_zh, f_en, f_kind, required, choices) in enumerate(fields):
            CaseField.objects.create(
                case_type=case_type,
                code=f_code,
                label_zh=f_zh,
                label_en=f_en,
                kind=f_kind,
                required=required,
                choices=choices,
                sort_order=n * 10,
            )
