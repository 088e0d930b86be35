from django.urls import path

from . import views

app_name = "scim"

urlpatterns = [
    path("Users", views.users, name="users"),
    path("Users/<str:user_id>", views.user_detail, name="user"),
    path("ServiceProviderConfig", views.service_provider_config, name="config"),
]
