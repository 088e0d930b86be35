"""Import with a validation report and all-or-nothing commit; the transmission file
round-trips through its parser; classifications load from CSV; stock-take discrepancies; the
consolidated statement's job reports progress and links its files."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from property import services, xlsx
from property.choices import ReportStatus, StockTakeResult
from property.models import Classification, ConsolidationReport, Item, Posting
from property.reports.transmission import (
    TransmissionError,
    TransmissionExporter,
    TransmissionParser,
)
from property.services import consolidation

from .factories import acquire, items_of, make_consolidator, unit

pytestmark = pytest.mark.django_db

HEAD = "register,classification,name,quantity,acquired_on,cost,custodian,user_unit,location\n"


def test_an_import_with_one_bad_row_saves_nothing_and_reports_it(officer, owner):
    data = (
        HEAD + "property,3140101-01,電腦,1,2024-03-01,30000,owner,IM,A棟\n"
        "property,9999999-99,不明,1,2024-13-01,abc,nobody,BLI,\n"
    ).encode()
    with pytest.raises(services.ImportRefused) as exc:
        services.items_import(actor=officer, agency=unit("MOL-HQ"), data=data, filename="a.csv")
    fields = {(e.row, e.field) for e in exc.value.errors}
    assert {
        (3, "classification"),
        (3, "acquired_on"),
        (3, "cost"),
        (3, "custodian"),
        (3, "user_unit"),
    } <= fields
    assert Item.objects.count() == 0


def test_a_valid_xlsx_import_creates_items_posted_on_their_acquisition_date(officer, owner):
    rows = [
        HEAD.strip().split(","),
        ["property", "3140101-01", "電腦", "2", "2024-03-01", "30000", "owner", "IM", "A棟"],
    ]
    movement = services.items_import(
        actor=officer, agency=unit("MOL-HQ"), data=xlsx.write(rows), filename="a.xlsx"
    )
    item = Item.objects.get()
    assert (item.quantity, item.status, item.custodian) == (2, "in_use", owner)
    assert Posting.objects.get(movement=movement).date == dt.date(2024, 3, 1)


def test_the_import_page_shows_the_validation_report(client, officer):
    client.force_login(officer)
    upload = io.BytesIO((HEAD + "property,bad,x,1,2024-01-01,1,,IM,\n").encode())
    upload.name = "items.csv"
    response = client.post(
        reverse("property:item-import"), {"agency": unit("MOL-HQ").pk, "file": upload}
    )
    assert response.status_code == 200
    assert response.context["report"][0].field == "classification"


def test_the_transmission_file_round_trips_through_its_parser(officer, sec_head):
    acquire(officer, count=3, area=Decimal("1.25"))
    exporter, parser = TransmissionExporter(), TransmissionParser()
    args = {
        "agency_ids": [unit("MOL-HQ").pk],
        "date_from": dt.date(2025, 1, 1),
        "date_to": dt.date(2025, 12, 31),
    }
    records = list(exporter.records(**args))
    text = exporter.fixed_width(
        records=records,
        agency_code="MOL-HQ",
        date_from=args["date_from"],
        date_to=args["date_to"],
        created=dt.date(2026, 1, 5),
    )
    header, parsed = parser.fixed_width(text)
    assert header["version"] == "MOLP1" and parsed == records
    assert {len(line) for line in text.splitlines()[1:-1]} == {127}
    assert parser.csv(exporter.csv(records=records)) == records


def test_a_tampered_transmission_file_is_refused(officer, sec_head):
    acquire(officer)
    exporter = TransmissionExporter()
    records = list(
        exporter.records(
            agency_ids=[unit("MOL-HQ").pk],
            date_from=dt.date(2025, 1, 1),
            date_to=dt.date(2025, 12, 31),
        )
    )
    text = exporter.fixed_width(
        records=records,
        agency_code="MOL-HQ",
        date_from=dt.date(2025, 1, 1),
        date_to=dt.date(2025, 12, 31),
        created=dt.date(2026, 1, 5),
    )
    tampered = text.replace("+0000000000030000", "+0000000000031000")
    with pytest.raises(TransmissionError):
        TransmissionParser().fixed_width(tampered)


def test_classifications_load_from_csv_all_or_nothing(tmp_path):
    good = tmp_path / "good.csv"
    good.write_text(
        "code,name_zh,name_en,useful_life_years\n3140101-09,平板電腦,Tablet,3\n", encoding="utf-8"
    )
    call_command("property_load_classifications", str(good))
    assert Classification.objects.get(code="3140101-09").class_digit == "3"
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "code,name_zh,name_en,useful_life_years\n3140101-10,甲,A,3\n31401-1,乙,B,x\n",
        encoding="utf-8",
    )
    with pytest.raises(Exception, match="row error"):
        call_command("property_load_classifications", str(bad))
    assert not Classification.objects.filter(code="3140101-10").exists()


def test_the_register_rule_is_data(officer):
    pc = Classification.objects.get(code="3140101-01")
    assert services.register_for(classification=pc, cost=Decimal(9999)) == "non_consumable"
    assert services.register_for(classification=pc, cost=Decimal(10000)) == "property"
    assert services.register_for(classification=pc, cost=Decimal(10000), fund=True) == "fund"


def test_a_stock_take_reports_found_missing_and_extra(officer, sec_head):
    first, second = items_of(acquire(officer, count=2))
    sheet = services.stocktake_open(actor=officer, agency=unit("MOL-HQ"), location="A棟3樓")
    services.stocktake_scan(
        sheet=sheet, actor=officer, scanned=f"https://portal.example/property/items/{first.pk}/"
    )
    services.stocktake_scan(sheet=sheet, actor=officer, scanned="UNKNOWN-123")
    services.stocktake_close(sheet=sheet, actor=officer)
    results = sorted(sheet.entries.values_list("result", "item_id"), key=str)
    assert (StockTakeResult.FOUND, first.pk) in results
    assert (StockTakeResult.MISSING, second.pk) in results
    assert (StockTakeResult.EXTRA, None) in results


def test_the_consolidation_job_reports_progress_and_links_its_files(
    client, officer, sec_head, django_capture_on_commit_callbacks
):
    acquire(officer)
    make_consolidator(officer)
    client.force_login(officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("property:consolidations"),
            {"register": "property", "date_from": "2025-01-01", "date_to": "2025-12-31"},
        )
    report = ConsolidationReport.objects.get()
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE
    assert report.done_agencies == report.total_agencies > 1
    assert report.result["total"]["closing"]["value"] == 30000
    pdf = client.get(reverse("property:consolidation-download", args=[report.pk, "pdf"]))
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    assert consolidation.consolidation_build(report_id=report.pk) is False


def test_only_consolidators_open_the_consolidated_statements(client, officer):
    client.force_login(officer)
    assert client.get(reverse("property:consolidations")).status_code == 403
