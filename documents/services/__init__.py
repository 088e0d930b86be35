"""Writes of the document register and the sign-off engine.

Other apps call these, never the models:

* ``approval_start(target=, purpose=, started_by=, amount=None)``: approve any object along the
  chain template configured for its purpose (``approvals``);
* ``document_register(...)``: a new register entry with its number (字號) (``register``);
* ``document_register_with_signoff(steps=, started_by=, ...)``: both in one transaction;
* ``signoff_start(started_by=, steps= | template=, target=, document=)``: start a chain
  directly; ``steps`` is a list of ``StepSpec`` (a person, or a role in a unit); steps sharing an
  ``order`` are a parallel countersign (會簽) (``signoff``);
* ``signoff_approve`` / ``signoff_return`` / ``signoff_forward`` / ``signoff_cancel`` /
  ``signoff_restart``, each taking the acting user as ``actor=`` and checking it;
* ``delegation_create`` / ``delegation_revoke``; overdue reminders (``reminders``).

The outcome reaches the source app through ``documents.hooks.signoff_hooks``, inside the same
transaction.
"""

from .approvals import approval_start, document_register_with_signoff
from .delegation import delegation_create, delegation_revoke
from .errors import SignOffError, StepAlreadyHandled
from .numbering import (
    allocate_serial,
    default_prefix,
    document_series_for_unit,
    document_series_set_prefix,
)
from .register import (
    EDITABLE_FIELDS,
    attachment_add,
    document_close,
    document_register,
    document_update,
)
from .reminders import signoff_reminder_send, signoff_reminders_prepare
from .signoff import (
    StepSpec,
    signoff_approve,
    signoff_cancel,
    signoff_forward,
    signoff_restart,
    signoff_return,
    signoff_start,
    template_steps_resolve,
)

__all__ = [
    "EDITABLE_FIELDS",
    "SignOffError",
    "StepAlreadyHandled",
    "StepSpec",
    "allocate_serial",
    "approval_start",
    "attachment_add",
    "default_prefix",
    "delegation_create",
    "delegation_revoke",
    "document_close",
    "document_register",
    "document_register_with_signoff",
    "document_series_for_unit",
    "document_series_set_prefix",
    "document_update",
    "signoff_approve",
    "signoff_cancel",
    "signoff_forward",
    "signoff_reminder_send",
    "signoff_reminders_prepare",
    "signoff_restart",
    "signoff_return",
    "signoff_start",
    "template_steps_resolve",
]
