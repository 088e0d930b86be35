"""The rights API: what other systems ask the portal about people and *their own* roles.

Every endpoint works on the calling application only: it is known from the credentials, never
from a parameter, so no request can name, read or change another application's roles.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, renderers, serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.pagination import StandardPagination
from core.models import Organization

from ..models import User
from ..oidc import metrics
from ..oidc.selectors import (
    admitted_users,
    application_members,
    application_roles,
    ensure_subjects,
    role_holders,
    roles_from_prefetch,
    subject_for_user,
    token_introspection,
    user_by_key,
    user_may_use,
    user_roles_in_application,
    with_roles_in_application,
)
from ..oidc.services import role_assign, role_remove
from .authentication import ClientCredentialsAuthentication, MetricsTokenAuthentication
from .permissions import IsApplicationAdministrator, IsApplicationClient, IsMonitoring, caller_of
from .serializers import (
    MetricsSerializer,
    RoleAssignmentInputSerializer,
    RoleDefinitionSerializer,
    TokenInfoInputSerializer,
    TokenInfoSerializer,
    UserRightsSerializer,
    rights_of,
)

KEY_PARAMETER = OpenApiParameter(
    "key",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    description="The person's subject identifier (sub, a UUID) or employee number.",
)


class SSOClientAPIView(APIView):
    authentication_classes = [ClientCredentialsAuthentication]
    permission_classes = [IsApplicationClient]

    @property
    def application(self):
        return caller_of(self.request).application

    def user_or_404(self, key):
        user = user_by_key(key)
        if user is None:
            raise Http404
        return user

    def rights(self, user) -> dict:
        return rights_of(
            user,
            sub=subject_for_user(user),
            admitted=user_may_use(user, self.application),
            grants=user_roles_in_application(user, self.application),
        )


def _query_flag(request, name: str) -> bool:
    """A boolean query parameter: ``1``, ``true`` or ``yes`` (any case) is on."""
    return request.query_params.get(name, "").lower() in ("1", "true", "yes")


def _drf_error(exc: DjangoValidationError) -> serializers.ValidationError:
    if hasattr(exc, "message_dict"):
        return serializers.ValidationError(exc.message_dict)
    return serializers.ValidationError(exc.messages)


@extend_schema(tags=["sso"])
class TokenInfoView(SSOClientAPIView):
    """Who is this token: RFC 7662 introspection of a token issued to the calling application,
    plus, for a user token, the person and their roles in the calling application."""

    @extend_schema(
        request=TokenInfoInputSerializer,
        responses={200: TokenInfoSerializer},
        summary="Who is this token",
    )
    def post(self, request):
        data_in = TokenInfoInputSerializer(data=request.data)
        data_in.is_valid(raise_exception=True)
        data, user_id = token_introspection(
            self.application,
            data_in.validated_data["token"],
            data_in.validated_data.get("token_type_hint", ""),
        )
        metrics.increment("sso_introspections_total", active=str(data["active"]).lower())
        if data["active"] and user_id is not None:
            user = User.objects.select_related("organization", "oidc_subject").get(pk=user_id)
            data["user"] = self.rights(user)
        return Response(TokenInfoSerializer(data).data)


@extend_schema(tags=["sso"])
class ApplicationUserListView(SSOClientAPIView, generics.GenericAPIView):
    """Users and roles of the calling application, for provisioning: everyone holding one of its
    roles (assigned or through a directory group), or with ``admitted=true`` everyone its
    access policy lets in. Ordered by username, paginated."""

    pagination_class = StandardPagination
    filter_backends = []

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "admitted",
                OpenApiTypes.BOOL,
                description="List everyone the access policy admits instead of role holders.",
            ),
            OpenApiParameter("role", OpenApiTypes.STR, description="Only holders of this role."),
            OpenApiParameter(
                "include_inactive",
                OpenApiTypes.BOOL,
                description="Include deactivated accounts (to de-provision them).",
            ),
        ],
        responses={200: UserRightsSerializer(many=True)},
        summary="Users and roles of my application",
    )
    def get(self, request):
        application = self.application
        admitted_only = _query_flag(request, "admitted")
        if admitted_only:
            users = admitted_users(application)
        else:
            users = application_members(application)
            if not _query_flag(request, "include_inactive"):
                users = users.filter(is_active=True)
        role = request.query_params.get("role", "").strip()
        if role:
            users = users.filter(role_holders(application, role))
        users = with_roles_in_application(users.order_by("username", "pk"), application)
        page = self.paginate_queryset(users)
        ensure_subjects(page)
        admitted_ids = (
            {u.pk for u in page}
            if admitted_only
            else set(
                admitted_users(application)
                .filter(pk__in=[u.pk for u in page])
                .values_list("pk", flat=True)
            )
        )
        rows = [
            rights_of(
                user,
                sub=user._oidc_sub,
                admitted=user.pk in admitted_ids,
                grants=roles_from_prefetch(user, application),
            )
            for user in page
        ]
        return self.get_paginated_response(UserRightsSerializer(rows, many=True).data)


@extend_schema(tags=["sso"])
class UserRightsView(SSOClientAPIView):
    """What may user X do in my application: the person, whether the access policy admits them,
    and their roles in the calling application with the units each is limited to."""

    @extend_schema(
        parameters=[KEY_PARAMETER],
        responses={200: UserRightsSerializer},
        summary="What may this user do in my application",
    )
    def get(self, request, key):
        user = self.user_or_404(key)
        return Response(UserRightsSerializer(self.rights(user)).data)


@extend_schema(tags=["sso"])
class UserRoleAssignView(SSOClientAPIView):
    """Give a person a role of the calling application (optionally limited to a unit and its
    sub-units, optionally until a date). Only the application's administrators; audited."""

    permission_classes = [IsApplicationAdministrator]

    @extend_schema(
        parameters=[KEY_PARAMETER],
        request=RoleAssignmentInputSerializer,
        responses={
            201: OpenApiResponse(UserRightsSerializer, description="Role given."),
            200: OpenApiResponse(UserRightsSerializer, description="Held already; end date set."),
        },
        summary="Assign a role in my application",
    )
    def post(self, request, key):
        user = self.user_or_404(key)
        data_in = RoleAssignmentInputSerializer(data=request.data)
        data_in.is_valid(raise_exception=True)
        caller = caller_of(request)
        try:
            _assignment, created = role_assign(
                application=self.application,
                user=user,
                role_code=data_in.validated_data["role"],
                scope=data_in.validated_data.get("unit"),
                valid_until=data_in.validated_data.get("valid_until"),
                include_subunits=data_in.validated_data.get("include_subunits", True),
                by=caller.user,
                client=self.application,
            )
        except DjangoValidationError as exc:
            raise _drf_error(exc) from exc
        return Response(
            UserRightsSerializer(self.rights(user)).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


@extend_schema(tags=["sso"])
class UserRoleRemoveView(SSOClientAPIView):
    """Take a role of the calling application away from a person: the assignment limited to
    ``unit``, or without ``unit`` every assignment of the role. Roles from the HR feed or a
    directory group cannot be removed here. Only the application's administrators; audited."""

    permission_classes = [IsApplicationAdministrator]

    @extend_schema(
        parameters=[
            KEY_PARAMETER,
            OpenApiParameter("role", OpenApiTypes.STR, OpenApiParameter.PATH),
            OpenApiParameter(
                "unit", OpenApiTypes.STR, description="Only the assignment limited to this unit."
            ),
        ],
        responses={204: None},
        summary="Remove a role in my application",
    )
    def delete(self, request, key, role):
        user = self.user_or_404(key)
        unit_code = request.query_params.get("unit", "").strip()
        scope = None
        if unit_code:
            scope = Organization.objects.filter(code=unit_code).first()
            if scope is None:
                raise serializers.ValidationError({"unit": [_("There is no unit with this code.")]})
        caller = caller_of(request)
        try:
            removed = role_remove(
                application=self.application,
                user=user,
                role_code=role,
                scope=scope,
                any_scope=not unit_code,
                by=caller.user,
                client=self.application,
            )
        except DjangoValidationError as exc:
            raise _drf_error(exc) from exc
        if not removed:
            raise Http404
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["sso"])
class ApplicationRoleListView(SSOClientAPIView, generics.GenericAPIView):
    """The roles defined for the calling application."""

    pagination_class = StandardPagination
    filter_backends = []

    @extend_schema(responses={200: RoleDefinitionSerializer(many=True)}, summary="My roles")
    def get(self, request):
        page = self.paginate_queryset(application_roles(self.application))
        return self.get_paginated_response(RoleDefinitionSerializer(page, many=True).data)


class PrometheusRenderer(renderers.BaseRenderer):
    media_type = "text/plain"
    format = "prometheus"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        response = (renderer_context or {}).get("response")
        if response is not None and response.status_code != 200:
            return f"{data}\n"
        return metrics.prometheus_text(data["counters"])


@extend_schema(tags=["sso"])
class MetricsView(APIView):
    """Counters of logins, token grants, introspections, consents, policy refusals,
    back-channel logouts and role changes, for monitoring. JSON, or the Prometheus text format
    with ``?format=prometheus`` or ``Accept: text/plain``."""

    authentication_classes = [MetricsTokenAuthentication, SessionAuthentication]
    permission_classes = [IsMonitoring]
    renderer_classes = [renderers.JSONRenderer, PrometheusRenderer]

    @extend_schema(
        responses={
            (200, "application/json"): MetricsSerializer,
            (200, "text/plain"): OpenApiTypes.STR,
        },
        summary="Single sign-on counters",
    )
    def get(self, request):
        return Response({"counters": metrics.snapshot()})
