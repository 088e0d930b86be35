"""The subscriber's pages (no login; every view marked ``login_not_required``): subscribe with
a double opt-in, "check your mail" with the link sent again, confirm, the signed preferences
page, "mail me my link" and the RFC 8058 one-click unsubscribe."""

from django.urls import path

from .views import public

urlpatterns = [
    path("", public.subscribe, name="subscribe"),
    path("subscribed/", public.subscribed, name="subscribed"),
    path("subscribed/resend/", public.resend, name="resend"),
    path("confirm/<str:token>/", public.confirm, name="confirm"),
    path("preferences/<str:token>/", public.preferences, name="preferences"),
    path("my-link/", public.my_link, name="my_link"),
    path("unsubscribe/<str:token>/", public.unsubscribe, name="unsubscribe"),
]
