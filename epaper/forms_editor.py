"""Forms of the editors' pages. Thin: they parse what was typed; ``services.issues`` and
``services.assets`` decide (and sanitise)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.text import LineField
from core.widgets import LocalDateInput

from .services.issues import MAX_HTML_CHARS


class IssueForm(forms.Form):
    title = LineField(
        label=_("Title"),
        max_length=200,
        help_text=_("The mail's subject and the issue's title in the archive."),
    )
    html = forms.CharField(
        label=_("Content (HTML)"),
        required=False,
        max_length=MAX_HTML_CHARS,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 24, "spellcheck": "true", "class": "epaper-html"}),
        help_text=_(
            "Headings, paragraphs, links (http, https or mailto), images (from this issue's "
            "images or an https address), lists, tables, bold, italics, quotations, lines and "
            "line breaks. Anything else (scripts, styles, forms) is removed when you save. "
            "The plain-text part of the mail is made from it."
        ),
    )


class ScheduleForm(forms.Form):
    day = forms.DateField(label=_("Send on"), widget=LocalDateInput())
    time = forms.TimeField(
        label=_("At (24-hour clock)"),
        input_formats=["%H:%M"],
        widget=forms.TimeInput(
            format="%H:%M", attrs={"inputmode": "numeric", "autocomplete": "off"}
        ),
        help_text=_("HH:MM, Taiwan time (for example 09:30)."),
    )

    def at(self) -> dt.datetime:
        """The chosen moment, in the site's time zone (Asia/Taipei)."""
        moment = dt.datetime.combine(self.cleaned_data["day"], self.cleaned_data["time"])
        return timezone.make_aware(moment, timezone.get_default_timezone())

    @classmethod
    def suggested_initial(cls, scheduled_at=None) -> dict:
        """The issue's time, or the next full hour."""
        if scheduled_at is not None:
            moment = timezone.localtime(scheduled_at)
        else:
            moment = timezone.localtime() + dt.timedelta(hours=1)
            moment = moment.replace(minute=0, second=0, microsecond=0)
        return {"day": moment.date(), "time": moment.time().replace(second=0, microsecond=0)}


class AssetForm(forms.Form):
    file = forms.FileField(
        label=_("Image"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/gif"}),
    )
    name = LineField(
        label=_("Description (alternative text)"),
        max_length=200,
        required=False,
        help_text=_("What the image shows, for readers who cannot see it."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("PNG, JPEG or GIF, at most %(limit)s.") % {
            "limit": filesizeformat(settings.EPAPER_MAX_IMAGE_BYTES)
        }
