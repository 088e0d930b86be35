"""The notices of equipment loans and supplies, written in both languages and handed to
``notifications.services.notify`` in the caller's transaction."""

from __future__ import annotations

from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from notifications.choices import NoticeKind
from notifications.recipients import RoleHolders
from notifications.services import notify

from ..roles import STORE_KEEPER

LANGUAGES = ("zh-hant", "en")


def _both(make) -> dict:
    texts = {}
    for language in LANGUAGES:
        with translation.override(language):
            texts[language] = str(make())
    return texts


def _name(obj):
    return obj.name if obj is not None else ""


def loan_decided_notify(*, loan, approved: bool, comment: str = "") -> None:
    def title():
        if approved:
            return _("Loan %(number)s approved: %(item)s") % {
                "number": loan.number,
                "item": _name(loan.item),
            }
        return _("Loan %(number)s not approved: %(item)s") % {
            "number": loan.number,
            "item": _name(loan.item),
        }

    def body():
        text = _("%(item)s, %(start)s to %(end)s.") % {
            "item": _name(loan.item),
            "start": loan.start.isoformat(),
            "end": loan.end.isoformat(),
        }
        if approved:
            text += " " + _("Collect it from the loan desk on the first day.")
        if comment:
            text += "\n" + _("Comment: %(comment)s") % {"comment": comment}
        return text

    notify(
        recipients=[loan.requester],
        kind=NoticeKind.INFORMATION,
        obj=loan,
        title=_both(title),
        body=_both(body),
        source="portal",
    )


def loan_overdue_notify(*, loan) -> None:
    notify(
        recipients=[loan.requester],
        kind=NoticeKind.INFORMATION,
        obj=loan,
        title=_both(
            lambda: (
                _("Please return %(item)s (loan %(number)s)")
                % {"item": _name(loan.item), "number": loan.number}
            )
        ),
        body=_both(
            lambda: (
                _("The loan ended on %(end)s. Bring the item back to the loan desk.")
                % {"end": loan.end.isoformat()}
            )
        ),
        source="portal",
    )


def supply_decided_notify(*, request, approved: bool, comment: str = "") -> None:
    def title():
        values = {"number": request.number, "item": _name(request.item)}
        if approved:
            return _("Supply request %(number)s approved: %(item)s") % values
        return _("Supply request %(number)s not approved: %(item)s") % values

    def body():
        text = _("%(quantity)d × %(item)s from %(store)s.") % {
            "quantity": request.quantity,
            "item": _name(request.item),
            "store": _name(request.store),
        }
        if comment:
            text += "\n" + _("Comment: %(comment)s") % {"comment": comment}
        return text

    notify(
        recipients=[request.requester],
        kind=NoticeKind.INFORMATION,
        obj=request,
        title=_both(title),
        body=_both(body),
        source="portal",
    )


def supply_issued_notify(*, request) -> None:
    notify(
        recipients=[request.requester],
        kind=NoticeKind.INFORMATION,
        obj=request,
        title=_both(
            lambda: (
                _("Supplies issued: %(item)s (%(number)s)")
                % {"item": _name(request.item), "number": request.number}
            )
        ),
        body=_both(
            lambda: (
                _("%(quantity)d issued from %(store)s.")
                % {"quantity": request.issued_quantity, "store": _name(request.store)}
            )
        ),
        source="portal",
    )


def low_stock_notify(*, stock) -> None:
    """Alert the store keepers of the store's managing unit (the Secretariat, 秘書處)."""
    notify(
        recipients=[RoleHolders(STORE_KEEPER, unit=stock.store.managing_unit_id)],
        kind=NoticeKind.INFORMATION,
        obj=stock.store,
        link=reverse("portal:supply_desk"),
        title=_both(
            lambda: (
                _("Low stock: %(item)s at %(store)s")
                % {"item": _name(stock.item), "store": _name(stock.store)}
            )
        ),
        body=_both(
            lambda: (
                _("%(quantity)d left (alert at %(threshold)d or fewer).")
                % {"quantity": stock.quantity, "threshold": stock.low_threshold}
            )
        ),
        source="portal",
    )
