from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    # Login and its steps (everything under login/ is reachable without a session).
    path("login/", views.LoginView.as_view(), name="login"),
    path("login/verify/", views.login_verify, name="login_verify"),
    path("login/enrol/", views.login_enrol, name="login_enrol"),
    path("login/certificate/", views.login_certificate, name="login_certificate"),
    path("logout/", login_not_required(auth_views.LogoutView.as_view()), name="logout"),
    # Account security.
    path("security/", views.security, name="security"),
    path("two-factor/enrol/", views.two_factor_enrol, name="two_factor_enrol"),
    path("two-factor/backup-codes/", views.backup_codes, name="backup_codes"),
    path("two-factor/disable/", views.two_factor_disable, name="two_factor_disable"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("certificates/", views.certificates, name="certificates"),
    # Launcher.
    path("launcher/", views.launcher, name="launcher"),
    path("launcher/open/<int:pk>/", views.launcher_open, name="launcher_open"),
    path("launcher/links/", views.quick_link_create, name="quick_link_create"),
    path("launcher/links/<int:pk>/delete/", views.quick_link_delete, name="quick_link_delete"),
    path("launcher/links/<int:pk>/move/", views.quick_link_reorder, name="quick_link_move"),
    # My sessions, and (administrators) anyone's.
    path("sessions/", views.sessions, name="sessions"),
    path("sessions/<int:pk>/end/", views.session_end, name="session_end"),
    path("sessions/end-all/", views.sessions_end_all, name="sessions_end_all"),
    path(
        "sessions/tokens/<int:application_id>/revoke/",
        views.tokens_revoke,
        name="tokens_revoke",
    ),
    path("sessions/user/<int:user_id>/", views.sessions, name="user_sessions"),
    path(
        "sessions/user/<int:user_id>/<int:pk>/end/",
        views.session_end,
        name="user_session_end",
    ),
    path(
        "sessions/user/<int:user_id>/end-all/",
        views.sessions_end_all,
        name="user_sessions_end_all",
    ),
    path(
        "sessions/user/<int:user_id>/tokens/<int:application_id>/revoke/",
        views.tokens_revoke,
        name="user_tokens_revoke",
    ),
    # Other parts of the single sign-on add one include line each below.
]
