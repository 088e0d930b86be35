"""Starting an approval: the API every app calls.

``approval_start(target=, purpose=, started_by=, amount=None)`` picks the chain template for
the purpose (and amount), registers an official document only when the template says so, and
starts the chain; ``document_register_with_signoff`` registers a document and starts a chain on
it in one transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.db import transaction
from django.utils import timezone

from core.dates import add_working_days
from core.models import Organization

from .. import selectors
from ..models import Document, SignOffChain
from .register import document_register
from .signoff import signoff_start


@transaction.atomic
def approval_start(
    *,
    target,
    purpose: str,
    started_by,
    amount=None,
    subject: str = "",
    requester_unit: Organization | None = None,
    deadline: date | None = None,
) -> SignOffChain:
    """Send ``target`` for approval along the template configured for ``purpose``.

    ``started_by`` is the requester; the template's relative steps (the requester's unit,
    its head) are taken from ``requester_unit`` (default: the requester's unit). When the
    template registers documents, a document of the requester's unit is registered with
    ``target`` as its source. The deadline defaults to the template's working days. Outcome:
    the hook registered for ``target``'s model (``documents.hooks.signoff_hooks``).
    """
    template = selectors.chain_template_for(purpose=purpose, amount=amount)
    unit = requester_unit or getattr(started_by, "organization", None)
    subject = (subject or str(target))[:300]
    if deadline is None and template.deadline_working_days:
        deadline = add_working_days(timezone.localdate(), template.deadline_working_days)
    document = None
    if template.registers_document and unit is not None:
        document = document_register(
            unit=unit,
            subject=subject,
            registered_by=started_by,
            category=template.document_category,
            deadline=deadline,
            source=target,
        )
    return signoff_start(
        target=target,
        document=document,
        template=template,
        started_by=started_by,
        subject=subject,
        deadline=deadline,
        requester_unit=unit,
    )


@transaction.atomic
def document_register_with_signoff(*, steps: Sequence, started_by, **fields) -> Document:
    """Register a document and start its sign-off in one transaction: if the steps are
    refused, nothing is saved and no number is used. With an external reference already
    registered, the first document is returned untouched. ``fields`` go to
    ``document_register`` (pass ``actor=`` for a person registering)."""
    document = document_register(**fields)
    if steps and document.created:
        signoff_start(document=document, steps=steps, started_by=started_by)
    return document
