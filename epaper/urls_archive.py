"""The public archive (no login; every view marked ``login_not_required``): the newsletters,
each newsletter's published issues with their RSS 2.0 and Atom feeds, each issue's page (the
"view in browser" link of the mail) and the issues' images. The addresses are stable: an
issue is found by its newsletter's code and its number, which never change once given."""

from django.urls import path

from .feeds import IssuesAtomFeed, IssuesRssFeed
from .views import archive

urlpatterns = [
    path("archive/", archive.archive_index, name="archive_index"),
    path("archive/<slug:code>/", archive.archive, name="archive"),
    path("archive/<slug:code>/rss/", IssuesRssFeed(), name="feed_rss"),
    path("archive/<slug:code>/atom/", IssuesAtomFeed(), name="feed_atom"),
    path("archive/<slug:code>/<int:number>/", archive.issue, name="issue"),
    path("assets/<int:pk>/", archive.asset, name="asset"),
]
