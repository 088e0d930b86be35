from django.urls import path

from . import views

app_name = "scim"

urlpatterns = [
    path("Users", views.users, name="users"),
    path("Users/<str:user_id>", views.user_detail, name="user"),
    path("ServiceProviderConfig", views.service_provider_config, name="config"),
    path("Schemas", views.schemas, name="schemas"),
    path("Schemas/<str:schema_id>", views.schema_detail, name="schema"),
    path("ResourceTypes", views.resource_types, name="resource_types"),
    path("ResourceTypes/<str:type_id>", views.resource_type_detail, name="resource_type"),
]
