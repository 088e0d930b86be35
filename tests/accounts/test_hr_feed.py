"""The HR feed format: CSV and JSON lines parse to the same records; bad rows name their line."""

import json
from datetime import date
from pathlib import Path

import pytest
from django.utils import translation

from accounts.hr.feed import FeedError, parse_feed

EXAMPLES = Path(__file__).resolve().parents[2] / "accounts" / "hr" / "examples"
HEADER = "employee_number,name_zh,unit_code,title,email,mobile,status,effective_date"


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English (the catalogues translate them to zh-Hant)."""
    with translation.override("en"):
        yield


def errors_by_line(feed):
    return {(e.line, e.field, e.code) for e in feed.errors}


def test_documented_csv_and_json_lines_examples_give_the_same_records():
    from_csv = parse_feed((EXAMPLES / "feed.csv").read_bytes(), name="feed.csv")
    from_jsonl = parse_feed((EXAMPLES / "feed.jsonl").read_bytes(), name="feed.jsonl")
    assert from_csv.errors == [] and from_jsonl.errors == []

    def strip(records):
        return [
            (
                r.employee_number,
                r.unit_code,
                r.status,
                r.effective_date,
                r.email,
                r.mobile,
                r.unit_role,
            )
            for r in records
        ]

    assert strip(from_csv.records) == strip(from_jsonl.records)
    assert [r.unit_role for r in from_csv.records] == ["", "head", "", ""]
    first = from_csv.records[0]
    assert (first.employee_number, first.username, first.unit_code) == (
        "M1001",
        "chen.yiming",
        "DLR",
    )
    assert first.mobile == "0912345678"  # separators removed
    assert from_csv.records[3].effective_date == date(2026, 9, 1)  # 民國 115/09/01
    assert [r.status for r in from_csv.records] == ["active", "active", "left", "on_leave"]


def test_csv_rows_with_errors_are_reported_with_their_line_and_the_rest_parse():
    text = "\n".join(
        [
            HEADER,
            ",王小明,IM,科員,,,active,2025-01-01",  # line 2: no employee number
            "E0003,李大同,IM,科員,not-an-email,,active,2025-01-01",  # line 3
            "E0004,張三,IM,科員,,,retired,2025-01-01",  # line 4
            "E0005,陳四,IM,科員,,,active,2025-02-30",  # line 5: no such day
            "E0006,林五,IM,科員,,12ab,active,2025-01-01",  # line 6
            "E0007,黃六,IM,科員,,,active,2025-01-01,extra",  # line 7
            "",
            "E0009,周七,IM,科員,ok@mol.gov.tw,,active,2025-01-01",  # line 9: fine
        ]
    )
    feed = parse_feed(text.encode(), name="feed.csv")
    assert errors_by_line(feed) == {
        (2, "employee_number", "required"),
        (3, "email", "invalid"),
        (4, "status", "invalid"),
        (5, "effective_date", "invalid"),
        (6, "mobile", "invalid"),
        (7, "", "columns"),
    }
    assert [r.employee_number for r in feed.records] == ["E0009"]
    assert feed.records[0].line == 9
    assert "E0003" in feed.named  # named even though the row is broken


def test_json_lines_wrong_type_and_broken_json_are_row_errors():
    lines = [
        json.dumps(
            {
                "employee_number": 1234,
                "unit_code": "IM",
                "status": "active",
                "effective_date": "2025-01-01",
            }
        ),
        "{not json",
        json.dumps(["E1", "IM"]),
        json.dumps(
            {
                "employee_number": "E0004",
                "unit_code": "IM",
                "status": "active",
                "effective_date": "2025-01-01",
                "mobile": 912345678,
            }
        ),
        json.dumps(
            {
                "employee_number": "E0005",
                "unit_code": "IM",
                "status": "left",
                "effective_date": "2025-01-01",
                "ignored_key": [1, 2],
            }
        ),
    ]
    feed = parse_feed("\n".join(lines).encode(), fmt="jsonl")
    assert errors_by_line(feed) == {
        (1, "employee_number", "type"),
        (2, "", "syntax"),
        (3, "", "syntax"),
        (4, "mobile", "type"),
    }
    assert [r.employee_number for r in feed.records] == ["E0005"]
    assert feed.errors[3].employee_number == "E0004"


def test_unit_code_is_required_except_for_leavers():
    text = f"{HEADER}\nE0001,甲,,,,,active,2025-01-01\nE0002,乙,,,,,left,2025-01-01\n"
    feed = parse_feed(text.encode())
    assert errors_by_line(feed) == {(2, "unit_code", "required")}
    assert feed.records[0].employee_number == "E0002"


def test_a_csv_without_a_required_column_is_refused_whole():
    with pytest.raises(FeedError, match="effective_date"):
        parse_feed(b"employee_number,unit_code,status\nE1,IM,active\n", fmt="csv")


@pytest.mark.parametrize("content", [b"", b"\n\n  \n"])
def test_an_empty_feed_is_refused(content):
    with pytest.raises(FeedError):
        parse_feed(content)


def test_a_json_array_is_refused_with_a_hint():
    with pytest.raises(FeedError, match="JSON lines"):
        parse_feed(b'[{"employee_number": "E1"}]', fmt="jsonl")


def test_status_words_in_chinese_and_excel_bom_are_accepted():
    text = (
        "\ufeff"
        + HEADER
        + "\nE1,甲,IM,,,,在職,2025-01-01\nE2,乙,IM,,,,留職停薪,114/3/5\nE3,丙,,,,,離職,2025-01-01\n"
    )
    feed = parse_feed(text.encode("utf-8"))
    assert feed.errors == []
    assert [r.status for r in feed.records] == ["active", "on_leave", "left"]
    assert feed.records[1].effective_date == date(2025, 3, 5)


def test_big5_export_is_read_with_the_configured_encoding():
    text = f"{HEADER}\nE1,陳怡明,IM,科員,,,active,2025-01-01\n"
    feed = parse_feed(text.encode("cp950"), encoding="cp950")
    assert feed.records[0].name_zh == "陳怡明"
    with pytest.raises(FeedError, match="line 2"):
        parse_feed(text.encode("cp950"), encoding="utf-8")


def test_absent_columns_are_not_stated_but_empty_ones_are():
    feed = parse_feed(
        b"employee_number,unit_code,status,effective_date,email\nE1,IM,active,2025-01-01,\n"
    )
    record = feed.records[0]
    assert "email" in record.present
    assert "mobile" not in record.present and "name_zh" not in record.present


def test_format_is_detected_from_content_type_and_content():
    jsonl = (
        b'{"employee_number": "E1", "unit_code": "IM", "status": "active", '
        b'"effective_date": "2025-01-01"}\n'
    )
    assert parse_feed(jsonl).format == "jsonl"
    assert parse_feed(jsonl, content_type="application/x-ndjson").format == "jsonl"
    csv = f"{HEADER}\nE1,甲,IM,,,,active,2025-01-01\n".encode()
    assert parse_feed(csv, content_type="text/csv; charset=utf-8").format == "csv"
