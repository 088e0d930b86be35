from django.urls import path

from . import views

app_name = "core"

urlpatterns = [
    path("", views.public_home, name="public_home"),
    path("public/accessibility/", views.accessibility, name="accessibility"),
    path("public/privacy/", views.privacy, name="privacy"),
    path("intranet/", views.intranet_home, name="intranet_home"),
]
