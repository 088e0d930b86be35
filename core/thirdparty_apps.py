"""Third-party apps as the portal's admin shows them: translated section and model names.

``INSTALLED_APPS`` names these subclasses instead of the packages' own configs. Each keeps its
package's behaviour (same ``name`` and label, same ``ready()``) and only gives the section a
translated ``verbose_name`` and, in ``ready()``, its models translated ``verbose_name`` /
``verbose_name_plural`` (the packages ship none in 正體中文). ``THIRD_PARTY_NAMES`` is the
table; ``tests/core/test_admin_i18n.py`` checks that every app and model the admin shows has a
translated name or one from this table.
"""

from axes.apps import AppConfig as AxesAppConfig
from django.apps import apps
from django.utils.translation import gettext_lazy as _
from django_celery_beat.apps import BeatConfig
from django_otp.plugins.otp_static.apps import DefaultConfig as StaticDefaultConfig
from django_otp.plugins.otp_totp.apps import DefaultConfig as TOTPDefaultConfig
from oauth2_provider.apps import DOTConfig

# app label: {model name: (verbose_name, verbose_name_plural)}
THIRD_PARTY_NAMES = {
    "axes": {
        "accessattempt": (_("failed sign-in record"), _("failed sign-ins and lockouts")),
        "accesslog": (_("sign-in log entry"), _("sign-in log")),
        "accessfailurelog": (_("failed sign-in entry"), _("failed sign-in log")),
    },
    "django_celery_beat": {
        "periodictask": (_("periodic job"), _("periodic jobs")),
        "intervalschedule": (_("interval"), _("intervals")),
        "crontabschedule": (_("crontab"), _("crontabs")),
        "solarschedule": (_("solar event"), _("solar events")),
        "clockedschedule": (_("point in time"), _("points in time")),
    },
    "oauth2_provider": {
        "accesstoken": (_("access token"), _("access tokens")),
        "refreshtoken": (_("refresh token"), _("refresh tokens")),
        "grant": (_("authorization code"), _("authorization codes")),
        "idtoken": (_("ID token"), _("ID tokens")),
    },
    "otp_static": {"staticdevice": (_("backup code set"), _("backup code sets"))},
    "otp_totp": {"totpdevice": (_("authenticator app"), _("authenticator apps"))},
}


def name_models(label: str) -> None:
    """Give the models of ``label`` their names from ``THIRD_PARTY_NAMES``."""
    for model_name, (singular, plural) in THIRD_PARTY_NAMES.get(label, {}).items():
        try:
            model = apps.get_model(label, model_name)
        except LookupError:  # swapped out (e.g. the OAuth2 application model)
            continue
        model._meta.verbose_name = singular
        model._meta.verbose_name_plural = plural


class PortalAxesConfig(AxesAppConfig):
    verbose_name = _("Sign-in lockouts")

    def ready(self):
        super().ready()
        name_models(self.label)


class PortalBeatConfig(BeatConfig):
    verbose_name = _("Periodic jobs")

    def ready(self):
        super().ready()
        name_models(self.label)


class PortalOAuthConfig(DOTConfig):
    verbose_name = _("OAuth2 tokens")

    def ready(self):
        super().ready()
        name_models(self.label)


class PortalOTPStaticConfig(StaticDefaultConfig):
    verbose_name = _("Second factor: backup codes")

    def ready(self):
        super().ready()
        name_models(self.label)


class PortalOTPTOTPConfig(TOTPDefaultConfig):
    verbose_name = _("Second factor: authenticator apps")

    def ready(self):
        super().ready()
        name_models(self.label)
