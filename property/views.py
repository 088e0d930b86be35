"""Staff pages of the property app: thin callers of the selectors and services. None is
public; every item and movement is fetched through the selectors' scope (404 otherwise)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import segno
from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from weasyprint import HTML

from core.files import file_response
from core.forms import add_service_errors
from core.http import site_url
from core.localdates import parse_local_date
from documents.choices import ChainStatus
from documents.models import SignOffChain
from documents.services import StepAlreadyHandled

from . import selectors, services, tasks, xlsx
from .choices import MovementKind, MovementStatus
from .forms import (
    AcquisitionForm,
    AssignForm,
    AttachmentForm,
    BalanceForm,
    ConsolidationForm,
    ImportForm,
    ItemFilterForm,
    RefuseForm,
    SaleForm,
    ScanForm,
    ScrapForm,
    StockTakeForm,
    TransferForm,
    ValueChangeForm,
    WithdrawForm,
)
from .models import ConsolidationReport, Movement, MovementAttachment, StockTake
from .reports import balance as balance_report_module
from .reports import render as render_reports
from .reports.transmission import TransmissionExporter
from .services import consolidation as consolidation_services
from .services import stocktake as stocktake_services

PAGE_SIZE = 50
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_LIMIT = 200_000
LABEL_LIMIT = 300


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _querystring_without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    params.pop("format", None)
    return params.urlencode()


def _nav(request) -> dict:
    user = request.user
    return {
        "is_officer": bool(selectors.officer_agency_ids(user)),
        "is_consolidator": selectors.is_consolidator(user),
    }


@require_GET
def custody(request):
    """My custody: totals by register, the items, transfers to accept, hand-overs to assign."""
    items = selectors.custody(user=request.user)
    totals = selectors.custody_totals(user=request.user)
    # The totals already count the items: the paginator takes that count (no second COUNT).
    paginator = Paginator(items, PAGE_SIZE)
    paginator.count = sum(row["items"] for row in totals)
    headed = selectors.headed_unit_ids(request.user)
    return render(
        request,
        "property/custody.html",
        {
            **_nav(request),
            "totals": totals,
            "page": paginator.get_page(request.GET.get("page")),
            "incoming": selectors.incoming(user=request.user, headed=headed),
            "handovers": selectors.handovers_to_assign(user=request.user, headed=headed),
        },
    )


@require_GET
def item_list(request):
    form = ItemFilterForm(request.GET or None, user=request.user)
    items = selectors.item_list(user=request.user, filters=form.filters())
    return render(
        request,
        "property/item_list.html",
        {
            **_nav(request),
            "form": form,
            "page": _page(request, items),
            "querystring": _querystring_without_page(request),
        },
    )


EXPORT_COLUMNS = [
    ("number", "財產編號"),
    ("name", "名稱"),
    ("agency", "機關"),
    ("register", "帳別"),
    ("classification", "分類"),
    ("quantity", "數量"),
    ("unit_of_measure", "單位"),
    ("area", "面積"),
    ("acquired_on", "取得日期"),
    ("cost", "成本"),
    ("value", "帳面原值"),
    ("custodian", "保管人"),
    ("user_unit", "使用單位"),
    ("location", "存置地點"),
    ("status", "狀態"),
]


def _export_row(item) -> list:
    return [
        item.number,
        item.name,
        item.agency.code,
        item.register,
        item.classification.code,
        item.quantity,
        item.unit_of_measure,
        item.area,
        item.acquired_on.isoformat(),
        item.cost,
        item.value,
        item.custodian.username if item.custodian else "",
        item.user_unit.code,
        item.location,
        item.status,
    ]


@require_GET
def item_export(request):
    """The filtered list as CSV or XLSX (the same selector and filters as the page)."""
    form = ItemFilterForm(request.GET or None, user=request.user)
    items = selectors.item_list(user=request.user, filters=form.filters())[:EXPORT_LIMIT]
    head = [title for _key, title in EXPORT_COLUMNS]
    rows = (_export_row(item) for item in items.iterator(chunk_size=2000))
    stamp = timezone.localdate().strftime("%Y%m%d")
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(
            xlsx.write([head, *rows], sheet_name="財產清冊"),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="property-{stamp}.xlsx"'
        return response
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(head)
    writer.writerows(rows)
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="property-{stamp}.csv"'
    return response


def _item_url(request, item) -> str:
    return site_url(request.build_absolute_uri("/")) + reverse("property:item", args=[item.pk])


@require_GET
def item_labels(request):
    """QR label sheet (PDF) of the filtered selection (at most LABEL_LIMIT labels); the code
    is the item page's address, which asks for a login."""
    form = ItemFilterForm(request.GET or None, user=request.user)
    items = list(selectors.item_list(user=request.user, filters=form.filters())[:LABEL_LIMIT])
    labels = [
        {"item": item, "qr": segno.make(_item_url(request, item), error="m").svg_data_uri(scale=3)}
        for item in items
    ]
    html = render_to_string("property/pdf/labels.html", {"labels": labels})
    response = HttpResponse(HTML(string=html).write_pdf(), content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="property-labels.pdf"'
    return response


@require_GET
def item_detail(request, pk: int):
    item = selectors.item_detail(user=request.user, pk=pk)
    as_of = timezone.localdate()
    raw = request.GET.get("as_of")
    if raw:
        try:
            as_of = dt.date.fromisoformat(raw)
        except ValueError:
            as_of = parse_local_date(raw) or as_of
    qr = segno.make(_item_url(request, item), error="m").svg_data_uri(scale=4)
    return render(
        request,
        "property/item_detail.html",
        {
            **_nav(request),
            "item": item,
            "as_of": as_of,
            "depreciation": selectors.item_depreciation(item, as_of),
            "history": selectors.item_history(item=item),
            "qr": qr,
        },
    )


def _start(request, form_class, template, kind_of, **form_kwargs):
    initial = {"items": request.GET.getlist("items")}
    form = form_class(request.POST or None, user=request.user, initial=initial, **form_kwargs)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        kwargs = {
            "actor": request.user,
            "kind": kind_of(data),
            "item_ids": [item.pk for item in data["items"]],
            "reason": data.get("reason", ""),
            "effective_date": data.get("effective_date"),
        }
        for key in (
            "to_custodian",
            "to_unit",
            "to_agency",
            "to_location",
            "scrap_reason",
            "disposal_method",
            "amount",
            "proceeds",
        ):
            if key in data:
                kwargs[key] = data[key]
        try:
            movement = services.movement_create(**kwargs)
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied:
            form.add_error(None, _("You may not move one of these items."))
        else:
            messages.success(
                request,
                _("Movement %(number)s was sent for approval.") % {"number": movement.number},
            )
            return redirect(movement)
    return render(request, template, {**_nav(request), "form": form})


@require_http_methods(["GET", "POST"])
def transfer_start(request):
    return _start(
        request, TransferForm, "property/transfer_form.html", lambda data: MovementKind.TRANSFER
    )


@require_http_methods(["GET", "POST"])
def scrap_start(request):
    return _start(request, ScrapForm, "property/scrap_form.html", lambda data: data["kind"])


def _officer_start(request, form_class, template, kind_of):
    if not selectors.officer_agency_ids(request.user):
        raise PermissionDenied
    shown = request.GET.getlist("items") + request.POST.getlist("items")
    return _start(request, form_class, template, kind_of, shown=shown)


@require_http_methods(["GET", "POST"])
def value_change_start(request):
    """Value increase or decrease of items in use (the agency's property officer)."""
    return _officer_start(
        request, ValueChangeForm, "property/value_change_form.html", lambda data: data["kind"]
    )


@require_http_methods(["GET", "POST"])
def sale_start(request):
    """Sale of scrapped items with the proceeds (the agency's property officer)."""
    return _officer_start(
        request, SaleForm, "property/sale_form.html", lambda data: MovementKind.SALE
    )


@require_http_methods(["GET", "POST"])
def acquisition_start(request):
    if not selectors.officer_agency_ids(request.user):
        raise PermissionDenied
    form = AcquisitionForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            movement = services.acquisition_create(
                actor=request.user,
                agency=data["agency"],
                register=data["register"],
                classification=data["classification"],
                name=data["name"],
                specification=data["specification"],
                brand_model=data["brand_model"],
                unit_cost=data["unit_cost"],
                count=data["count"],
                acquired_on=data["acquired_on"],
                user_unit=data["user_unit"],
                custodian=data["custodian"],
                location=data["location"],
                funding_source=data["funding_source"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Movement %(number)s was sent for approval.") % {"number": movement.number},
            )
            return redirect(movement)
    return render(request, "property/acquisition_form.html", {**_nav(request), "form": form})


@require_GET
def movement_list(request):
    movements = (
        selectors.movements_visible_to(request.user)
        .select_related("agency", "requested_by")
        .order_by("-created_at", "-id")
    )
    return render(
        request, "property/movement_list.html", {**_nav(request), "page": _page(request, movements)}
    )


def _movement_context(request, movement, **forms) -> dict:
    may_accept = selectors.may_accept(request.user, movement)
    may_assign = movement.kind == MovementKind.HANDOVER and movement.status == MovementStatus.DRAFT
    may_assign = (
        may_assign
        and selectors.handovers_to_assign(user=request.user).filter(pk=movement.pk).exists()
    )
    chain = _chain(movement)
    may_withdraw = (
        movement.status == MovementStatus.SUBMITTED
        and chain is not None
        and chain.status == ChainStatus.IN_PROGRESS
        and (request.user.is_superuser or chain.started_by_id == request.user.pk)
    )
    return {
        **_nav(request),
        "movement": movement,
        "lines": movement.lines.select_related("item", "item__classification"),
        "may_accept": may_accept,
        "refuse_form": forms.get("refuse_form") or (RefuseForm() if may_accept else None),
        "assign_form": forms.get("assign_form")
        or (AssignForm(agency=movement.agency) if may_assign else None),
        "chain": chain,
        "withdraw_form": forms.get("withdraw_form") or (WithdrawForm() if may_withdraw else None),
        "attachments": movement.attachments.order_by("uploaded_at"),
        "attachment_form": forms.get("attachment_form") or AttachmentForm(),
    }


def _chain(movement):
    return (
        SignOffChain.objects.filter(
            target_content_type=ContentType.objects.get_for_model(movement),
            target_object_id=str(movement.pk),
        )
        .order_by("-pk")
        .first()
    )


@require_GET
def movement_detail(request, pk: int):
    movement = selectors.movement_detail(user=request.user, pk=pk)
    if movement.status == MovementStatus.SUBMITTED and services.movements_settle_cancelled(
        Movement.objects.filter(pk=movement.pk)
    ):
        # Its chain was cancelled on the documents side: shown put back, not awaiting approval.
        movement = selectors.movement_detail(user=request.user, pk=pk)
    return render(request, "property/movement_detail.html", _movement_context(request, movement))


@require_GET
def movement_form(request, pk: int):
    movement = selectors.movement_detail(user=request.user, pk=pk)
    pdf = render_reports.movement_form_pdf(movement=movement)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{movement.number}.pdf"'
    return response


@require_POST
def movement_accept(request, pk: int):
    movement = selectors.movement_detail(user=request.user, pk=pk)
    try:
        services.movement_accept(movement=movement, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("You accepted the items."))
    return redirect(movement)


def _movement_reasoned(request, pk: int, *, form_class, form_key, service, done):
    """A step on a movement that takes a reason (refuse, withdraw): the service decides; a
    rejected reason is shown back on the movement's page, a step already handled (a double
    submit) is a message."""
    movement = selectors.movement_detail(user=request.user, pk=pk)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            service(movement=movement, actor=request.user, reason=form.cleaned_data["reason"])
        except StepAlreadyHandled as exc:
            messages.error(request, str(exc.message))
            return redirect(movement)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect(movement)
    return render(
        request,
        "property/movement_detail.html",
        _movement_context(request, movement, **{form_key: form}),
        status=400,
    )


@require_POST
def movement_refuse(request, pk: int):
    return _movement_reasoned(
        request, pk, form_class=RefuseForm, form_key="refuse_form",
        service=services.movement_refuse, done=_("You refused the transfer."),
    )  # fmt: skip


@require_POST
def movement_withdraw(request, pk: int):
    """The requester takes back a movement awaiting approval (its chain is cancelled)."""
    return _movement_reasoned(
        request, pk, form_class=WithdrawForm, form_key="withdraw_form",
        service=services.movement_withdraw,
        done=_("You withdrew the movement; its items are free again."),
    )  # fmt: skip


@require_POST
def handover_assign(request, pk: int):
    movement = selectors.movement_detail(user=request.user, pk=pk)
    form = AssignForm(request.POST, agency=movement.agency)
    if form.is_valid():
        try:
            services.handover_assign(
                movement=movement,
                actor=request.user,
                to_custodian=form.cleaned_data["to_custodian"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The hand-over was sent for approval."))
            return redirect(movement)
    return render(
        request,
        "property/movement_detail.html",
        _movement_context(request, movement, assign_form=form),
        status=400,
    )


@require_http_methods(["GET", "POST"])
def item_import(request):
    if not selectors.officer_agency_ids(request.user):
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None, user=request.user)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            movement = services.items_import(
                actor=request.user,
                agency=form.cleaned_data["agency"],
                data=upload.read(),
                filename=upload.name,
            )
        except services.ImportRefused as exc:
            report = exc.errors
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, _("%(count)s items were imported.") % {"count": movement.lines.count()}
            )
            return redirect(movement)
    return render(
        request, "property/import_form.html", {**_nav(request), "form": form, "report": report}
    )


def _officer_sheet(request, pk: int) -> StockTake:
    sheet = get_object_or_404(StockTake, pk=pk)
    if not selectors.is_officer(request.user, sheet.agency_id):
        raise Http404
    return sheet


@require_http_methods(["GET", "POST"])
def stocktake_list(request):
    agency_ids = selectors.officer_agency_ids(request.user)
    if not agency_ids:
        raise PermissionDenied
    form = StockTakeForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            sheet = services.stocktake_open(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect(sheet)
    sheets = StockTake.objects.filter(agency_id__in=sorted(agency_ids)).select_related("agency")
    return render(
        request,
        "property/stocktake_list.html",
        {**_nav(request), "form": form, "page": _page(request, sheets)},
    )


def _sheet_context(request, sheet, scan_form=None) -> dict:
    entries = sheet.entries.select_related("item").order_by("-recorded_at", "-id")
    return {
        **_nav(request),
        "sheet": sheet,
        "expected": stocktake_services.sheet_items(sheet).count(),
        "entries": entries[:100],
        "discrepancies": stocktake_services.discrepancies(sheet),
        "scan_form": scan_form or ScanForm(),
    }


@require_GET
def stocktake_detail(request, pk: int):
    sheet = _officer_sheet(request, pk)
    return render(request, "property/stocktake_detail.html", _sheet_context(request, sheet))


@require_POST
def stocktake_scan(request, pk: int):
    sheet = _officer_sheet(request, pk)
    form = ScanForm(request.POST)
    if form.is_valid():
        try:
            entry = services.stocktake_scan(
                sheet=sheet, actor=request.user, scanned=form.cleaned_data["scanned"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, _("Recorded: %(result)s") % {"result": entry.get_result_display()}
            )
            return redirect(sheet)
    return render(
        request,
        "property/stocktake_detail.html",
        _sheet_context(request, sheet, scan_form=form),
        status=400,
    )


@require_POST
def stocktake_close(request, pk: int):
    sheet = _officer_sheet(request, pk)
    services.stocktake_close(sheet=sheet, actor=request.user)
    messages.success(request, _("The count sheet is closed; unscanned items are marked missing."))
    return redirect(sheet)


def balance_for(*, user, agency, register, date_from, date_to) -> tuple[dict, list]:
    """The statement over ``agency`` (checked against what ``user`` may see) or every agency
    ``user`` may see when None."""
    allowed = selectors.report_agencies(user=user)
    if agency is not None:
        if not allowed.filter(pk=agency.pk).exists():
            raise PermissionDenied
        ids = [agency.pk]
    else:
        ids = list(allowed.values_list("pk", flat=True))
    result = balance_report_module.balance(
        agency_ids=ids, register=register, date_from=date_from, date_to=date_to
    )
    return result, ids


@require_GET
def balance_report(request):
    today = timezone.localdate()
    initial = {"register": "property", "date_from": dt.date(today.year, 1, 1), "date_to": today}
    form = BalanceForm(request.GET or None, user=request.user, initial=initial)
    result = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        result, _ids = balance_for(
            user=request.user,
            agency=data["agency"],
            register=data["register"],
            date_from=data["date_from"],
            date_to=data["date_to"],
        )
        kind = request.GET.get("format")
        if kind in ("pdf", "xlsx"):
            title = data["agency"].name_zh if data["agency"] else "勞動部及所屬機關"
            kwargs = {
                "result": result,
                "title_unit": title,
                "register": data["register"],
                "date_from": data["date_from"],
                "date_to": data["date_to"],
            }
            if kind == "pdf":
                response = HttpResponse(
                    render_reports.balance_pdf(**kwargs), content_type="application/pdf"
                )
            else:
                response = HttpResponse(
                    render_reports.balance_xlsx(**kwargs),
                    content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                )
            response["Content-Disposition"] = f'attachment; filename="balance.{kind}"'
            return response
    return render(
        request,
        "property/balance.html",
        {
            **_nav(request),
            "form": form,
            "result": result,
            "querystring": _querystring_without_page(request),
        },
    )


@require_GET
def transmission_file(request):
    """The transmission file (fixed width, or CSV with ``format=csv``) of one agency."""
    form = BalanceForm(request.GET or None, user=request.user)
    if not (form.is_bound and form.is_valid()) or form.cleaned_data["agency"] is None:
        raise Http404
    data = form.cleaned_data
    if not (
        selectors.is_officer(request.user, data["agency"])
        or selectors.is_consolidator(request.user)
    ):
        raise PermissionDenied
    exporter = TransmissionExporter()
    records = exporter.records(
        agency_ids=[data["agency"].pk], date_from=data["date_from"], date_to=data["date_to"]
    )
    if request.GET.get("format") == "csv":
        body, ext = exporter.csv(records=records), "csv"
    else:
        body = exporter.fixed_width(
            records=records,
            agency_code=data["agency"].code,
            date_from=data["date_from"],
            date_to=data["date_to"],
            created=timezone.localdate(),
        )
        ext = "txt"
    response = HttpResponse(body, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="npa-{data["agency"].code}-{data["date_to"]:%Y%m%d}.{ext}"'
    )
    return response


@require_http_methods(["GET", "POST"])
def consolidation_list(request):
    if not selectors.is_consolidator(request.user):
        raise PermissionDenied
    form = ConsolidationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            report = consolidation_services.consolidation_request(
                actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            transaction.on_commit(lambda: tasks.build_consolidation.delay(report.pk))
            return redirect(report)
    reports = ConsolidationReport.objects.select_related("requested_by")
    return render(
        request,
        "property/consolidation_list.html",
        {**_nav(request), "form": form, "page": _page(request, reports)},
    )


@require_GET
def consolidation_detail(request, pk: int):
    if not selectors.is_consolidator(request.user):
        raise Http404
    report = get_object_or_404(ConsolidationReport, pk=pk)
    return render(
        request, "property/consolidation_detail.html", {**_nav(request), "report": report}
    )


@require_GET
def consolidation_download(request, pk: int, kind: str):
    if not selectors.is_consolidator(request.user):
        raise Http404
    report = get_object_or_404(ConsolidationReport, pk=pk)
    field = {"pdf": report.pdf, "xlsx": report.xlsx}.get(kind)
    if not field:
        raise Http404
    content_type = "application/pdf" if kind == "pdf" else XLSX_TYPE
    return file_response(field, filename=field.name.rsplit("/", 1)[-1], content_type=content_type)


@require_POST
def movement_attachment_add(request, pk: int):
    movement = selectors.movement_detail(user=request.user, pk=pk)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.movement_attachment_add(
                movement=movement, actor=request.user, upload=form.cleaned_data["file"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The attachment was added."))
            return redirect(movement)
    return render(
        request,
        "property/movement_detail.html",
        _movement_context(request, movement, attachment_form=form),
        status=400,
    )


@require_GET
def movement_attachment(request, pk: int, attachment_pk: int):
    movement = selectors.movement_detail(user=request.user, pk=pk)
    attachment = get_object_or_404(MovementAttachment, pk=attachment_pk, movement=movement)
    return file_response(
        attachment.file,
        filename=attachment.name,
        content_type=attachment.content_type or "application/octet-stream",
    )
