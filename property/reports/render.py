"""PDF (WeasyPrint, Noto Sans CJK TC embedded, 民國 dates) and XLSX of the 增減結存表 and
of the per-movement forms."""

from __future__ import annotations

import datetime as dt

from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML

from core.dates import format_roc_date

from .. import xlsx
from ..choices import DECREASE_CATEGORIES, MovementKind
from ..models import FormTemplate, Movement
from .balance import GROUPS

REGISTER_ZH = {"property": "財產", "fund": "基金財產", "non_consumable": "非消耗品"}
DECREASE_ZH = {"scrap": "報廢", "loss": "損失", "transfer_out": "移出", "value_decrease": "減值"}
GROUP_TITLES = {
    "opening": "上期結存",
    "increase": "本期增加",
    "decrease": "本期減少",
    "closing": "本期結存",
}

# The default title of each movement's form when no FormTemplate row overrides it.
FORM_TITLES = {
    MovementKind.ACQUISITION: "財產增加單",
    MovementKind.TRANSFER: "財產移動單",
    MovementKind.HANDOVER: "財產移動單",
    MovementKind.VALUE_INCREASE: "財產增加單",
    MovementKind.VALUE_DECREASE: "財產減損單",
    MovementKind.SCRAP: "財產報廢單",
    MovementKind.LOSS: "財產減損單",
    MovementKind.SALE: "財產減損單",
}
DEFAULT_SIGNATURES = ["經辦人", "保管人", "單位主管", "財產管理人員", "機關首長"]


def balance_pdf(
    *, result: dict, title_unit: str, register: str, date_from: dt.date, date_to: dt.date
) -> bytes:
    html = render_to_string(
        "property/pdf/balance.html",
        {
            "result": result,
            "unit": title_unit,
            "register": REGISTER_ZH[register],
            "period": f"{format_roc_date(date_from)}至{format_roc_date(date_to)}",
            "printed": format_roc_date(timezone.localdate()),
            "groups": [(g, GROUP_TITLES[g]) for g in GROUPS],
            "decrease_types": [(c.value, DECREASE_ZH[c.value]) for c in DECREASE_CATEGORIES],
        },
    )
    return HTML(string=html).write_pdf()


def balance_xlsx(
    *, result: dict, title_unit: str, register: str, date_from: dt.date, date_to: dt.date
) -> bytes:
    head = ["類別", "名稱"]
    for g in GROUPS:
        head += [f"{GROUP_TITLES[g]}數量", f"{GROUP_TITLES[g]}面積", f"{GROUP_TITLES[g]}價值"]
    for c in DECREASE_CATEGORIES:
        head += [f"減少-{DECREASE_ZH[c.value]}數量", f"減少-{DECREASE_ZH[c.value]}價值"]

    def line(row):
        out = [row["classification"], row["name_zh"]]
        for g in GROUPS:
            out += [row[g]["quantity"], row[g]["area"], row[g]["value"]]
        for c in DECREASE_CATEGORIES:
            out += [row["decrease_by"][c.value]["quantity"], row["decrease_by"][c.value]["value"]]
        return out

    rows = [
        [f"{title_unit} {REGISTER_ZH[register]}增減結存表"],
        [f"{format_roc_date(date_from)}至{format_roc_date(date_to)}"],
        head,
        *[line(r) for r in result["rows"]],
        line(result["total"]),
    ]
    return xlsx.write(rows, sheet_name="增減結存表")


def movement_form_pdf(*, movement: Movement) -> bytes:
    template = FormTemplate.objects.filter(kind=movement.kind).first()
    title = template.title_zh if template else FORM_TITLES[movement.kind]
    signatures = template.signature_list() if template else DEFAULT_SIGNATURES
    lines = movement.lines.select_related("item", "item__classification").order_by("item__number")
    html = render_to_string(
        "property/pdf/movement_form.html",
        {
            "movement": movement,
            "title": title,
            "note": template.note if template else "",
            "signatures": signatures,
            "lines": lines,
            "effective": format_roc_date(movement.effective_date),
            "printed": format_roc_date(timezone.localdate()),
            "total": sum(line.amount for line in lines),
        },
    )
    return HTML(string=html).write_pdf()
