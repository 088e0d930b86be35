"""Template helpers every app shares: ``{% load mol %}``.

- Dates, one rule (``core.localdates``): ``{{ day|local_date }}`` (115/03/05 in Chinese,
  2026-03-05 in English), ``|local_datetime``, ``|local_month``.
- ``{% colon %}``: the label colon of the page's language (full-width "：" in Chinese, ": " in
  English), e.g. ``{% translate "Case number" %}{% colon %}{{ number }}``.
- ``{{ field|widget_class:"form-control" }}``: a bound field rendered with an extra CSS class.
- ``{% intranet_nav as items %}``: the header navigation of the intranet (see
  ``core.registry.app_nav``).
"""

from __future__ import annotations

from django import template

from core import localdates
from core.registry import app_nav

register = template.Library()


@register.filter
def local_date(value):
    return localdates.local_date(value)


@register.filter
def local_datetime(value):
    return localdates.local_datetime(value)


@register.filter
def local_month(value):
    return localdates.local_month(value)


@register.simple_tag
def colon() -> str:
    return "：" if localdates.chinese() else ": "


@register.filter
def widget_class(bound_field, css: str):
    """Render ``bound_field`` with ``css`` added to the widget's own classes."""
    existing = bound_field.field.widget.attrs.get("class", "")
    classes = " ".join(dict.fromkeys(f"{existing} {css}".split()))
    return bound_field.as_widget(attrs={"class": classes})


@register.simple_tag(takes_context=True)
def intranet_nav(context):
    """The applications of the header navigation this request's user may use, each with
    ``current`` set on the one whose address is the longest prefix of the page's path."""
    request = context.get("request")
    if request is None:
        return []
    return app_nav.for_request(request)
