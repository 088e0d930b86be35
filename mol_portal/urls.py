from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from core.api.views import ApiRootView
from core.public import public_include
from core.views import healthz

api_v1 = [
    path("", ApiRootView.as_view(), name="root"),
    path("", include("core.api.urls")),
    path("", include("accounts.api.urls")),
    path("", include("documents.api.urls")),
    path("", include("notifications.api.urls")),
    path("", include("epaper.api.urls")),
    path("", include("property.api.urls")),
    path("", include("meetings.api.urls")),
    path("", include("portal.api.urls")),
    path("", include("labor_admin.api.urls")),
    path("", include("monitoring.api.urls")),
]

urlpatterns = [
    path("", include("core.urls")),
    path("accounts/", include("accounts.urls")),
    # The OpenID Connect endpoints answer anonymous clients themselves (/o/authorize/ sends
    # them to the login page); every view under /o/ is marked public.
    path("o/", public_include("accounts.oidc.urls")),
    path("scim/v2/", include("accounts.hr.scim.urls")),
    path("documents/", include("documents.urls")),
    path("petitions/", include("petitions.urls")),
    path("notifications/", include("notifications.urls")),
    path("epaper/", include("epaper.urls")),
    path("property/", include("property.urls")),
    path("meetings/", include("meetings.urls")),
    path("portal/", include("portal.urls")),
    path("labor-admin/", include("labor_admin.urls")),
    path("monitoring/", include("monitoring.urls")),
    path("ping/", include("monitoring.urls_ping")),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_v1, "api-v1"))),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("healthz", healthz, name="healthz"),
]

# No /media/ route in any mode: uploaded files are served only by views that check the reader
# (documents:attachment, petitions:staff:attachment), streamed from the storage or handed to
# the reverse proxy's internal location (X-Accel-Redirect).

handler403 = "core.views.error_403"
handler404 = "core.views.error_404"
handler500 = "core.views.error_500"
