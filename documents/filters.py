"""Search of the register (staff page and API)."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import style_widgets
from core.widgets import LocalDateInput

from .choices import DocumentCategory, DocumentStatus, SecurityLevel
from .models import Document

# Dates are typed as pages show them: 民國 in Chinese, ISO in English (core.localdates).
DateInput = LocalDateInput


class DocumentFilterForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_widgets(self.fields)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("registered_from"), cleaned.get("registered_to")
        if start and end and end < start:
            self.add_error("registered_to", _("The end date cannot be before the start date."))
        return cleaned


class DocumentFilter(django_filters.FilterSet):
    number = django_filters.CharFilter(
        field_name="number",
        lookup_expr="icontains",
        label=_("Document number"),
        help_text=_("All or part of the number, e.g. 1150000123."),
    )
    subject = django_filters.CharFilter(
        field_name="subject", lookup_expr="icontains", label=_("Subject contains")
    )
    registered_from = django_filters.DateFilter(
        field_name="created_at",
        lookup_expr="date__gte",
        label=_("Registered from"),
        widget=DateInput(),
    )
    registered_to = django_filters.DateFilter(
        field_name="created_at",
        lookup_expr="date__lte",
        label=_("Registered until"),
        widget=DateInput(),
    )
    status = django_filters.ChoiceFilter(
        choices=DocumentStatus.choices, label=_("Status"), empty_label=_("Any status")
    )
    category = django_filters.ChoiceFilter(
        choices=DocumentCategory.choices, label=_("Category"), empty_label=_("Any category")
    )
    security_level = django_filters.ChoiceFilter(
        choices=SecurityLevel.choices, label=_("Security level"), empty_label=_("Any level")
    )
    overdue = django_filters.BooleanFilter(
        method="filter_overdue",
        label=_("Overdue only"),
        widget=forms.CheckboxInput,
    )

    class Meta:
        model = Document
        fields = ["number", "subject", "registered_from", "registered_to", "status", "category"]
        form = DocumentFilterForm

    def filter_overdue(self, queryset, name, value):
        return queryset.overdue() if value else queryset
