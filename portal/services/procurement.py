"""Writes of procurement tender requests (採購招標申請).

``procurement_request_create(actor=, item=, quantity=, estimated_amount=, budget_code=,
justification=, attachments=)`` picks the active threshold whose range holds the amount (none:
a ValidationError on ``estimated_amount``), registers an official document (公文 with its 字號)
of the requester's unit with the request as its source, and starts the threshold's chain
template on it, all in one transaction: if the route cannot be resolved nothing is saved and
no number is used. The chain's outcome comes back through the sign-off hooks
(``procurement_approved`` / ``procurement_returned`` / ``procurement_cancelled``), which tell the
requester. ``procurement_request_withdraw`` lets the requester withdraw a pending request.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import File
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from core.dates import roc_year
from core.sequences import next_value
from core.services import audit_record
from core.text import clean_line, strip_bidi_controls
from documents import selectors as documents_selectors
from documents.services import document_register, signoff_cancel, signoff_start
from notifications.choices import NoticeKind
from notifications.services import notify

from ..models import (
    ProcurementAttachment,
    ProcurementRequest,
    ProcurementStatus,
    ProcurementThreshold,
)
from .files import display_name, files_check, stored_name

BUDGET_CODE = re.compile(r"^[A-Z0-9][A-Z0-9.\-]{1,29}$")
MAX_AMOUNT = Decimal("99999999999999")
LANGUAGES = ("zh-hant", "en")


def _active(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def threshold_for(amount) -> ProcurementThreshold:
    """The active threshold covering ``amount``; ValidationError on ``estimated_amount``."""
    for threshold in ProcurementThreshold.objects.filter(is_active=True).select_related("template"):
        if threshold.covers(amount):
            return threshold
    raise ValidationError(
        {"estimated_amount": _("No approval route is configured for this amount.")}
    )


def _amount(value) -> Decimal:
    try:
        amount = Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({"estimated_amount": _("Enter a whole amount in NT$.")}) from None
    if not amount.is_finite() or amount != amount.to_integral_value():
        raise ValidationError({"estimated_amount": _("Enter a whole amount in NT$.")})
    if amount < 1 or amount > MAX_AMOUNT:
        raise ValidationError(
            {"estimated_amount": _("Enter an amount from NT$1 to NT$99,999,999,999,999.")}
        )
    return amount


def _tell(request: ProcurementRequest, title, body, **params):
    requester = request.requester
    if not requester.is_active:
        return
    params = {"number": request.number, "item": request.item, **params}
    titles, bodies = {}, {}
    for language in LANGUAGES:
        with translation.override(language):
            titles[language] = str(title) % params
            bodies[language] = str(body) % params
    notify(
        recipients=[requester],
        kind=NoticeKind.INFORMATION,
        obj=request,
        title=titles,
        body=bodies,
        link=request.get_absolute_url(),
        source="portal",
    )


@transaction.atomic
def procurement_request_create(
    *,
    actor,
    item: str,
    quantity,
    estimated_amount,
    budget_code: str,
    justification: str,
    attachments=(),
) -> ProcurementRequest:
    if not _active(actor):
        raise PermissionDenied(_("Sign in to request a procurement."))
    unit = getattr(actor, "organization", None)
    if unit is None:
        raise PermissionDenied(_("Only members of a unit request procurements."))
    errors = {}
    item = clean_line(item)
    if not item:
        errors["item"] = _("This field is required.")
    elif len(item) > 200:
        errors["item"] = _("At most %(max)d characters.") % {"max": 200}
    try:
        quantity = int(quantity)
    except (TypeError, ValueError):
        quantity = 0
    if not 1 <= quantity <= 1_000_000:
        errors["quantity"] = _("Enter a quantity from 1 to 1,000,000.")
    budget_code = clean_line(budget_code).upper()
    if not BUDGET_CODE.match(budget_code):
        errors["budget_code"] = _(
            "Enter the budget code: letters, digits, dots and hyphens, 2 to 30 characters."
        )
    justification = strip_bidi_controls(str(justification or "")).strip()
    if not justification:
        errors["justification"] = _("This field is required.")
    elif len(justification) > 5000:
        errors["justification"] = _("At most %(max)d characters.") % {"max": 5000}
    try:
        amount = _amount(estimated_amount)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        amount = None
    if errors:
        raise ValidationError(errors)
    threshold = threshold_for(amount)
    checked = files_check(attachments, field="attachments", images_only=False)
    year = roc_year(timezone.localdate())
    serial = next_value(scope="portal:procurement", year=year)
    request = ProcurementRequest(
        number=f"P{year}-{serial:05d}",
        requester=actor,
        unit=unit,
        item=item,
        quantity=quantity,
        estimated_amount=amount,
        budget_code=budget_code,
        justification=justification,
        threshold=threshold,
    )
    request.full_clean()
    request.save()
    for upload, result in checked:
        attachment = ProcurementAttachment(
            request=request,
            name=display_name(result),
            content_type=result.content_type,
            size=result.size,
            sha256=result.sha256,
        )
        upload.seek(0)
        attachment.file.save(stored_name(result), File(upload), save=False)
        attachment.save()
    template = threshold.template
    subject = str(_("Procurement request %(number)s: %(item)s")) % {
        "number": request.number,
        "item": item,
    }
    document = document_register(
        unit=unit,
        subject=subject[:300],
        registered_by=actor,
        category=template.document_category,
        source=request,
    )
    request.document = document
    request.save(update_fields=["document", "updated_at"])
    signoff_start(
        target=request,
        document=document,
        template=template,
        started_by=actor,
        subject=subject[:300],
        requester_unit=unit,
    )
    return request


def _decide(chain, status: str) -> ProcurementRequest | None:
    request = (
        ProcurementRequest.objects.select_related("requester")
        .filter(pk=chain.target_object_id)
        .first()
    )
    if request is None:
        return None
    updated = ProcurementRequest.objects.filter(
        pk=request.pk, status=ProcurementStatus.PENDING
    ).update(status=status, decided_at=timezone.now(), updated_at=timezone.now())
    if not updated:
        return None
    request.refresh_from_db()
    return request


def procurement_approved(*, document, chain, outcome, comment, actor):
    request = _decide(chain, ProcurementStatus.APPROVED)
    if request is not None:
        _tell(
            request,
            _("Procurement request %(number)s approved"),
            _("%(number)s (%(item)s) was approved."),
        )


def procurement_returned(*, document, chain, outcome, comment, actor):
    request = _decide(chain, ProcurementStatus.RETURNED)
    if request is not None:
        _tell(
            request,
            _("Procurement request %(number)s not approved"),
            _("%(number)s (%(item)s) was not approved: %(comment)s"),
            comment=clean_line(comment) or "-",
        )


def procurement_cancelled(*, document, chain, outcome, comment, actor):
    _decide(chain, ProcurementStatus.CANCELLED)


@transaction.atomic
def procurement_request_withdraw(*, request: ProcurementRequest, actor) -> ProcurementRequest:
    if not _active(actor) or request.requester_id != actor.pk:
        raise PermissionDenied(_("Only the requester withdraws a request."))
    if request.status != ProcurementStatus.PENDING:
        raise ValidationError(_("Only a request waiting for approval can be withdrawn."))
    chain = documents_selectors.open_chain_for(request)
    if chain is not None:
        signoff_cancel(chain=chain, actor=actor, reason=str(_("Withdrawn by the requester.")))
    ProcurementRequest.objects.filter(pk=request.pk, status=ProcurementStatus.PENDING).update(
        status=ProcurementStatus.CANCELLED, decided_at=timezone.now(), updated_at=timezone.now()
    )
    request.refresh_from_db()
    audit_record(action="update", obj=request, actor=actor, message="withdrawn")
    return request
