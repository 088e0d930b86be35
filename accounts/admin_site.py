"""The portal's admin site: Django's admin, signed in to through the portal's own login.

``PortalAdminSite`` is the default admin site (``accounts.apps.PortalAdminConfig`` sets
``default_site``, and replaces ``django.contrib.admin`` in ``INSTALLED_APPS``), so every app's
``@admin.register`` lands here. Administrators sign in on the portal's login page, with its
lockout and the second factor the policy requires, and come back to the admin; Django admin's
own login form (which has neither) is never shown.

This module sits beside ``accounts/admin/`` rather than inside it: the default site is
imported while admin modules register, and a site inside the package that registers with it
would be imported (and built) twice.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache


class PortalAdminSite(admin.AdminSite):
    site_header = _("Ministry of Labor · MOL Portal administration")
    site_title = _("MOL Portal administration")

    def get_urls(self):
        return [
            path(
                "security-report/",
                self.admin_view(self.security_report_view),
                name="security_report",
            ),
            *super().get_urls(),
        ]

    def security_report_view(self, request):
        """The security checklist (``accounts.security_report``), for superusers only."""
        if not request.user.is_superuser:
            raise PermissionDenied
        from .security_report import security_report  # noqa: PLC0415 - models load first

        report = security_report()
        return TemplateResponse(
            request,
            "admin/security_report.html",
            {
                **self.each_context(request),
                "title": _("Security report"),
                "report": report,
                "summary": report.summary,
            },
        )

    @method_decorator(never_cache)
    @method_decorator(login_not_required)
    def login(self, request, extra_context=None):
        """Send the administrator to the portal's login and back to ``next`` (else the admin
        index). A signed-in user who may not use the admin gets 403, not a login loop."""
        if request.user.is_authenticated:
            raise PermissionDenied
        return redirect_to_login(
            request.GET.get("next") or reverse("admin:index"),
            login_url=reverse("accounts:login"),
        )
