"""Marking views public (reachable without a login).

A view is public only when it is marked: ``@login_not_required`` on the view, or, for an
included URL configuration whose every endpoint authenticates on its own terms (the OpenID
Connect provider under ``/o/``), ``public_include`` in ``mol_portal/urls.py``. Every public
route is also listed in ``tests/core/test_public_views.py``, so making one public is a visible
decision. See ``core.middleware.IntranetLoginRequiredMiddleware``.
"""

from django.contrib.auth.decorators import login_not_required
from django.urls import URLPattern, URLResolver, include


def _mark(patterns) -> None:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            _mark(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            login_not_required(pattern.callback)


def public_include(arg, namespace=None):
    """``django.urls.include`` that marks every view of the included URL configuration with
    ``login_not_required``. Only for endpoints that all answer anonymous callers themselves
    (protocol endpoints with their own authentication); a page of the portal is marked on the
    view instead."""
    urlconf_module, app_name, namespace = include(arg, namespace)
    _mark(getattr(urlconf_module, "urlpatterns", urlconf_module))
    return urlconf_module, app_name, namespace
