"""Pages of the monitoring app."""

from django.urls import path

from .views import edit, groups, pages, public, rotas, rules, windows

app_name = "monitoring"

urlpatterns = [
    path("", pages.dashboard, name="dashboard"),
    path("checks/new/", edit.check_create, name="check-create"),
    path("checks/<int:pk>/", pages.check_detail, name="check"),
    path("checks/<int:pk>/edit/", edit.check_edit, name="check-edit"),
    path("checks/<int:pk>/delete/", edit.check_delete, name="check-delete"),
    path("checks/<int:pk>/pause/", pages.check_pause, name="check-pause"),
    path("checks/<int:pk>/resume/", pages.check_resume, name="check-resume"),
    path("incidents/", pages.incident_list, name="incidents"),
    path("incidents/<int:pk>/", pages.incident_detail, name="incident"),
    path("incidents/<int:pk>/acknowledge/", pages.incident_acknowledge, name="incident-ack"),
    path("rules/", rules.rule_list, name="rules"),
    path("rules/new/", rules.rule_create, name="rule-create"),
    path("rules/<int:pk>/", rules.rule_edit, name="rule-edit"),
    path("rules/<int:pk>/delete/", rules.rule_delete, name="rule-delete"),
    path("alert-texts/", rules.template_list, name="templates"),
    path("alert-texts/<slug:code>/", rules.template_edit, name="template-edit"),
    path("maintenance/", windows.window_list, name="windows"),
    path("maintenance/new/", windows.window_create, name="window-create"),
    path("maintenance/<int:pk>/", windows.window_edit, name="window-edit"),
    path("maintenance/<int:pk>/delete/", windows.window_delete, name="window-delete"),
    path("rotas/", rotas.rota_list, name="rotas"),
    path("rotas/new/", rotas.shift_create, name="rota-create"),
    path("rotas/<int:pk>/", rotas.shift_edit, name="rota-edit"),
    path("rotas/<int:pk>/delete/", rotas.shift_delete, name="rota-delete"),
    path("groups/", groups.group_list, name="groups"),
    path("groups/new/", groups.group_create, name="group-create"),
    path("groups/<int:pk>/", groups.group_edit, name="group-edit"),
    path("groups/<int:pk>/delete/", groups.group_delete, name="group-delete"),
    path("ack/<str:token>/", pages.acknowledge_link, name="ack-link"),
    path("database/", pages.database_activity, name="database"),
    path("availability.csv", pages.availability_csv, name="availability-csv"),
    path("availability.pdf", pages.availability_pdf, name="availability-pdf"),
    path("status/<slug:code>/", public.status_page, name="status"),
    path("metrics", public.metrics, name="metrics"),
]
