"""RSS 2.0 and Atom feeds of each newsletter's archive (``django.contrib.syndication``).

The newest published issues, each with its absolute, stable address (the archive's issue page)
as link and id, its publication time and its sanitised HTML. Links are absolute on
``SITE_URL`` when it is set, else on the host the feed was asked from
(``core.http.site_url``). Public: no login (``login_required = False`` on the feed classes).
"""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from .selectors_archive import archive_newsletters, published_issues
from .services.issues import clean_html
from .views.archive import localise, public_root

FEED_ITEMS = 20


class IssuesRssFeed(Feed):
    feed_type = Rss201rev2Feed
    login_required = False  # public (core.middleware.is_public_view)
    route_name = "epaper:feed_rss"

    def get_object(self, request, code: str):
        newsletter = localise(get_object_or_404(archive_newsletters(), code=code))
        # One object per request (the feed instance is shared): the site root goes with it.
        newsletter.feed_root = public_root(request)
        return newsletter

    def _absolute(self, newsletter, path: str) -> str:
        return newsletter.feed_root + path

    def title(self, newsletter):
        return newsletter.name

    def link(self, newsletter):
        return self._absolute(newsletter, reverse("epaper:archive", args=[newsletter.code]))

    def feed_url(self, newsletter):
        return self._absolute(newsletter, reverse(self.route_name, args=[newsletter.code]))

    def description(self, newsletter):
        return newsletter.description or _("Issues of %(name)s") % {"name": newsletter.name}

    def subtitle(self, newsletter):
        return self.description(newsletter)

    def author_name(self, newsletter):
        return newsletter.publisher or None

    def feed_copyright(self, newsletter):
        return newsletter.publisher or None

    def language(self, newsletter):
        return "zh-Hant" if (get_language() or "").startswith("zh") else (get_language() or "en")

    def items(self, newsletter):
        items = list(published_issues(newsletter)[:FEED_ITEMS])
        for item in items:
            item.feed_root = newsletter.feed_root
        return items

    def item_title(self, item):
        return _("No. %(number)s: %(title)s") % {"number": item.number, "title": item.title}

    def item_link(self, item):
        return item.feed_root + reverse("epaper:issue", args=[item.newsletter.code, item.number])

    def item_guid(self, item):
        return self.item_link(item)

    item_guid_is_permalink = True

    def item_description(self, item):
        return clean_html(item.html)

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.published_at


class IssuesAtomFeed(IssuesRssFeed):
    feed_type = Atom1Feed
    route_name = "epaper:feed_atom"
