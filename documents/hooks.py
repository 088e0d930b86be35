"""How the app that owns an approved object hears the outcome of its sign-off chain.

The app registers one function per outcome for its model, in its ``AppConfig.ready()``::

    from documents.hooks import signoff_hooks

    signoff_hooks.register(
        "portal.LeaveRequest",
        completed=leave_approved,   # called with keyword arguments
        returned=leave_returned,
        cancelled=leave_withdrawn,  # optional: without it ``returned`` hears a cancel too
    )

When a chain whose ``target`` is an object of that model ends, the engine calls the handler
with ``document=`` (None for a chain without an official document), ``chain=`` (``chain.target``
is the approved object), ``outcome=``, ``comment=`` and ``actor=``, inside the same transaction.
A chain its originator cancels (``signoff_cancel``) will not approve either: the engine calls
``cancelled`` or, when the app registered none, ``returned``, with ``outcome="cancelled"`` and
the reason as ``comment``, so the object never waits for a chain that is gone.
A handler that raises undoes the sign-off action, so the two apps never disagree. Handlers must
be idempotent and call only their own app's services.

An app may also pass ``approve_check=``: called as ``approve_check(chain=, step=, actor=)``
before any step of such a chain is approved, under the chain's lock; it raises
``PermissionDenied`` to refuse (e.g. the author of a petition reply may not approve it).

``source_attachments`` lets the app that owns a document's source object list the source's
own files on the document's page, without documents knowing the app::

    source_attachments.register("petitions.Petition", petition_files)
    # petition_files(source=, user=) -> list[SourceAttachment]; each url leads to the app's
    # own download view, which checks the user again (a reader of the document may open it)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.db import models

Handler = Callable[..., None]


@dataclass(frozen=True)
class HookSet:
    completed: Handler | None = None
    returned: Handler | None = None
    approve_check: Handler | None = None
    cancelled: Handler | None = None


class SignOffHooks:
    def __init__(self):
        self._hooks: dict[str, HookSet] = {}

    @staticmethod
    def _label(model: type[models.Model] | str) -> str:
        if isinstance(model, str):
            return apps.get_model(model)._meta.label_lower
        return model._meta.label_lower

    def register(
        self,
        model: type[models.Model] | str,
        *,
        completed: Handler | None = None,
        returned: Handler | None = None,
        approve_check: Handler | None = None,
        cancelled: Handler | None = None,
    ) -> None:
        self._hooks[self._label(model)] = HookSet(
            completed=completed,
            returned=returned,
            approve_check=approve_check,
            cancelled=cancelled,
        )

    def unregister(self, model: type[models.Model] | str) -> None:
        self._hooks.pop(self._label(model), None)

    def get(self, model: type[models.Model]) -> HookSet | None:
        return self._hooks.get(model._meta.label_lower)


signoff_hooks = SignOffHooks()


@dataclass(frozen=True)
class SourceAttachment:
    """A file of a document's source object, as the document's page lists it."""

    name: str
    size: int
    content_type: str
    url: str


class SourceAttachments:
    """Per source model, a provider ``(source=, user=) -> list[SourceAttachment]``."""

    def __init__(self):
        self._providers: dict[str, Callable[..., list[SourceAttachment]]] = {}

    def register(self, model: type[models.Model] | str, provider) -> None:
        self._providers[SignOffHooks._label(model)] = provider

    def unregister(self, model: type[models.Model] | str) -> None:
        self._providers.pop(SignOffHooks._label(model), None)

    def for_source(self, source, user) -> list[SourceAttachment]:
        """The files the source's app lists for ``user`` (none without a provider)."""
        if source is None:
            return []
        provider = self._providers.get(source._meta.label_lower)
        return list(provider(source=source, user=user)) if provider else []


source_attachments = SourceAttachments()
