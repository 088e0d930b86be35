"""The e-paper managers' subscriber pages under ``/epaper/manage/`` (login and the role
``epaper.manager``; anyone else gets 403): search, one subscriber, the personal-data export
(JSON or CSV download, audited) and erasure, the CSV import and its reports. Thin: the
services check the actor again (``services.privacy``, ``services.imports``)."""

from __future__ import annotations

import csv
import json
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.forms import add_service_errors
from core.masking import mask_email

from ..forms import EraseForm, ImportForm, SubscriberSearchForm
from ..models import ImportBatch, Subscriber
from ..selectors import import_batches, localised, newsletter_counts, subscriber_search
from ..services import imports, privacy

PAGE_SIZE = 50


def manager_view(view):
    """Login, then the role ``epaper.manager``: anyone else gets 403."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not privacy.may_manage_subscribers(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


@manager_view
@require_GET
def subscribers(request):
    form = SubscriberSearchForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    rows = subscriber_search(
        q=filters.get("q", ""),
        newsletter=filters.get("newsletter", ""),
        state=filters.get("state", ""),
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "epaper/manage/subscribers.html",
        {
            "form": form,
            "page": page,
            "rows": [(s, mask_email(s.email)) for s in page],
            "querystring": query.urlencode(),
            "counts": [(n, localised(n, "name")) for n in newsletter_counts()],
        },
    )


@manager_view
@require_GET
def subscriber(request, pk: int):
    item = get_object_or_404(Subscriber, pk=pk)
    return render(
        request,
        "epaper/manage/subscriber.html",
        {
            "subscriber": item,
            "subscriptions": [
                (s, localised(s.newsletter, "name"))
                for s in item.subscriptions.select_related("newsletter").order_by(
                    "newsletter__sort_order"
                )
            ],
            "opt_ins": item.opt_ins.prefetch_related("newsletters")[:20],
            "erase_form": EraseForm(),
        },
    )


def _csv_cell(value) -> str:
    """A CSV cell that a spreadsheet never runs as a formula."""
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


def _csv_rows(data: dict, prefix: str = ""):
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            yield from _csv_rows(value, name + ".")
        elif isinstance(value, list):
            for index, item in enumerate(value, start=1):
                if isinstance(item, dict):
                    yield from _csv_rows(item, f"{name}.{index}.")
                else:
                    yield name, item
        else:
            yield name, value


@manager_view
@require_GET
def subscriber_export(request, pk: int, fmt: str):
    """Everything kept about one address, as a download (an audit entry per export)."""
    if fmt not in ("json", "csv"):
        raise Http404
    item = get_object_or_404(Subscriber, pk=pk)
    data = privacy.subscriber_export(subscriber=item, actor=request.user)
    name = f"subscriber-{item.pk}.{fmt}"
    if fmt == "json":
        response = HttpResponse(
            json.dumps(data, ensure_ascii=False, indent=2),
            content_type="application/json; charset=utf-8",
        )
    else:
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response.write("\ufeff")  # Excel opens UTF-8 Chinese correctly with a BOM
        writer = csv.writer(response)
        writer.writerow(["field", "value"])
        for key, value in _csv_rows(data):
            writer.writerow([key, _csv_cell(value)])
    response["Content-Disposition"] = content_disposition_header(True, name)
    response["Cache-Control"] = "no-store"
    return response


@manager_view
@require_POST
def subscriber_erase(request, pk: int):
    item = get_object_or_404(Subscriber, pk=pk)
    form = EraseForm(request.POST)
    if form.is_valid():
        done = privacy.subscriber_erase(
            subscriber=item, actor=request.user, reason=form.cleaned_data["reason"]
        )
        if done:
            messages.success(request, _("The subscriber's personal data has been erased."))
        else:
            messages.info(request, _("This subscriber was already erased."))
        return redirect("epaper:subscriber", pk=item.pk)
    return render(
        request,
        "epaper/manage/subscriber.html",
        {
            "subscriber": item,
            "subscriptions": [
                (s, localised(s.newsletter, "name"))
                for s in item.subscriptions.select_related("newsletter")
            ],
            "opt_ins": item.opt_ins.prefetch_related("newsletters")[:20],
            "erase_form": form,
        },
        status=400,
    )


@manager_view
@require_http_methods(["GET", "POST"])
def import_upload(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                batch = imports.subscribers_import(
                    data=upload.read(),
                    source=form.cleaned_data["source"],
                    actor=request.user,
                    file_name=upload.name or "",
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _(
                        "Imported: %(created)d new subscribers, %(merged)d already known, "
                        "%(rejected)d rows rejected."
                    )
                    % {
                        "created": batch.created,
                        "merged": batch.merged,
                        "rejected": batch.rejected,
                    },
                )
                return redirect("epaper:import_batch", pk=batch.pk)
    return render(
        request,
        "epaper/manage/import.html",
        {"form": form, "batches": import_batches()[:20], "columns": imports.COLUMNS},
        status=status,
    )


@manager_view
@require_GET
def import_batch(request, pk: int):
    batch = get_object_or_404(ImportBatch.objects.select_related("created_by"), pk=pk)
    return render(request, "epaper/manage/import_batch.html", {"batch": batch})
