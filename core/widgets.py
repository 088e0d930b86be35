"""Form widgets every app shares."""

from __future__ import annotations

import datetime as dt

from django import forms

from .localdates import date_input_hint, local_date, parse_local_date


class LocalDateInput(forms.TextInput):
    """A date typed as the page shows dates (``core.localdates``): 115/03/05 in Chinese,
    2026-03-05 in English, with the format written under the label (``format_hint``, read by
    ``templates/includes/field.html`` and linked through ``aria-describedby``).

    Chosen over ``<input type="date">``, whose picker shows the browser's own format
    (mm/dd/yyyy in an English browser) and never the 民國 year. The widget hands the field an
    ISO date, so any ``forms.DateField`` (and django-filter's ``DateFilter``) parses it; text
    that is not a date is passed on unchanged and the field reports it as invalid.
    """

    def __init__(self, attrs=None):
        super().__init__(attrs={"inputmode": "numeric", "autocomplete": "off", **(attrs or {})})

    @property
    def format_hint(self) -> str:
        return date_input_hint()

    def format_value(self, value):
        if isinstance(value, dt.date):
            return local_date(value)
        if isinstance(value, str) and value:
            parsed = parse_local_date(value)
            return local_date(parsed) if parsed else value
        return None if value in (None, "") else str(value)

    def value_from_datadict(self, data, files, name):
        raw = super().value_from_datadict(data, files, name)
        if not isinstance(raw, str) or not raw.strip():
            return raw
        parsed = parse_local_date(raw)
        return parsed.isoformat() if parsed else raw.strip()

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget_attrs = context["widget"]["attrs"]
        if widget_attrs.get("id"):
            hint_id = f"{widget_attrs['id']}_format"
            described = widget_attrs.get("aria-describedby", "")
            widget_attrs["aria-describedby"] = f"{described} {hint_id}".strip()
        return context
