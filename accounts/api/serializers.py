"""Input and output shapes of the rights API. Outputs are built from plain dicts (see
``rights_of`` below) so one shape serves the list, the detail and the token answer."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.models import Organization

from ..oidc.selectors import RoleGrant


class UnitSerializer(serializers.Serializer):
    code = serializers.CharField()
    name_zh = serializers.CharField()
    name_en = serializers.CharField()


class RoleUnitSerializer(UnitSerializer):
    include_subunits = serializers.BooleanField(
        help_text=_("Whether the role also covers every unit below this one.")
    )


class RoleGrantSerializer(serializers.Serializer):
    code = serializers.CharField(help_text=_("Role code, unique within the application."))
    name_zh = serializers.CharField()
    name_en = serializers.CharField()
    everywhere = serializers.BooleanField(
        help_text=_("True when the role is not limited to some units.")
    )
    units = RoleUnitSerializer(
        many=True,
        help_text=_("Units the role is limited to (with their sub-units unless said otherwise)."),
    )
    sources = serializers.ListField(
        child=serializers.CharField(),
        help_text=_("Where the role comes from: manual, application, directory or hr."),
    )


class UserRightsSerializer(serializers.Serializer):
    sub = serializers.CharField(help_text=_("The person's subject identifier, as in ID tokens."))
    employee_number = serializers.CharField(allow_blank=True)
    username = serializers.CharField()
    name_zh = serializers.CharField(allow_blank=True)
    name_en = serializers.CharField(allow_blank=True)
    email = serializers.CharField(allow_blank=True)
    job_title = serializers.CharField(allow_blank=True)
    unit = UnitSerializer(allow_null=True)
    is_active = serializers.BooleanField()
    admitted = serializers.BooleanField(
        help_text=_("Whether the application's access policy lets this person sign in to it.")
    )
    roles = RoleGrantSerializer(many=True, help_text=_("Roles in the calling application only."))


class TokenInfoInputSerializer(serializers.Serializer):
    token = serializers.CharField(label=_("token"), trim_whitespace=True)
    token_type_hint = serializers.ChoiceField(
        label=_("token type hint"),
        choices=["access_token", "refresh_token"],
        required=False,
    )


class TokenInfoSerializer(serializers.Serializer):
    active = serializers.BooleanField(
        help_text=_(
            "False for an unknown, expired or revoked token, and for any token issued to "
            "another application; nothing else is said then."
        )
    )
    scope = serializers.CharField(required=False)
    client_id = serializers.CharField(required=False)
    token_type = serializers.CharField(required=False)
    exp = serializers.IntegerField(required=False)
    iat = serializers.IntegerField(required=False)
    sub = serializers.CharField(required=False)
    username = serializers.CharField(required=False)
    user = UserRightsSerializer(
        required=False, help_text=_("The person the token was issued for (user tokens only).")
    )


class RoleAssignmentInputSerializer(serializers.Serializer):
    role = serializers.SlugField(
        label=_("role"), help_text=_("Code of a role of this application.")
    )
    unit = serializers.CharField(
        label=_("unit"),
        required=False,
        allow_blank=True,
        help_text=_("Code of the unit (with its sub-units) the role is limited to; empty: all."),
    )
    include_subunits = serializers.BooleanField(
        label=_("including sub-units"),
        required=False,
        default=True,
        help_text=_("False: the role covers the unit itself only, not the units below it."),
    )
    valid_until = serializers.DateField(label=_("valid until"), required=False, allow_null=True)

    def validate_unit(self, value):
        if not value:
            return None
        unit = Organization.objects.filter(code=value).first()
        if unit is None:
            raise serializers.ValidationError(_("There is no unit with this code."))
        return unit


class RoleDefinitionSerializer(serializers.Serializer):
    code = serializers.CharField()
    name_zh = serializers.CharField()
    name_en = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    is_sensitive = serializers.BooleanField(
        help_text=_("Holders must sign in with a second factor.")
    )


class MetricSampleSerializer(serializers.Serializer):
    labels = serializers.DictField(child=serializers.CharField())
    value = serializers.IntegerField()


class MetricSerializer(serializers.Serializer):
    help = serializers.CharField()
    values = MetricSampleSerializer(many=True)


class MetricsSerializer(serializers.Serializer):
    counters = serializers.DictField(child=MetricSerializer())


def unit_data(unit: Organization | None) -> dict | None:
    if unit is None:
        return None
    return {"code": unit.code, "name_zh": unit.name_zh, "name_en": unit.name_en}


def grant_data(grant: RoleGrant) -> dict:
    role = grant.role
    return {
        "code": role.code,
        "name_zh": role.name_zh,
        "name_en": role.name_en,
        "everywhere": grant.unrestricted,
        "units": [
            {**unit_data(u), "include_subunits": grant.includes_subunits(u)}
            for u in grant.scopes
            if u is not None
        ],
        "sources": sorted(grant.sources),
    }


def rights_of(user, *, sub: str, admitted: bool, grants: list[RoleGrant]) -> dict:
    return {
        "sub": sub,
        "employee_number": user.employee_number or "",
        "username": user.get_username(),
        "name_zh": user.name_zh,
        "name_en": user.name_en,
        "email": user.email,
        "job_title": user.job_title,
        "unit": unit_data(user.organization),
        "is_active": user.is_active,
        "admitted": admitted,
        "roles": [grant_data(g) for g in grants],
    }
