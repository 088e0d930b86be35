"""The transmission file for the National Property Administration (國有財產署).

Its real layout is not public, so this is our own, documented and versioned layout (``MOLP1``,
README "Transmission file"); one class writes it (``TransmissionExporter``) and one reads it
(``TransmissionParser``), so the real layout replaces them in one place.

Fixed width (UTF-8, one record per line, text left-aligned and space-padded, numbers signed and
zero-padded; widths count characters):

====== ===== ==============================================================================
record width fields
====== ===== ==============================================================================
H      40    ``H`` · version 5 · agency code 10 · from 8 (YYYYMMDD) · to 8 · created 8
D      127   ``D`` · agency code 10 · property number 24 · classification 11 · movement type 2
             · movement date 8 · acquisition date 8 · quantity 11 · area ×100 15 · value 17
             · movement number 20
T      96    ``T`` · record count 10 · value total 17 · SHA-256 of the D lines (hex) 64 · pad 4
====== ===== ==============================================================================

Movement types: AC acquisition, TI transfer in, VI value increase, SC scrap, LO loss,
TO transfer out, VD value decrease. The CSV form has the same D fields with a header row and
a last row ``#checksum,<count>,<value total>,<sha256>`` (SHA-256 over the same fixed-width D
lines, so both forms carry one checksum).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, fields
from decimal import Decimal

from ..constants import TRANSMISSION_VERSION
from ..models import Posting

TYPE_CODES = {
    "acquisition": "AC",
    "transfer_in": "TI",
    "value_increase": "VI",
    "scrap": "SC",
    "loss": "LO",
    "transfer_out": "TO",
    "value_decrease": "VD",
}


class TransmissionError(ValueError):
    pass


@dataclass(frozen=True)
class Record:
    agency_code: str
    property_number: str
    classification: str
    movement_type: str
    movement_date: dt.date
    acquired_on: dt.date
    quantity: int
    area: Decimal
    value: Decimal
    movement_number: str


def _num(value, width: int) -> str:
    value = int(value)
    sign = "-" if value < 0 else "+"
    digits = str(abs(value)).rjust(width - 1, "0")
    if len(digits) > width - 1:
        raise TransmissionError(f"{value} does not fit in {width} characters")
    return sign + digits


def _text(value: str, width: int) -> str:
    if len(value) > width:
        raise TransmissionError(f"{value!r} is longer than {width}")
    return value.ljust(width)


def _day(value: dt.date) -> str:
    return value.strftime("%Y%m%d")


class TransmissionExporter:
    """Writes the ``MOLP1`` layout, fixed width or CSV."""

    version = TRANSMISSION_VERSION

    @staticmethod
    def records(
        *, agency_ids: Iterable[int], date_from: dt.date, date_to: dt.date
    ) -> Iterator[Record]:
        rows = (
            Posting.objects.filter(
                agency_id__in=list(agency_ids), date__gte=date_from, date__lte=date_to
            )
            .select_related("agency", "item", "item__classification", "movement")
            .order_by("agency_id", "date", "id")
            .iterator(chunk_size=2000)
        )
        for p in rows:
            yield Record(
                agency_code=p.agency.code,
                property_number=p.item.number,
                classification=p.item.classification.code,
                movement_type=TYPE_CODES[p.category],
                movement_date=p.date,
                acquired_on=p.item.acquired_on,
                quantity=p.quantity,
                area=Decimal(p.area),
                value=Decimal(p.value),
                movement_number=p.movement.number,
            )

    @staticmethod
    def detail_line(r: Record) -> str:
        return "".join(
            [
                "D",
                _text(r.agency_code, 10),
                _text(r.property_number, 24),
                _text(r.classification, 11),
                _text(r.movement_type, 2),
                _day(r.movement_date),
                _day(r.acquired_on),
                _num(r.quantity, 11),
                _num(Decimal(r.area) * 100, 15),
                _num(r.value, 17),
                _text(r.movement_number, 20),
            ]
        )

    def fixed_width(
        self,
        *,
        records: Iterable[Record],
        agency_code: str,
        date_from: dt.date,
        date_to: dt.date,
        created: dt.date,
    ) -> str:
        digest = hashlib.sha256()
        count, total = 0, Decimal(0)
        lines = [
            "H"
            + _text(self.version, 5)
            + _text(agency_code, 10)
            + _day(date_from)
            + _day(date_to)
            + _day(created)
        ]
        for record in records:
            line = self.detail_line(record)
            digest.update(line.encode() + b"\n")
            count += 1
            total += record.value
            lines.append(line)
        lines.append("T" + _num(count, 10) + _num(total, 17) + digest.hexdigest() + "    ")
        return "\n".join(lines) + "\n"

    def csv(self, *, records: Iterable[Record]) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([f.name for f in fields(Record)])
        digest = hashlib.sha256()
        count, total = 0, Decimal(0)
        for r in records:
            digest.update(self.detail_line(r).encode() + b"\n")
            count += 1
            total += r.value
            writer.writerow(
                [
                    r.agency_code,
                    r.property_number,
                    r.classification,
                    r.movement_type,
                    r.movement_date.isoformat(),
                    r.acquired_on.isoformat(),
                    r.quantity,
                    f"{Decimal(r.area):.2f}",
                    int(r.value),
                    r.movement_number,
                ]
            )
        writer.writerow(["#checksum", count, int(total), digest.hexdigest()])
        return out.getvalue()


class TransmissionParser:
    """Reads what ``TransmissionExporter`` writes and checks its trailer."""

    @staticmethod
    def _check(records: list[Record], count: int, total: int, checksum: str) -> None:
        digest = hashlib.sha256()
        for r in records:
            digest.update(TransmissionExporter.detail_line(r).encode() + b"\n")
        if count != len(records):
            raise TransmissionError(f"trailer counts {count} records, the file has {len(records)}")
        if total != int(sum((r.value for r in records), Decimal(0))):
            raise TransmissionError("the value total does not match")
        if checksum != digest.hexdigest():
            raise TransmissionError("the checksum does not match")

    def fixed_width(self, text: str) -> tuple[dict, list[Record]]:
        lines = [line for line in text.splitlines() if line]
        if not lines or not lines[0].startswith("H") or not lines[-1].startswith("T"):
            raise TransmissionError("a header and a trailer record are required")
        head = lines[0]
        header = {
            "version": head[1:6].strip(),
            "agency_code": head[6:16].strip(),
            "date_from": dt.datetime.strptime(head[16:24], "%Y%m%d").date(),  # noqa: DTZ007
            "date_to": dt.datetime.strptime(head[24:32], "%Y%m%d").date(),  # noqa: DTZ007
        }
        if header["version"] != TRANSMISSION_VERSION:
            raise TransmissionError(f"unknown layout version {header['version']!r}")
        records = []
        for line in lines[1:-1]:
            if not line.startswith("D") or len(line) != 127:
                raise TransmissionError(f"bad detail record: {line[:30]!r}")
            records.append(
                Record(
                    agency_code=line[1:11].strip(),
                    property_number=line[11:35].strip(),
                    classification=line[35:46].strip(),
                    movement_type=line[46:48],
                    movement_date=dt.datetime.strptime(line[48:56], "%Y%m%d").date(),  # noqa: DTZ007
                    acquired_on=dt.datetime.strptime(line[56:64], "%Y%m%d").date(),  # noqa: DTZ007
                    quantity=int(line[64:75]),
                    area=Decimal(int(line[75:90])) / 100,
                    value=Decimal(int(line[90:107])),
                    movement_number=line[107:127].strip(),
                )
            )
        tail = lines[-1]
        self._check(records, int(tail[1:11]), int(tail[11:28]), tail[28:92])
        return header, records

    def csv(self, text: str) -> list[Record]:
        rows = list(csv.reader(io.StringIO(text)))
        if len(rows) < 2 or rows[-1][0] != "#checksum":
            raise TransmissionError("the checksum row is missing")
        records = [
            Record(
                agency_code=r[0],
                property_number=r[1],
                classification=r[2],
                movement_type=r[3],
                movement_date=dt.date.fromisoformat(r[4]),
                acquired_on=dt.date.fromisoformat(r[5]),
                quantity=int(r[6]),
                area=Decimal(r[7]),
                value=Decimal(r[8]),
                movement_number=r[9],
            )
            for r in rows[1:-1]
        ]
        _tag, count, total, checksum = rows[-1]
        self._check(records, int(count), int(total), checksum)
        return records
