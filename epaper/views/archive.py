"""The public archive (no login): newsletters, their published issues, each issue's page and
the issues' images. Thin: read through ``selectors_archive``, render.

An issue's page shows its sanitised HTML (``services.issues.page_html``: cleaned again at
rendering, headings one level down under the page's ``h1``) inside the public layout. The
page's Content-Security-Policy also allows https images, as an issue may show one from
another https site; nothing else is loosened (no inline scripts or styles).
"""

from __future__ import annotations

from csp.decorators import csp_exempt, csp_update
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import get_language
from django.views.decorators.http import require_safe

from core.files import file_response
from core.http import site_url

from ..models import IssueAsset, Newsletter
from ..selectors_archive import (
    archive_newsletters,
    asset_readable,
    published_issue,
    published_issues,
)
from ..services.issues import page_html

ARCHIVE_PAGE_SIZE = 20
#: The image directive of an issue page: our own images and https images of other sites.
ISSUE_CSP = {"img-src": ["https:"]}


def localise(newsletter: Newsletter) -> Newsletter:
    """``newsletter`` with ``name``, ``description``, ``publisher`` and ``frequency`` in the
    page's language (English falls back to Chinese where no English text is given)."""
    english = not (get_language() or "").lower().startswith("zh")
    for field in ("name", "description", "publisher", "frequency"):
        chinese = getattr(newsletter, f"{field}_zh")
        value = (getattr(newsletter, f"{field}_en") or chinese) if english else chinese
        setattr(newsletter, field, value)
    return newsletter


def public_root(request) -> str:
    """The site root for absolute links of the archive (feeds, canonical addresses):
    ``SITE_URL`` when set, else the host the page was asked from (``core.http.site_url``)."""
    return site_url(settings.SITE_URL or request.build_absolute_uri("/"))


def subscribe_url() -> str:
    """The subscription page's address, or "" while it is not there."""
    try:
        return reverse("epaper:subscribe")
    except NoReverseMatch:
        return ""


def _newsletter(code: str) -> Newsletter:
    return localise(get_object_or_404(archive_newsletters(), code=code))


@login_not_required
@require_safe
def archive_index(request):
    newsletters = [localise(n) for n in archive_newsletters()]
    latest = {}
    for issue in published_issues().order_by("newsletter_id", "-published_at", "-number"):
        latest.setdefault(issue.newsletter_id, issue)
    rows = [(newsletter, latest.get(newsletter.pk)) for newsletter in newsletters]
    return render(
        request,
        "epaper/archive/index.html",
        {"rows": rows, "subscribe_url": subscribe_url()},
    )


@login_not_required
@require_safe
def archive(request, code: str):
    newsletter = _newsletter(code)
    page = Paginator(published_issues(newsletter), ARCHIVE_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "epaper/archive/newsletter.html",
        {"newsletter": newsletter, "page": page, "subscribe_url": subscribe_url()},
    )


@login_not_required
@csp_update(ISSUE_CSP)
@require_safe
def issue(request, code: str, number: int):
    newsletter = _newsletter(code)
    found = published_issue(newsletter=newsletter, number=number)
    if found is None:
        raise Http404
    issues = published_issues(newsletter)
    older = issues.filter(published_at__lt=found.published_at).first()
    newer = issues.filter(published_at__gt=found.published_at).order_by("published_at").first()
    return render(
        request,
        "epaper/archive/issue.html",
        {
            "newsletter": newsletter,
            "issue": found,
            "content": page_html(found.html),
            "canonical_url": public_root(request) + found.get_absolute_url(),
            "older": older,
            "newer": newer,
            "subscribe_url": subscribe_url(),
        },
    )


@login_not_required
@csp_exempt()
@require_safe
def asset(request, pk: int):
    """An image of an issue: public once the issue is published, else only to its editors
    (404 to anyone else). Served inline with its checked type, ``nosniff`` and a policy
    that runs nothing, so the file can never act as a page of the portal."""
    found = get_object_or_404(IssueAsset.objects.select_related("issue__newsletter"), pk=pk)
    if not asset_readable(found, request.user):
        raise Http404
    published = found.issue.published_at is not None
    response = file_response(
        found.file,
        filename=found.name,
        content_type=found.content_type,
        inline=True,
        cache_control="public, max-age=86400" if published else "private, no-store",
    )
    # Mail readers and other sites show the image of a published issue.
    response["Cross-Origin-Resource-Policy"] = "cross-origin" if published else "same-origin"
    return response
