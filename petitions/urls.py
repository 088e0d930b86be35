from django.urls import include, path

from .views import public

app_name = "petitions"

urlpatterns = [
    path("", public.submit, name="submit"),
    path("submitted/", public.submitted, name="submitted"),
    path("submitted/resend/", public.confirmation_resend, name="confirmation_resend"),
    path("confirm/<str:token>/", public.confirm, name="confirm"),
    path("progress/", public.progress, name="progress"),
    path("progress/new-code/", public.query_code_resend, name="query_code_resend"),
    path("case/<str:case_number>/", public.case, name="case"),
    path("case/<str:case_number>/survey/", public.case_survey, name="case_survey"),
    path("survey/<str:token>/", public.survey_by_token, name="survey"),
    path("statistics/", public.statistics, name="statistics"),
    path("statistics.csv", public.statistics_csv, name="statistics_csv"),
    path("staff/", include("petitions.staff_urls")),
]
