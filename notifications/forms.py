"""Forms of the inbox pages. Every posted id is checked against the person's own notices."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .choices import Channel, NoticeKind, NoticeState
from .selectors import notices_of

STATE_FILTERS = [
    ("open", _("Open (unread and read)")),
    (NoticeState.UNREAD, _("Unread")),
    (NoticeState.DONE, _("Done")),
    (NoticeState.EXPIRED, _("Expired")),
    ("all", _("All")),
]


class InboxFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("Show"), choices=STATE_FILTERS, required=False)
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("Every kind")), *NoticeKind.choices], required=False
    )
    source = forms.ChoiceField(label=_("From"), required=False)
    q = forms.CharField(label=_("Contains"), required=False, max_length=100)

    def __init__(self, *args, sources=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = [("", _("Every source")), *[(s, s) for s in sources]]


class BulkForm(forms.Form):
    """Mark several notices at once; only the person's own notices are valid choices."""

    ACTIONS = [
        (NoticeState.READ, _("Mark read")),
        (NoticeState.UNREAD, _("Mark unread")),
        (NoticeState.DONE, _("Mark done")),
    ]
    action = forms.ChoiceField(label=_("Action"), choices=ACTIONS)
    notices = forms.ModelMultipleChoiceField(label=_("Notices"), queryset=None)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["notices"].queryset = notices_of(user)


class MarkForm(forms.Form):
    action = forms.ChoiceField(choices=BulkForm.ACTIONS)


CHANNEL_CHOICES = [(Channel.EMAIL, _("E-mail")), (Channel.SMS, _("SMS"))]


class PreferenceForm(forms.Form):
    language = forms.ChoiceField(label=_("Language of notices"), choices=settings.LANGUAGES)
    information = forms.MultipleChoiceField(
        label=_("Information, besides the inbox"),
        choices=CHANNEL_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    todo = forms.MultipleChoiceField(
        label=_("To-dos, besides the inbox"),
        choices=CHANNEL_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    daily_digest = forms.BooleanField(
        label=_("Information notices in one e-mail a day"), required=False
    )
    quiet_hours = forms.BooleanField(
        label=_("Hold e-mail and SMS during quiet hours (alerts are never held)"), required=False
    )
    quiet_start = forms.TimeField(
        label=_("Quiet from"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    quiet_end = forms.TimeField(
        label=_("Quiet until"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )


class FeedTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name of the device"), max_length=100, help_text=_("For example: office PC.")
    )
