from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.static import serve
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from core.api.views import ApiRootView
from core.views import healthz

api_v1 = [
    path("", ApiRootView.as_view(), name="root"),
    path("", include("core.api.urls")),
    path("", include("accounts.api.urls")),
    path("", include("documents.api.urls")),
]

urlpatterns = [
    path("", include("core.urls")),
    path("accounts/", include("accounts.urls")),
    path("o/", include("accounts.oidc.urls")),
    path("scim/v2/", include("accounts.hr.scim.urls")),
    path("documents/", include("documents.urls")),
    path("petitions/", include("petitions.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_v1, "api-v1"))),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("healthz", healthz, name="healthz"),
]

if settings.EMBEDDED or settings.DEBUG:
    # Production serves media through the reverse proxy or an object store.
    urlpatterns += [path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT})]

handler403 = "core.views.error_403"
handler404 = "core.views.error_404"
handler500 = "core.views.error_500"
