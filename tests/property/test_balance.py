"""The 增減結存表: opening + increases − decreases = closing per class on generated data for
several agencies, equal to the sum of the movements; the PDF has the Chinese headings and
totals; the XLSX reads back."""

import datetime as dt
import random
import subprocess
from decimal import Decimal

import pytest

from property import services, xlsx
from property.choices import MovementKind
from property.models import Item, Posting, ScrapReason
from property.reports import balance, render

from .factories import acquire, approve_all, unit

pytestmark = pytest.mark.django_db

CLASSES = ["3140101-01", "4010101-01", "5010101-01", "2010101-01"]


@pytest.fixture
def generated(officer, sec_head, im_head, bli_officer, bli_head, owner, outsider):
    rng = random.Random(12)
    for agency, officer_user, user_unit in (("MOL-HQ", officer, "IM"), ("BLI", bli_officer, "BLI")):
        for n in range(6):
            code = CLASSES[n % len(CLASSES)]
            day = dt.date(2024, 1 + n, 5 + n)
            acquire(
                officer_user,
                agency=agency,
                user_unit=user_unit,
                classification=code,
                count=rng.randint(1, 3),
                cost=Decimal(rng.randint(12, 90) * 1000),
                acquired_on=day,
                area=Decimal("12.50") if code.startswith("2") else Decimal(0),
            )
    hq_items = list(Item.objects.filter(agency__code="MOL-HQ").order_by("pk"))
    approve_all(
        services.movement_create(
            actor=officer,
            kind=MovementKind.VALUE_INCREASE,
            item_ids=[hq_items[0].pk],
            amount=Decimal(3000),
            effective_date=dt.date(2025, 2, 1),
        )
    )
    approve_all(
        services.movement_create(
            actor=officer,
            kind=MovementKind.SCRAP,
            item_ids=[hq_items[1].pk],
            reason="損壞",
            scrap_reason=ScrapReason.objects.get(code="beyond-repair"),
            effective_date=dt.date(2025, 3, 1),
        )
    )
    approve_all(
        services.movement_create(
            actor=officer,
            kind=MovementKind.LOSS,
            item_ids=[hq_items[2].pk],
            reason="遭竊",
            scrap_reason=ScrapReason.objects.get(code="theft"),
            effective_date=dt.date(2025, 4, 1),
        )
    )
    transfer = approve_all(
        services.movement_create(
            actor=officer,
            kind=MovementKind.TRANSFER,
            item_ids=[hq_items[3].pk],
            to_agency=unit("BLI"),
            to_unit=unit("BLI"),
            effective_date=dt.date(2025, 5, 1),
        )
    )
    services.movement_accept(movement=transfer, actor=bli_officer)
    return [unit("MOL-HQ").pk, unit("BLI").pk]


def _sum_postings(agency_ids, date_to):
    rows = Posting.objects.filter(agency_id__in=agency_ids, register="property", date__lte=date_to)
    return sum(p.value for p in rows)


def test_opening_plus_increase_minus_decrease_is_closing_per_class(generated):
    result = balance.balance(
        agency_ids=generated,
        register="property",
        date_from=dt.date(2025, 1, 1),
        date_to=dt.date(2025, 12, 31),
    )
    assert result["rows"]
    for row in result["rows"] + [result["total"]]:
        for f in ("quantity", "area", "value"):
            assert row["opening"][f] + row["increase"][f] - row["decrease"][f] == row["closing"][f]
    assert result["total"]["decrease"]["value"] > 0


def test_the_statement_equals_the_sum_of_the_movements(generated):
    for agency_id in generated:
        result = balance.balance(
            agency_ids=[agency_id],
            register="property",
            date_from=dt.date(2025, 1, 1),
            date_to=dt.date(2025, 12, 31),
        )
        assert result["total"]["closing"]["value"] == _sum_postings(
            [agency_id], dt.date(2025, 12, 31)
        )
        assert result["total"]["opening"]["value"] == _sum_postings(
            [agency_id], dt.date(2024, 12, 31)
        )


def test_the_closing_balance_is_the_register_of_held_items(generated):
    result = balance.balance(
        agency_ids=generated,
        register="property",
        date_from=dt.date(2025, 1, 1),
        date_to=dt.date(2099, 1, 1),
    )
    held = Item.objects.held().filter(agency_id__in=generated)
    assert result["total"]["closing"]["value"] == sum(i.value for i in held)
    assert result["total"]["closing"]["quantity"] == sum(i.quantity for i in held)


def test_decreases_are_broken_down_by_type(generated):
    result = balance.balance(
        agency_ids=[generated[0]],
        register="property",
        date_from=dt.date(2025, 1, 1),
        date_to=dt.date(2025, 12, 31),
    )
    by = result["total"]["decrease_by"]
    assert by["scrap"]["quantity"] == 1 and by["loss"]["quantity"] == 1
    assert by["transfer_out"]["quantity"] == 1
    assert sum(v["value"] for v in by.values()) == result["total"]["decrease"]["value"]


def test_the_pdf_has_the_chinese_headings_and_the_total(generated, tmp_path):
    result = balance.balance(
        agency_ids=generated,
        register="property",
        date_from=dt.date(2025, 1, 1),
        date_to=dt.date(2025, 12, 31),
    )
    pdf = render.balance_pdf(
        result=result,
        title_unit="勞動部",
        register="property",
        date_from=dt.date(2025, 1, 1),
        date_to=dt.date(2025, 12, 31),
    )
    path = tmp_path / "balance.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    for heading in (
        "增減結存表",
        "上期結存",
        "本期增加",
        "本期減少",
        "本期結存",
        "合計",
        "114年1月1日",
    ):
        assert heading in text
    assert f"{int(result['total']['closing']['value']):,}" in text


def test_the_xlsx_reads_back_with_the_total_row(generated):
    result = balance.balance(
        agency_ids=generated,
        register="property",
        date_from=dt.date(2025, 1, 1),
        date_to=dt.date(2025, 12, 31),
    )
    data = render.balance_xlsx(
        result=result,
        title_unit="勞動部",
        register="property",
        date_from=dt.date(2025, 1, 1),
        date_to=dt.date(2025, 12, 31),
    )
    rows = xlsx.read(data)
    assert rows[2][0] == "類別"
    total = rows[-1]
    assert total[1] == "合計"
    assert Decimal(total[13]) == result["total"]["closing"]["value"]


def test_the_movement_form_pdf_names_the_form_and_its_number(generated, tmp_path):
    movement = Posting.objects.filter(category="scrap").first().movement
    path = tmp_path / "form.pdf"
    path.write_bytes(render.movement_form_pdf(movement=movement))
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "財產報廢單" in text and movement.number in text and "機關首長" in text
