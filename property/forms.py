"""Staff forms of the property app. Each parses input only; every posted id is checked against
the queryset of the selector that built the page's choices."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import User
from core.forms import StyledFormMixin
from core.models import Organization
from core.text import LineField
from core.widgets import LocalDateInput

from . import selectors
from .choices import DisposalMethod, ItemStatus, MovementKind, Register

# "Register" is a verb elsewhere (登記); here the noun: the property register.
REGISTER_LABEL = pgettext_lazy("property register", "Register")


class ItemChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.number} {obj.name}"


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.display_name} ({obj.username})"


class ItemFilterForm(StyledFormMixin, forms.Form):
    q = forms.CharField(label=_("Number or name"), required=False)
    agency = forms.ModelChoiceField(
        label=_("Agency"), queryset=Organization.objects.none(), required=False
    )
    register = forms.ChoiceField(
        label=REGISTER_LABEL, required=False, choices=[("", "—"), *Register.choices]
    )
    classification = forms.ModelChoiceField(
        label=_("Classification"), required=False, queryset=selectors.Classification.objects.none()
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", "—"), *ItemStatus.choices]
    )
    location = forms.CharField(label=_("Location"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = selectors.agencies()
        self.fields["classification"].queryset = selectors.classification_choices()

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = dict(self.cleaned_data)
        for key in ("agency", "classification"):
            data[key] = data[key].pk if data.get(key) else None
        return data


class _MovementForm(StyledFormMixin, forms.Form):
    items = ItemChoiceField(
        label=_("Items"),
        queryset=selectors.Item.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000
    )
    effective_date = forms.DateField(
        label=_("Effective date"), widget=LocalDateInput(), required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["items"].queryset = selectors.movable_items(user=user)


class TransferForm(_MovementForm):
    to_custodian = PersonChoiceField(
        label=_("New custodian"), required=False, queryset=User.objects.none()
    )
    to_unit = forms.ModelChoiceField(
        label=_("New user unit"), required=False, queryset=Organization.objects.none()
    )
    to_agency = forms.ModelChoiceField(
        label=_("Receiving agency"),
        required=False,
        queryset=Organization.objects.none(),
        help_text=_("Only for a transfer to another agency."),
    )
    to_location = LineField(label=_("New location"), required=False, max_length=200)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["to_custodian"].queryset = User.objects.filter(is_active=True).order_by(
            "username"
        )
        self.fields["to_unit"].queryset = Organization.objects.filter(is_active=True)
        self.fields["to_agency"].queryset = selectors.agencies()


class ScrapForm(_MovementForm):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[
            (MovementKind.SCRAP, MovementKind.SCRAP.label),
            (MovementKind.LOSS, MovementKind.LOSS.label),
        ],
        widget=forms.RadioSelect,
        initial=MovementKind.SCRAP,
    )
    scrap_reason = forms.ModelChoiceField(
        label=_("Reason class"), queryset=selectors.ScrapReason.objects.none()
    )
    disposal_method = forms.ChoiceField(label=_("Disposal method"), choices=DisposalMethod.choices)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["scrap_reason"].queryset = selectors.scrap_reasons()
        self.fields["reason"].required = True


SHOWN_ITEMS = 200  # choices rendered on a page; every posted id is still checked


class _OfficerMovementForm(_MovementForm):
    """A movement of the officer's register. ``items`` is checked against the whole selector;
    the page renders the items asked for (``?items=``, or posted) and the first SHOWN_ITEMS."""

    selector = None

    def __init__(self, *args, user, shown=(), **kwargs):
        super().__init__(*args, user=user, **kwargs)
        field = self.fields["items"]
        field.queryset = type(self).selector(user=user)
        wanted = sorted({int(pk) for pk in shown if str(pk).isdigit()})
        listed = list(field.queryset.filter(pk__in=wanted)) if wanted else []
        listed_ids = {item.pk for item in listed}
        listed += [
            item
            for item in field.queryset.exclude(pk__in=listed_ids)[:SHOWN_ITEMS]
            if item.pk not in listed_ids
        ]
        field.widget.choices = [(item.pk, field.label_from_instance(item)) for item in listed]


class ValueChangeForm(_OfficerMovementForm):
    selector = staticmethod(selectors.revaluable_items)
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[
            (MovementKind.VALUE_INCREASE, MovementKind.VALUE_INCREASE.label),
            (MovementKind.VALUE_DECREASE, MovementKind.VALUE_DECREASE.label),
        ],
        widget=forms.RadioSelect,
        initial=MovementKind.VALUE_INCREASE,
    )
    amount = forms.DecimalField(
        label=_("Amount for each item (NT$)"),
        min_value=1,
        max_digits=14,
        decimal_places=0,
        help_text=_("Added to or taken from the book cost of every chosen item."),
    )

    field_order = ["kind", "items", "amount", "reason", "effective_date"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = True


class SaleForm(_OfficerMovementForm):
    selector = staticmethod(selectors.sellable_items)
    proceeds = forms.DecimalField(
        label=_("Proceeds of the sale (NT$)"),
        min_value=0,
        max_digits=14,
        decimal_places=0,
        help_text=_("The total received for the chosen items."),
    )

    field_order = ["items", "proceeds", "reason", "effective_date"]


class AcquisitionForm(StyledFormMixin, forms.Form):
    agency = forms.ModelChoiceField(label=_("Agency"), queryset=Organization.objects.none())
    register = forms.ChoiceField(label=REGISTER_LABEL, choices=Register.choices)
    classification = forms.ModelChoiceField(
        label=_("Classification"), queryset=selectors.Classification.objects.none()
    )
    name = LineField(label=_("Name"), max_length=200)
    specification = LineField(label=_("Specification"), max_length=300, required=False)
    brand_model = LineField(label=_("Brand and model"), max_length=200, required=False)
    unit_cost = forms.DecimalField(label=_("Cost of each item"), min_value=0, decimal_places=0)
    count = forms.IntegerField(
        label=_("Number of items"),
        min_value=1,
        max_value=5000,
        initial=1,
        help_text=_("The purchase is split into this many items."),
    )
    acquired_on = forms.DateField(label=_("Acquisition date"), widget=LocalDateInput())
    user_unit = forms.ModelChoiceField(label=_("User unit"), queryset=Organization.objects.none())
    custodian = PersonChoiceField(
        label=_("Custodian"), required=False, queryset=User.objects.none()
    )
    location = LineField(label=_("Location"), max_length=200, required=False)
    funding_source = LineField(label=_("Funding source"), max_length=100, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        agencies = selectors.officer_agencies(user=user)
        self.fields["agency"].queryset = agencies
        self.fields["classification"].queryset = selectors.classification_choices()
        unit_ids = set()
        for agency in agencies:
            unit_ids |= agency.descendant_ids()
        self.fields["user_unit"].queryset = Organization.objects.filter(pk__in=sorted(unit_ids))
        self.fields["custodian"].queryset = User.objects.filter(
            is_active=True, organization_id__in=sorted(unit_ids)
        ).order_by("username")


class RefuseForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason for refusing"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class WithdrawForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason for withdrawing"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class AssignForm(StyledFormMixin, forms.Form):
    to_custodian = PersonChoiceField(label=_("New custodian"), queryset=User.objects.none())

    def __init__(self, *args, agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_custodian"].queryset = selectors.custodian_choices(agency=agency)


class StockTakeForm(StyledFormMixin, forms.Form):
    agency = forms.ModelChoiceField(label=_("Agency"), queryset=Organization.objects.none())
    location = LineField(label=_("Location"), max_length=200)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = selectors.officer_agencies(user=user)


class ScanForm(StyledFormMixin, forms.Form):
    scanned = LineField(
        label=_("Scanned code or property number"),
        max_length=200,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "off"}),
    )


class BalanceForm(StyledFormMixin, forms.Form):
    agency = forms.ModelChoiceField(
        label=_("Agency"),
        queryset=Organization.objects.none(),
        required=False,
        empty_label=_("All agencies I may see"),
    )
    register = forms.ChoiceField(label=REGISTER_LABEL, choices=Register.choices)
    date_from = forms.DateField(label=_("From"), widget=LocalDateInput())
    date_to = forms.DateField(label=_("To"), widget=LocalDateInput())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = selectors.report_agencies(user=user)

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("The end of the period is before its start."))
        return data


class ConsolidationForm(StyledFormMixin, forms.Form):
    register = forms.ChoiceField(label=REGISTER_LABEL, choices=Register.choices)
    date_from = forms.DateField(label=_("From"), widget=LocalDateInput())
    date_to = forms.DateField(label=_("To"), widget=LocalDateInput())


class ImportForm(StyledFormMixin, forms.Form):
    agency = forms.ModelChoiceField(label=_("Agency"), queryset=Organization.objects.none())
    file = forms.FileField(label=_("CSV or XLSX file"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = selectors.officer_agencies(user=user)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        if upload.size > 10 * 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than 10 MB."))
        return upload


class AttachmentForm(StyledFormMixin, forms.Form):
    file = forms.FileField(label=_("Attachment (PDF, image or Office file)"))
