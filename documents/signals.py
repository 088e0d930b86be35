"""Signals the sign-off engine sends when a chain ends.

Both are sent inside the transaction that records the outcome, so a receiver that updates
its own tables commits or rolls back together with the sign-off (and an exception in a
receiver undoes the action). ``sender`` is the model class of the document's source object
(``Document`` when it has none); keyword arguments:

* ``document``: the ``Document``;
* ``chain``: the ``SignOffChain`` that ended;
* ``outcome``: ``"approved"`` or ``"returned"`` (``choices.SignOffOutcome``);
* ``comment``: the last signer's comment ("" when none);
* ``actor``: the user who took the final action.

Receivers should only call their own app's services (STYLE.md: no business logic here).
The same news also reaches handlers registered with ``documents.hooks.signoff_hooks``.
"""

from django.dispatch import Signal

signoff_completed = Signal()
signoff_returned = Signal()
