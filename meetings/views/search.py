from __future__ import annotations

from django.shortcuts import render

from .. import selectors
from ..forms import SearchForm
from ..models import MeetingSeries


def search(request):
    form = SearchForm(request.GET or None, series_choices=MeetingSeries.objects.all())
    hits = None
    if form.is_valid() and form.cleaned_data["q"]:
        data = form.cleaned_data
        hits = selectors.search(
            request.user,
            data["q"],
            unit=data["unit"],
            series=data["series"],
            date_from=data["date_from"],
            date_to=data["date_to"],
        )
    return render(request, "meetings/search.html", {"form": form, "hits": hits})
