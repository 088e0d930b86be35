"""The seam between IT repair and ``property``: the assets a person may report are the items
they hold, read through ``property.selectors.custody``. Swap this module to take assets from
another register."""

from __future__ import annotations

from property import selectors as property_selectors


def custody_choices(user):
    """The items ``user`` holds, for the ticket form's asset list."""
    return property_selectors.custody(user=user)


def custody_get(user, pk) -> object | None:
    """The item ``pk`` when ``user`` holds it, else None."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return custody_choices(user).filter(pk=pk).first()


def label(item) -> str:
    return f"{item.number} {item.name}"[:250]
