"""Forms of the pages. The intake and edit forms are generated from the case type's fields;
every choice of a posted id (unit, handler, industry, county) comes from the selector that
built the page, and the services check everything again."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.text import LineField, PhoneField
from core.widgets import LocalDateInput

from . import selectors
from .choices import FieldKind
from .models import Case, CaseField, CaseType

DATA_PREFIX = "data__"


def data_field_name(code: str) -> str:
    return f"{DATA_PREFIX}{code}"


def service_renames(case_type: CaseType) -> dict[str, str]:
    """Service error keys (``data.<code>``, ``industry``) → form field names."""
    return {f"data.{f.code}": data_field_name(f.code) for f in case_type.fields.all()}


def _form_field(field: CaseField) -> forms.Field:
    common = {"label": field.label, "required": field.required, "help_text": field.help_text}
    kind = field.kind
    if kind == FieldKind.TEXT:
        return LineField(max_length=field.max_length, **common)
    if kind == FieldKind.NUMBER:
        return forms.DecimalField(min_value=field.min_value, max_value=field.max_value, **common)
    if kind == FieldKind.MONEY:
        return forms.IntegerField(min_value=0, **common)
    if kind == FieldKind.DATE:
        return forms.DateField(widget=LocalDateInput, **common)
    if kind == FieldKind.CHOICE:
        return forms.ChoiceField(choices=[("", "---------"), *field.choice_list()], **common)
    if kind == FieldKind.COUNTY:
        return forms.ChoiceField(choices=[("", "---------"), *selectors.county_choices()], **common)
    if kind == FieldKind.INDUSTRY:
        return forms.ChoiceField(
            choices=[("", "---------"), *selectors.industry_choices()], **common
        )
    return forms.CharField(max_length=8, **common)


def _to_json(value):
    if value is None or value == "":
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "as_tuple"):  # Decimal
        return str(value)
    return value


class _CaseFieldsMixin:
    case_type: CaseType

    def add_type_fields(self, initial: dict | None = None):
        for field in self.case_type.fields.all():
            form_field = _form_field(field)
            if initial and field.code in initial:
                form_field.initial = initial[field.code]
            self.fields[data_field_name(field.code)] = form_field

    def type_data(self) -> dict:
        return {
            name[len(DATA_PREFIX) :]: _to_json(value)
            for name, value in self.cleaned_data.items()
            if name.startswith(DATA_PREFIX)
        }

    def type_fields(self):
        return [self[name] for name in self.fields if name.startswith(DATA_PREFIX)]

    def common_fields(self):
        return [self[name] for name in self.fields if not name.startswith(DATA_PREFIX)]


class CommonFieldsForm(forms.Form):
    subject = LineField(label=_("Subject"), max_length=200)
    applicant_name = LineField(label=_("Applicant"), max_length=100)
    applicant_phone = PhoneField(label=_("Applicant's phone"), max_length=40, required=False)
    employer_name = LineField(label=_("Employer"), max_length=200, required=False)
    employer_business_id = forms.CharField(
        label=_("Employer's business ID"),
        max_length=8,
        required=False,
        help_text=_("統一編號, eight digits."),
    )
    industry = forms.ChoiceField(label=_("Industry"), required=False)
    county = forms.ChoiceField(
        label=_("County/city"), required=False, help_text=_("Empty: the unit's county or city.")
    )
    received_on = forms.DateField(label=_("Received on"), widget=LocalDateInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["industry"].choices = [("", "---------"), *selectors.industry_choices()]
        self.fields["county"].choices = [("", "---------"), *selectors.county_choices()]

    def common_values(self) -> dict:
        names = ("subject", "applicant_name", "applicant_phone", "employer_name",
                 "employer_business_id", "industry", "county", "received_on")  # fmt: skip
        return {name: self.cleaned_data.get(name) or "" for name in names if name in self.fields}


class IntakeForm(_CaseFieldsMixin, CommonFieldsForm):
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=None, empty_label=None)

    field_order = ["unit", "received_on"]

    def __init__(self, *args, case_type: CaseType, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.case_type = case_type
        self.fields["unit"].queryset = selectors.writable_units(actor)
        self.add_type_fields()
        self.order_fields(self.field_order)


class CaseEditForm(_CaseFieldsMixin, CommonFieldsForm):
    handler = forms.ModelChoiceField(label=_("Handler"), queryset=None, required=False)
    outcome = forms.CharField(label=_("Outcome"), widget=forms.Textarea(attrs={"rows": 3}),
                              required=False, max_length=5000)  # fmt: skip
    amount = forms.IntegerField(
        label=_("Amount (NT$)"),
        min_value=0,
        required=False,
        help_text=_("E.g. the amount of a mediation settlement."),
    )

    def __init__(self, *args, case: Case, **kwargs):
        initial = {
            "subject": case.subject,
            "applicant_name": case.applicant_name,
            "applicant_phone": case.applicant_phone,
            "employer_name": case.employer_name,
            "employer_business_id": case.employer_business_id,
            "industry": case.industry.code if case.industry_id else "",
            "county": case.county.code,
            "received_on": case.received_on,
            "handler": case.handler_id,
            "outcome": case.outcome,
            "amount": case.amount,
        }
        super().__init__(*args, initial=initial, **kwargs)
        self.case_type = case.case_type
        self.fields["handler"].queryset = selectors.handler_choices(case.unit)
        self.add_type_fields(initial=case.data)

    def values(self) -> dict:
        values = self.common_values()
        values["data"] = self.type_data()
        values["handler"] = self.cleaned_data.get("handler")
        values["outcome"] = self.cleaned_data.get("outcome") or ""
        values["amount"] = self.cleaned_data.get("amount")
        return values


class TransitionForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=5000,
    )


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("File"))


class ImportForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=None, empty_label=None)
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("UTF-8 or Big5, one case per line; see the column list below."),
    )

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = selectors.writable_units(actor)


class CaseFilterForm(forms.Form):
    q = forms.CharField(label=_("Number, subject, employer or business ID"), required=False,
                        max_length=100)  # fmt: skip
    case_type = forms.ChoiceField(label=_("Case type"), required=False)
    county = forms.ChoiceField(label=_("County/city"), required=False)
    open = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[("", _("All")), ("1", _("Open")), ("0", _("Closed"))],
    )
    received_from = forms.DateField(label=_("Received from"), required=False,
                                    widget=LocalDateInput)  # fmt: skip
    received_to = forms.DateField(label=_("Received until"), required=False,
                                  widget=LocalDateInput)  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["case_type"].choices = [
            ("", _("All")),
            *[(t.code, t.name) for t in selectors.case_types(active_only=False)],
        ]
        self.fields["county"].choices = [("", _("All")), *selectors.county_choices()]

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        out = {k: data[k] for k in ("q", "case_type", "county", "received_from", "received_to")
               if data.get(k)}  # fmt: skip
        if data.get("open") in ("0", "1"):
            out["open"] = data["open"] == "1"
        return out
