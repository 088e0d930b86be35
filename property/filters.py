"""The item list's filters for the API (the page uses ``forms.ItemFilterForm`` with the same
fields): agency and user unit by code, register, classification code, custodian login name,
status."""

import django_filters
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .choices import ItemStatus, Register
from .models import Item

# "Register" is a verb elsewhere (登記); here the noun: the property register.
REGISTER_LABEL = pgettext_lazy("property register", "Register")


class ItemFilter(django_filters.FilterSet):
    agency = django_filters.CharFilter(field_name="agency__code", label=_("Agency code"))
    register = django_filters.ChoiceFilter(choices=Register.choices, label=REGISTER_LABEL)
    classification = django_filters.CharFilter(
        field_name="classification__code", label=_("Classification code")
    )
    custodian = django_filters.CharFilter(
        field_name="custodian__username", label=_("Custodian (login name)")
    )
    status = django_filters.ChoiceFilter(choices=ItemStatus.choices, label=_("Status"))
    user_unit = django_filters.CharFilter(field_name="user_unit__code", label=_("User unit code"))

    class Meta:
        model = Item
        fields = ["agency", "register", "classification", "custodian", "status", "user_unit"]
