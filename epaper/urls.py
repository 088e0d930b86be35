"""Pages of the e-paper app under ``/epaper/``.

Public (no login, each view marked ``login_not_required``): subscription, confirmation,
preferences, "mail me my link", one-click unsubscribe (``urls_public``), and the archive with
its feeds (``urls_archive``). Staff (login): subscribers (``manage/``) and the editors' pages
(``editor/``).
"""

from django.urls import include, path

app_name = "epaper"

urlpatterns = [
    path("", include("epaper.urls_public")),
    path("", include("epaper.urls_archive")),
    path("manage/", include("epaper.urls_manage")),
    path("editor/", include("epaper.urls_editor")),
]
