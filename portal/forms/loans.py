"""Forms of equipment loans and supplies. Each parses input only; the services decide. The
item, store and stock choices come from the selectors that built the page, so a posted id
outside them is an invalid choice. ``key`` is the form's one-time key (a double submit asks
once)."""

from __future__ import annotations

import datetime as dt
import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import StyledFormMixin
from core.text import LineField
from core.widgets import LocalDateInput

from ..choices import Condition


class _KeyedForm(StyledFormMixin, forms.Form):
    key = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("key", uuid.uuid4())


class ItemChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.name


class LoanForm(_KeyedForm):
    item = ItemChoiceField(label=_("Item"), queryset=None, empty_label=_("Choose an item"))
    start = forms.DateField(label=_("From"), widget=LocalDateInput)
    end = forms.DateField(
        label=_("Until (included)"),
        widget=LocalDateInput,
        help_text=_("The day you bring it back."),
    )
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=10000, initial=1)
    purpose = LineField(label=_("Purpose"), max_length=300)

    field_order = ["item", "start", "end", "quantity", "purpose", "key"]

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = items

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if isinstance(start, dt.date) and isinstance(end, dt.date) and end < start:
            self.add_error("end", _("The last day cannot be before the first."))
        return data


class ConditionForm(StyledFormMixin, forms.Form):
    condition = forms.ChoiceField(label=_("Condition"), choices=Condition.choices)
    note = LineField(label=_("Note"), max_length=300, required=False)


class StockChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.item.name} — {obj.store.name} ({obj.quantity} {obj.item.unit_label})"


class SupplyForm(_KeyedForm):
    stock = StockChoiceField(
        label=_("Item and store"), queryset=None, empty_label=_("Choose an item")
    )
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=10000, initial=1)
    purpose = LineField(label=_("Purpose"), max_length=300)

    field_order = ["stock", "quantity", "purpose", "key"]

    def __init__(self, *args, stock, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stock"].queryset = stock


class IssueForm(StyledFormMixin, forms.Form):
    quantity = forms.IntegerField(label=_("Quantity issued"), min_value=1, max_value=10000)


class SupplyMonthForm(StyledFormMixin, forms.Form):
    month = forms.RegexField(
        label=_("Month"),
        regex=r"^\d{4}-(0[1-9]|1[0-2])$",
        max_length=7,
        required=False,
        help_text=_("YYYY-MM"),
        error_messages={"invalid": _("Give the month as YYYY-MM.")},
    )

    def chosen(self, default: dt.date) -> dt.date:
        if self.is_bound and self.is_valid() and self.cleaned_data["month"]:
            year, month = self.cleaned_data["month"].split("-")
            return dt.date(int(year), int(month), 1)
        return default.replace(day=1)
