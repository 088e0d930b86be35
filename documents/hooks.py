"""Service-level hook: how a source app hears the outcome of a sign-off chain.

A source app (petitions, meetings, property, portal) registers one function per outcome for
its model, usually in its ``AppConfig.ready()``::

    from documents.hooks import signoff_hooks

    signoff_hooks.register(
        "petitions.Reply",
        completed=services.reply_signoff_approved,   # called with keyword arguments
        returned=services.reply_signoff_returned,
    )

When a chain of a document whose ``source`` is such an object ends, the engine calls the
handler with ``document=, chain=, outcome=, comment=, actor=`` inside the same transaction
(first the hook, then the ``documents.signals`` signal). A handler that raises undoes the
sign-off action, so the two apps never disagree. Handlers must be idempotent: the engine
calls each at most once per chain, but the caller may re-run its own logic.
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
    ) -> None:
        self._hooks[self._label(model)] = HookSet(completed=completed, returned=returned)

    def unregister(self, model: type[models.Model] | str) -> None:
        self._hooks.pop(self._label(model), None)

    def get(self, model: type[models.Model]) -> HookSet | None:
        return self._hooks.get(model._meta.label_lower)


signoff_hooks = SignOffHooks()
