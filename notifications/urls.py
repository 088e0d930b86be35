from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("badge/", views.badge, name="badge"),
    path("preferences/", views.preferences, name="preferences"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("<int:pk>/", views.notice_open, name="open"),
    path("<int:pk>/mark/", views.notice_mark, name="mark"),
    # Machine endpoints: they authenticate themselves (marked login_not_required).
    path("feed/", views.feed, name="feed"),
    path("sms/mitake/<str:token>/", views.mitake_report, name="mitake_report"),
]
