"""Payslips: importing the payroll file, opening a slip, its PDF and its encrypted e-mail.

The payroll file is CSV in long format, one amount a line (``portal/README.md``)::

    employee_number,month,type,item,amount
    M1001,2026-03,earning,本俸,38000
    M1001,2026-03,deduction,勞保費,1100
    M1001,2026-03,net,,36900

``payroll_import(actor=, data=, filename=)`` reads the whole file first and writes only when
every row is right (all or nothing): a bad file raises ``PayrollFileInvalid`` whose ``errors``
are ``ReportError(row, field, message)`` (row = line of the file, the header is row 1) and
nothing is saved. Imports run one at a time (a ``core.locks.single_flight`` lock): an import
started while another runs is refused with ``PayrollFileInvalid`` ("another payroll import is
running"), so two simultaneous imports of one month store exactly one; the unique person and
month of ``Payslip`` remains the last guard. A person and month already imported is
replaced (the payroll office re-sends a corrected month) and counted in
``PayrollImport.replaced``. Only holders of ``portal.payroll_officer`` may import.

``payslip_open(actor=, pk=, purpose=)`` is how every page, download and API read reaches a
slip: the person's own is returned and its reading audited (``AuditAction.VIEW``); anything
else — another person's slip or none at all — raises ``Payslip.DoesNotExist`` (a 404) and the
attempt is audited (``AuditAction.OTHER``, naming the slip when it exists).

``payslip_email(actor=, payslip=, password=)`` mails the person their slip as a PDF encrypted
with AES-256 (pypdf) under the password they typed for that mail. The password is used once
and never stored nor logged: not on the outbox row, not in the audit trail.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections import defaultdict
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from pypdf import PdfReader, PdfWriter

from accounts import authz
from accounts.models import User
from core import pdf
from core.choices import AuditAction
from core.dates import format_roc_date
from core.locks import single_flight
from core.services import audit_record
from core.text import BIDI_CONTROLS, clean_line
from notifications.services import outbox_email

from ..models import PayrollImport, Payslip, PayslipLine, PayslipLineKind
from ..roles import PAYROLL_OFFICER
from ..selectors import payslips as payslip_selectors

COLUMNS = ["employee_number", "month", "type", "item", "amount"]
NET = "net"
TYPES = {PayslipLineKind.EARNING.value, PayslipLineKind.DEDUCTION.value, NET}
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 100_000
MAX_REPORTED = 200
MAX_AMOUNT = 99_999_999
ITEM_MAX = 100
PASSWORD_MIN = 8
PASSWORD_MAX = 64
_MONTH = re.compile(r"(\d{4})-(\d{2})")
_AMOUNT = re.compile(r"-?\d{1,9}")


@dataclass(frozen=True)
class ReportError:
    row: int
    field: str
    message: str


class PayrollFileInvalid(Exception):
    """The payroll file was refused; ``errors`` (at most ``MAX_REPORTED``) say where and why,
    ``total`` how many there were."""

    def __init__(self, errors: list[ReportError], total: int | None = None):
        super().__init__(_("The payroll file was not imported: nothing was saved."))
        self.errors = errors[:MAX_REPORTED]
        self.total = len(errors) if total is None else total


@dataclass
class ImportResult:
    batch: PayrollImport
    slips: int
    replaced: int


@dataclass
class _Line:
    row: int
    kind: str
    item: str
    amount: int


@dataclass
class _Slip:
    person: User
    month: dt.date
    first_row: int
    lines: list[_Line]
    net: _Line | None = None


def _month(value: str) -> dt.date | None:
    match = _MONTH.fullmatch(value)
    if not match:
        return None
    year, month = int(match[1]), int(match[2])
    if not (1 <= month <= 12 and 1912 <= year <= 2200):
        return None
    return dt.date(year, month, 1)


def _decode(data: bytes) -> str:
    if b"\x00" in data:
        raise UnicodeDecodeError("utf-8", data, 0, 1, "NUL")
    return data.decode("utf-8-sig")


def payroll_parse(data: bytes) -> tuple[list[_Slip], int]:
    """The slips of a payroll file and its number of data rows; raises ``PayrollFileInvalid``
    listing every problem (row, field, message)."""
    if len(data) > MAX_FILE_BYTES:
        raise PayrollFileInvalid(
            [
                ReportError(
                    0,
                    "file",
                    _("The file is larger than %(mb)s MB.") % {"mb": MAX_FILE_BYTES // 2**20},
                )
            ]
        )
    try:
        text = _decode(data)
    except UnicodeDecodeError:
        raise PayrollFileInvalid(
            [ReportError(0, "file", _("The file must be CSV text in UTF-8."))]
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    errors: list[ReportError] = []
    try:
        header = next(reader, None)
        if header is None or [clean_line(h).lower() for h in header] != COLUMNS:
            raise PayrollFileInvalid(
                [
                    ReportError(
                        1,
                        "header",
                        _("The first row must be the columns %(columns)s.")
                        % {"columns": ",".join(COLUMNS)},
                    )
                ]
            )
        raw = []
        for values in reader:
            if len(raw) >= MAX_ROWS:
                raise PayrollFileInvalid(
                    [
                        ReportError(
                            reader.line_num,
                            "file",
                            _("The file has more than %(n)s rows.") % {"n": MAX_ROWS},
                        )
                    ]
                )
            if not any(v.strip() for v in values):
                continue
            raw.append((reader.line_num, values))
    except csv.Error as exc:
        raise PayrollFileInvalid(
            [
                ReportError(
                    reader.line_num, "file", _("The file is not valid CSV: %(e)s") % {"e": exc}
                )
            ]
        ) from None
    if not raw:
        raise PayrollFileInvalid([ReportError(1, "file", _("The file has no rows."))])

    numbers = {clean_line(values[0])[:20] for _row, values in raw if values}
    people = {
        u.employee_number: u
        for u in User.objects.filter(employee_number__in=numbers - {""}, is_active=True)
    }
    slips: dict[tuple[str, dt.date], _Slip] = {}
    seen: set[tuple[str, dt.date, str, str]] = set()
    for row, values in raw:
        if len(values) != len(COLUMNS):
            errors.append(
                ReportError(
                    row,
                    "row",
                    _("The row has %(got)s columns instead of %(want)s.")
                    % {"got": len(values), "want": len(COLUMNS)},
                )
            )
            continue
        number, month_text, kind, item, amount_text = (clean_line(v) for v in values)
        problems = len(errors)
        person = people.get(number)
        if not number:
            errors.append(ReportError(row, "employee_number", _("This field is required.")))
        elif person is None:
            errors.append(
                ReportError(
                    row,
                    "employee_number",
                    _("No active person has the employee number %(number)s.")
                    % {"number": number[:20]},
                )
            )
        month = _month(month_text)
        if month is None:
            errors.append(ReportError(row, "month", _("Give the month as YYYY-MM, e.g. 2026-03.")))
        kind = kind.lower()
        if kind not in TYPES:
            errors.append(
                ReportError(row, "type", _("The type must be earning, deduction or net."))
            )
        if kind != NET and not item:
            errors.append(ReportError(row, "item", _("This field is required.")))
        elif len(item) > ITEM_MAX:
            errors.append(
                ReportError(row, "item", _("At most %(n)s characters, please.") % {"n": ITEM_MAX})
            )
        amount = None
        if not _AMOUNT.fullmatch(amount_text.replace(",", "")):
            errors.append(
                ReportError(row, "amount", _("The amount must be a whole number of NT dollars."))
            )
        else:
            amount = int(amount_text.replace(",", ""))
            if abs(amount) > MAX_AMOUNT:
                errors.append(ReportError(row, "amount", _("The amount is too large.")))
            elif amount < 0 and kind != NET:
                errors.append(
                    ReportError(row, "amount", _("Earnings and deductions cannot be negative."))
                )
        if len(errors) > problems or person is None:
            continue
        key = (number, month)
        slip = slips.get(key)
        if slip is None:
            slip = slips[key] = _Slip(person=person, month=month, first_row=row, lines=[])
        if kind == NET:
            if slip.net is not None:
                errors.append(
                    ReportError(
                        row,
                        "type",
                        _("A second net row for %(number)s, %(month)s (the first is row %(row)s).")
                        % {"number": number, "month": month_text, "row": slip.net.row},
                    )
                )
                continue
            slip.net = _Line(row=row, kind=NET, item=item, amount=amount)
            continue
        if (number, month, kind, item) in seen:
            errors.append(
                ReportError(
                    row,
                    "item",
                    _("The item %(item)s appears twice on this payslip.") % {"item": item},
                )
            )
            continue
        seen.add((number, month, kind, item))
        slip.lines.append(_Line(row=row, kind=kind, item=item, amount=amount))

    for (number, month), slip in slips.items():
        earnings = sum(line.amount for line in slip.lines if line.kind == PayslipLineKind.EARNING)
        deductions = sum(
            line.amount for line in slip.lines if line.kind == PayslipLineKind.DEDUCTION
        )
        label = {"number": number, "month": f"{month:%Y-%m}"}
        if not any(line.kind == PayslipLineKind.EARNING for line in slip.lines):
            errors.append(
                ReportError(
                    slip.first_row,
                    "type",
                    _("The payslip of %(number)s for %(month)s has no earning row.") % label,
                )
            )
        if slip.net is None:
            errors.append(
                ReportError(
                    slip.first_row,
                    "type",
                    _("The payslip of %(number)s for %(month)s has no net row.") % label,
                )
            )
        elif slip.net.amount != earnings - deductions:
            errors.append(
                ReportError(
                    slip.net.row,
                    "amount",
                    _(
                        "The net pay %(net)s is not the earnings %(earnings)s minus the "
                        "deductions %(deductions)s (%(expected)s)."
                    )
                    % {
                        "net": slip.net.amount,
                        "earnings": earnings,
                        "deductions": deductions,
                        "expected": earnings - deductions,
                    },
                )
            )
    if errors:
        errors.sort(key=lambda e: (e.row, COLUMNS.index(e.field) if e.field in COLUMNS else -1))
        raise PayrollFileInvalid(errors)
    return list(slips.values()), len(raw)


def payroll_import(*, actor: User, data: bytes, filename: str) -> ImportResult:
    """Import a payroll file whole or not at all (see the module's docstring)."""
    if not authz.has_role(actor, PAYROLL_OFFICER):
        raise PermissionDenied(_("Only payroll officers may import payslips."))
    slips, rows = payroll_parse(data)
    filename = clean_line(filename)[:200] or "payroll.csv"
    with single_flight("portal.payroll-import") as acquired:
        if not acquired:
            raise PayrollFileInvalid(
                [
                    ReportError(
                        0,
                        "file",
                        _("Another payroll import is running: try again when it has finished."),
                    )
                ]
            )
        return _payroll_write(actor=actor, slips=slips, rows=rows, filename=filename)


def _payroll_write(*, actor: User, slips: list[_Slip], rows: int, filename: str) -> ImportResult:
    try:
        with transaction.atomic():
            replaced = 0
            by_month = defaultdict(list)
            for slip in slips:
                by_month[slip.month].append(slip.person.pk)
            for month, person_ids in by_month.items():
                old = Payslip.objects.filter(month=month, person_id__in=person_ids)
                replaced += old.count()
                if replaced:
                    PayslipLine.objects.filter(payslip__in=old).delete()
                    old.delete()
            batch = PayrollImport(
                uploaded_by=actor,
                filename=filename,
                rows=rows,
                slips=len(slips),
                replaced=replaced,
            )
            batch.full_clean()
            batch.save()
            made = Payslip.objects.bulk_create(
                [
                    Payslip(
                        person=slip.person,
                        month=slip.month,
                        earnings=sum(
                            x.amount for x in slip.lines if x.kind == PayslipLineKind.EARNING
                        ),
                        deductions=sum(
                            x.amount for x in slip.lines if x.kind == PayslipLineKind.DEDUCTION
                        ),
                        net=slip.net.amount,
                        batch=batch,
                    )
                    for slip in slips
                ],
                batch_size=500,
            )
            lines = []
            for payslip, slip in zip(made, slips, strict=True):
                ordered = sorted(slip.lines, key=lambda x: x.kind != PayslipLineKind.EARNING)
                lines += [
                    PayslipLine(
                        payslip=payslip,
                        kind=x.kind,
                        item=x.item,
                        amount=x.amount,
                        position=n,
                    )
                    for n, x in enumerate(ordered, start=1)
                ]
            PayslipLine.objects.bulk_create(lines, batch_size=1000)
    except IntegrityError:
        # Another import of the same person and month committed in between.
        raise PayrollFileInvalid(
            [
                ReportError(
                    0,
                    "file",
                    _("Another import of the same months ran at the same time: try again."),
                )
            ]
        ) from None
    return ImportResult(batch=batch, slips=len(slips), replaced=replaced)


def payslip_open(*, actor: User, pk, purpose: str = "view") -> Payslip:
    """The actor's own slip ``pk`` (its reading audited); another person's or none at all
    raises ``Payslip.DoesNotExist`` and the attempt is audited."""
    try:
        slip = payslip_selectors.payslip_get(actor, pk)
    except (Payslip.DoesNotExist, ValueError, TypeError):
        other = None
        if str(pk).isdigit() and int(pk) < 2**63:
            other = Payslip.objects.filter(pk=int(pk)).first()
        audit_record(
            action=AuditAction.OTHER,
            obj=other,
            actor=actor,
            message="payslips: refused %s of payslip %s" % (purpose, str(pk)[:20]),  # noqa: UP031
        )
        raise Payslip.DoesNotExist from None
    audit_record(
        action=AuditAction.VIEW,
        obj=slip,
        actor=actor,
        message="payslips: %s" % purpose,  # noqa: UP031
    )
    return slip


def payslips_list_audit(*, actor: User, channel: str) -> None:
    """Audit that ``actor`` read the list of their payslips (page or API)."""
    audit_record(
        action=AuditAction.VIEW,
        obj=actor,
        actor=actor,
        message="payslips: list (%s)" % channel,  # noqa: UP031
    )


def payslip_pdf(payslip: Payslip) -> bytes:
    """The slip as a PDF (WeasyPrint, Noto Sans CJK TC embedded, 民國 dates), in the active
    language."""
    lines = list(payslip.lines.all())
    html = render_to_string(
        "portal/payslips/pdf.html",
        {
            "payslip": payslip,
            "person": payslip.person,
            "earnings": [x for x in lines if x.kind == PayslipLineKind.EARNING],
            "deductions": [x for x in lines if x.kind == PayslipLineKind.DEDUCTION],
            "printed": format_roc_date(timezone.localdate()),
        },
    )
    return pdf.render(html)


def pdf_encrypt(data: bytes, password: str) -> bytes:
    """``data`` (a PDF) encrypted with AES-256 under ``password`` (needed to open it)."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.encrypt(user_password=password, owner_password=None, algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def password_validate(password: str) -> None:
    """A mail password: ``PASSWORD_MIN``–``PASSWORD_MAX`` characters, no control characters."""
    if not isinstance(password, str) or not (PASSWORD_MIN <= len(password) <= PASSWORD_MAX):
        raise ValidationError(
            {
                "password": _("Use %(min)s to %(max)s characters.")
                % {"min": PASSWORD_MIN, "max": PASSWORD_MAX}
            }
        )
    if any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 or c in BIDI_CONTROLS for c in password):
        raise ValidationError({"password": _("The password cannot hold control characters.")})


def payslip_filename(payslip: Payslip) -> str:
    return f"payslip-{payslip.month:%Y-%m}.pdf"


def payslip_email(*, actor: User, payslip: Payslip, password: str):
    """Queue an e-mail to the actor with their slip as a PDF encrypted under ``password``
    (never stored). Returns the outbox row."""
    if payslip.person_id != actor.pk:
        raise PermissionDenied(_("Only the person of a payslip may have it e-mailed."))
    if not actor.email:
        raise ValidationError({"password": _("Your account has no e-mail address.")})
    password_validate(password)
    language = translation.get_language()
    encrypted = pdf_encrypt(payslip_pdf(payslip), password)
    context = {"payslip": payslip, "person": actor}
    with translation.override(language):
        subject = " ".join(render_to_string("portal/payslips/mail.subject.txt", context).split())
        text = render_to_string("portal/payslips/mail.body.txt", context).strip()
    with transaction.atomic():
        delivery = outbox_email(
            to=actor.email,
            subject=subject,
            text=text,
            source=payslip,
            kind="portal.payslip",
            attachments=[(payslip_filename(payslip), encrypted, "application/pdf")],
        )
        audit_record(
            action=AuditAction.OTHER,
            obj=payslip,
            actor=actor,
            message="payslips: e-mailed as an encrypted PDF",
        )
    return delivery
