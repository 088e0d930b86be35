"""Forms of the monitoring pages: one per action.

Every choice of an object (group, parent checks, contact rules, people, units, checks and
groups of a window) is a queryset from ``selectors`` given by the view, so a posted id that the
page did not offer is refused with the field's own "not one of the choices" error; the services
check the same rule again.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import secrets
import zoneinfo

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.text import LineField
from core.widgets import LocalDateInput

from .choices import CheckKind, Hours, Repeat
from .schedules import cron_validate
from .services.alerts import DEFAULT_TEXTS

#: The kinds a person creates on the page (portal and database checks are made by the portal).
FORM_KINDS = [CheckKind.HTTP, CheckKind.TCP, CheckKind.DNS, CheckKind.HEARTBEAT]
#: Fields of every check.
COMMON_FIELDS = (
    "name",
    "kind",
    "interval_seconds",
    "timeout_seconds",
    "retries",
    "failure_threshold",
    "success_threshold",
)
#: Fields of each kind (the others keep their stored values).
KIND_FIELDS = {
    CheckKind.HTTP: (
        "url",
        "method",
        "expected_status",
        "keyword",
        "json_path",
        "json_value",
        "max_response_ms",
        "verify_tls",
        "tls_warning_days",
    ),
    CheckKind.TCP: ("host", "port"),
    CheckKind.DNS: ("host", "dns_expected"),
    CheckKind.HEARTBEAT: ("period_seconds", "grace_seconds", "cron", "time_zone", "expected_pings"),
}
METHODS = ["GET", "HEAD", "POST", "PUT", "OPTIONS"]
STATUS_RE = re.compile(r"^\s*\d{3}(\s*-\s*\d{3})?(\s*,\s*\d{3}(\s*-\s*\d{3})?)*\s*$")
HOST_RE = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9.\-:]*[A-Za-z0-9])?$")
JSON_PATH_RE = re.compile(r"^\$?(\.[^.\[\]\s]+|\[\d+\])+$")
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


@functools.cache
def _time_zones() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(zoneinfo.available_timezones())]


def new_token() -> str:
    return secrets.token_urlsafe(24)


class OnceFormMixin:
    """A hidden one-time token: the same form sent twice creates one object."""

    def add_token(self):
        self.fields["form_token"] = forms.CharField(
            widget=forms.HiddenInput, required=False, initial=new_token
        )

    def clean_form_token(self) -> str:
        value = self.cleaned_data.get("form_token") or ""
        return value if TOKEN_RE.match(value) else ""


class AcknowledgeForm(forms.Form):
    """Acknowledging needs nothing but the POST itself (CSRF-protected)."""


class IncidentFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[
            ("", _("All")),
            ("open", _("Open")),
            ("acknowledged", _("Acknowledged")),
            ("resolved", _("Resolved")),
        ],
    )


class ConfirmForm(forms.Form):
    """A delete needs nothing but the POST itself (CSRF-protected)."""


class CheckForm(OnceFormMixin, forms.Form):
    name = LineField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=[(k.value, k.label) for k in FORM_KINDS])
    group = forms.ModelChoiceField(label=_("Application group"), queryset=None)
    interval_seconds = forms.IntegerField(
        label=_("Interval (seconds)"),
        min_value=10,
        max_value=86400,
        initial=60,
        help_text=_("How often the check runs (HTTP, TCP, DNS)."),
    )
    timeout_seconds = forms.FloatField(
        label=_("Timeout (seconds)"), min_value=0.1, max_value=60, initial=10
    )
    retries = forms.IntegerField(
        label=_("Retries"),
        min_value=0,
        max_value=5,
        initial=0,
        help_text=_("Extra attempts within one run before it counts as a failure."),
    )
    failure_threshold = forms.IntegerField(
        label=_("Failures before down"), min_value=1, max_value=100, initial=2
    )
    success_threshold = forms.IntegerField(
        label=_("Successes before up"), min_value=1, max_value=100, initial=1
    )
    depends_on = forms.ModelMultipleChoiceField(
        label=_("Depends on"),
        queryset=None,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("While one of these is down, this check's alerts are suppressed."),
    )
    contact_rules = forms.ModelMultipleChoiceField(
        label=_("Contact rules"),
        queryset=None,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 4}),
        help_text=_("Empty: the group's rules."),
    )
    # HTTP
    url = forms.URLField(label=_("URL"), max_length=500, required=False, assume_scheme="https")
    method = forms.ChoiceField(
        label=_("Method"), choices=[(m, m) for m in METHODS], initial="GET", required=False
    )
    expected_status = forms.CharField(
        label=_("Expected status"),
        max_length=100,
        initial="200-399",
        required=False,
        help_text=_("E.g. 200,204-299"),
    )
    keyword = LineField(label=_("Keyword in the answer"), max_length=200, required=False)
    json_path = forms.CharField(
        label=_("JSON path"), max_length=200, required=False, help_text=_("E.g. $.status")
    )
    json_value = LineField(label=_("Expected JSON value"), max_length=200, required=False)
    max_response_ms = forms.IntegerField(
        label=_("Response-time limit (ms)"), min_value=1, max_value=600000, required=False
    )
    verify_tls = forms.BooleanField(
        label=_("Verify the TLS certificate"), required=False, initial=True
    )
    tls_warning_days = forms.IntegerField(
        label=_("Certificate expiry warning (days)"),
        min_value=0,
        max_value=365,
        initial=14,
        required=False,
    )
    # TCP and DNS
    host = forms.CharField(label=_("Host"), max_length=255, required=False)
    port = forms.IntegerField(label=_("Port"), min_value=1, max_value=65535, required=False)
    dns_expected = forms.GenericIPAddressField(
        label=_("Expected address"), required=False, help_text=_("Empty: any address.")
    )
    # Heartbeat
    period_seconds = forms.IntegerField(
        label=_("Period (seconds)"),
        min_value=60,
        max_value=31 * 86400,
        initial=86400,
        required=False,
        help_text=_("Used when there is no cron expression."),
    )
    grace_seconds = forms.IntegerField(
        label=_("Grace (seconds)"), min_value=0, max_value=7 * 86400, initial=3600, required=False
    )
    cron = forms.CharField(
        label=_("Cron expression"),
        max_length=100,
        required=False,
        help_text=_("E.g. 0 2 * * * (every day at 02:00); empty: the period."),
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"), choices=_time_zones, initial="Asia/Taipei", required=False
    )
    expected_pings = forms.IntegerField(
        label=_("Pings expected per period"), min_value=1, max_value=1000, initial=1, required=False
    )

    #: Fields shown in each fieldset of the page: (legend, kind or "", fields).
    FIELDSETS = (
        (_("The check"), "", ("name", "kind", "group")),
        (_("HTTP(S) checks only"), CheckKind.HTTP, KIND_FIELDS[CheckKind.HTTP]),
        (_("TCP and DNS checks only"), "host", ("host", "port", "dns_expected")),
        (_("Heartbeats only"), CheckKind.HEARTBEAT, KIND_FIELDS[CheckKind.HEARTBEAT]),
        (
            _("Schedule and alerts"),
            "",
            (
                "interval_seconds",
                "timeout_seconds",
                "retries",
                "failure_threshold",
                "success_threshold",
                "depends_on",
                "contact_rules",
            ),
        ),
    )

    def __init__(self, *args, groups, parents, rules, check=None, **kwargs):
        if check is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_of(check)
        super().__init__(*args, **kwargs)
        self.check = check
        self.fields["group"].queryset = groups
        self.fields["depends_on"].queryset = parents
        self.fields["contact_rules"].queryset = rules
        if check is not None and check.kind not in FORM_KINDS:
            # A portal or database check (made by the portal): its kind stays.
            self.fields["kind"].choices = [(check.kind, check.get_kind_display())]
        if check is None:
            self.add_token()

    @classmethod
    def initial_of(cls, check) -> dict:
        fields = set(COMMON_FIELDS).union(*KIND_FIELDS.values())
        initial = {name: getattr(check, name) for name in fields}
        initial["group"] = check.group_id
        initial["depends_on"] = list(check.depends_on.values_list("pk", flat=True))
        initial["contact_rules"] = list(check.contact_rules.values_list("pk", flat=True))
        return initial

    def fieldsets(self):
        for legend, kind, names in self.FIELDSETS:
            yield legend, kind, [self[name] for name in names]

    def clean_expected_status(self):
        value = (self.cleaned_data.get("expected_status") or "").strip()
        if value and not STATUS_RE.match(value):
            raise ValidationError(
                _("Enter status codes and ranges separated by commas, e.g. 200,204-299.")
            )
        return value.replace(" ", "")

    def clean_json_path(self):
        value = (self.cleaned_data.get("json_path") or "").strip()
        if value and not JSON_PATH_RE.match(value):
            raise ValidationError(_("Enter a path such as $.status or $.items[0].state."))
        return value

    def clean_host(self):
        value = (self.cleaned_data.get("host") or "").strip()
        if value and not HOST_RE.match(value):
            raise ValidationError(_("Enter a host name or an IP address, without a scheme."))
        return value

    def clean_cron(self):
        return " ".join((self.cleaned_data.get("cron") or "").split())

    def clean(self):
        data = super().clean()
        kind = data.get("kind") or (self.check.kind if self.check else "")
        required = {
            CheckKind.HTTP: {"url": _("An HTTP check needs a URL.")},
            CheckKind.TCP: {
                "host": _("A TCP check needs a host and a port."),
                "port": _("A TCP check needs a host and a port."),
            },
            CheckKind.DNS: {"host": _("A DNS check needs a host name.")},
        }.get(kind, {})
        for name, message in required.items():
            if name not in self.errors and data.get(name) in (None, ""):
                self.add_error(name, message)
        if kind == CheckKind.HEARTBEAT:
            for name in ("period_seconds", "grace_seconds", "time_zone", "expected_pings"):
                if name not in self.errors and data.get(name) in (None, ""):
                    self.add_error(name, _("This field is required."))
            if data.get("cron") and "cron" not in self.errors:
                try:
                    cron_validate(data["cron"], data.get("time_zone") or "Asia/Taipei")
                except ValidationError as exc:
                    self.add_error("cron", exc)
        if kind == CheckKind.HTTP:
            for name in ("method", "expected_status", "tls_warning_days"):
                if name not in self.errors and data.get(name) in (None, ""):
                    self.add_error(name, _("This field is required."))
        timeout, interval = data.get("timeout_seconds"), data.get("interval_seconds")
        if timeout and interval and timeout >= interval:
            self.add_error("timeout_seconds", _("The timeout must be shorter than the interval."))
        return data

    def service_fields(self) -> dict:
        """The check's own fields for ``check_create``/``check_update``: the common ones and
        those of its kind."""
        data = self.cleaned_data
        kind = data["kind"]
        names = [*COMMON_FIELDS, *KIND_FIELDS.get(kind, ())]
        return {name: data[name] for name in names}


class ContactRuleForm(OnceFormMixin, forms.Form):
    name = LineField(label=_("Name"), max_length=200)
    hours = forms.ChoiceField(
        label=_("Applies"),
        choices=Hours.choices,
        initial=Hours.ALWAYS,
        help_text=_(
            "Office hours: working days between the office start and end hours; the rule of an "
            "incident is the first whose hours cover its opening."
        ),
    )
    repeat = forms.IntegerField(
        label=_("Repeats"),
        min_value=0,
        max_value=10,
        initial=0,
        help_text=_("How many more times the steps run unacknowledged."),
    )

    def __init__(self, *args, creating: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if creating:
            self.add_token()


class EscalationStepForm(forms.Form):
    wait_minutes = forms.IntegerField(
        label=_("Wait (minutes)"),
        min_value=0,
        max_value=7 * 24 * 60,
        initial=0,
        help_text=_("After the previous step (or the opening)."),
    )
    users = forms.ModelMultipleChoiceField(
        label=_("People"),
        queryset=None,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 5}),
    )
    units = forms.ModelMultipleChoiceField(
        label=_("Units (head and deputies)"),
        queryset=None,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 5}),
    )
    role = forms.CharField(
        label=_("Role"),
        max_length=100,
        required=False,
        help_text=_("Code of a portal role, e.g. monitoring.operator: its holders."),
    )
    rota = forms.SlugField(label=_("On-call rota"), max_length=50, required=False)
    email = forms.BooleanField(label=_("E-mail"), required=False, initial=True)
    sms = forms.BooleanField(label=_("SMS"), required=False)
    webhook_url = forms.URLField(
        label=_("Webhook URL"), max_length=200, required=False, assume_scheme="https"
    )

    def __init__(self, *args, people=None, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["users"].queryset = people
        self.fields["units"].queryset = units

    def step(self) -> dict:
        data = self.cleaned_data
        return {
            "wait_minutes": data["wait_minutes"],
            "users": list(data["users"]),
            "units": list(data["units"]),
            "role": data["role"].strip(),
            "rota": data["rota"],
            "email": data["email"],
            "sms": data["sms"],
            "webhook_url": data["webhook_url"],
        }


class BaseStepFormSet(forms.BaseFormSet):
    def __init__(self, *args, people, units, **kwargs):
        self.people, self.units = people, units
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "people": self.people, "units": self.units}

    @property
    def empty_form(self):
        form = self.form(
            auto_id=self.auto_id,
            prefix=self.add_prefix("__prefix__"),
            empty_permitted=True,
            use_required_attribute=False,
            people=self.people,
            units=self.units,
            renderer=self.renderer,
        )
        self.add_fields(form, None)
        return form

    def kept_forms(self) -> list[EscalationStepForm]:
        """The rows that become steps, in order: every existing row not marked for deletion,
        and each new row that was filled in."""
        initial = self.initial_form_count()
        return [
            form
            for index, form in enumerate(self.forms)
            if (index < initial or form.has_changed()) and not self._should_delete_form(form)
        ]

    def steps(self) -> list[dict]:
        return [form.step() for form in self.kept_forms()]


StepFormSet = forms.formset_factory(
    EscalationStepForm,
    formset=BaseStepFormSet,
    extra=1,
    can_delete=True,
    max_num=20,
    validate_max=True,
    absolute_max=40,
)


def step_initial(rule) -> list[dict]:
    return [
        {
            "wait_minutes": step.wait_minutes,
            "users": [u.pk for u in step.users.all()],
            "units": [u.pk for u in step.units.all()],
            "role": step.role,
            "rota": step.rota,
            "email": step.email,
            "sms": step.sms,
            "webhook_url": step.webhook_url,
        }
        for step in rule.steps.order_by("order").prefetch_related("users", "units")
    ]


class AlertTemplateForm(forms.Form):
    subject_zh = forms.CharField(label=_("Subject (Chinese)"), max_length=300)
    subject_en = forms.CharField(label=_("Subject (English)"), max_length=300)
    body_zh = forms.CharField(
        label=_("Text (Chinese)"), max_length=5000, widget=forms.Textarea(attrs={"rows": 6})
    )
    body_en = forms.CharField(
        label=_("Text (English)"), max_length=5000, widget=forms.Textarea(attrs={"rows": 6})
    )
    sms_zh = forms.CharField(label=_("SMS (Chinese)"), max_length=300)
    sms_en = forms.CharField(label=_("SMS (English)"), max_length=300)

    FIELDS = tuple(next(iter(DEFAULT_TEXTS.values())))


class DateTimePartsMixin:
    """A moment typed as ``<prefix>_date`` and ``<prefix>_time`` (the portal's time zone)."""

    def _combine(self, prefix: str) -> dt.datetime | None:
        day = self.cleaned_data.get(f"{prefix}_date")
        time = self.cleaned_data.get(f"{prefix}_time")
        if day is None or time is None:
            return None
        return timezone.make_aware(dt.datetime.combine(day, time))

    @staticmethod
    def _parts(prefix: str, moment: dt.datetime) -> dict:
        local = timezone.localtime(moment)
        return {
            f"{prefix}_date": local.date(),
            f"{prefix}_time": local.time().replace(second=0, microsecond=0),
        }


class WindowForm(DateTimePartsMixin, OnceFormMixin, forms.Form):
    title = LineField(label=_("Title"), max_length=200)
    starts_date = forms.DateField(label=_("Start date"), widget=LocalDateInput)
    starts_time = forms.TimeField(label=_("Start time"), help_text=_("For example 14:00."))
    ends_date = forms.DateField(label=_("End date"), widget=LocalDateInput)
    ends_time = forms.TimeField(label=_("End time"), help_text=_("For example 16:00."))
    repeat = forms.ChoiceField(label=_("Repeats"), choices=Repeat.choices, initial=Repeat.NONE)
    repeat_until = forms.DateField(label=_("Repeats until"), required=False, widget=LocalDateInput)
    groups = forms.ModelMultipleChoiceField(
        label=_("Application groups"),
        queryset=None,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 5}),
        help_text=_("Every check of these groups."),
    )
    checks = forms.ModelMultipleChoiceField(
        label=_("Checks"),
        queryset=None,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )

    def __init__(self, *args, groups, checks, window=None, **kwargs):
        if window is not None and "initial" not in kwargs:
            starts = timezone.localtime(window.starts_at)
            ends = timezone.localtime(window.ends_at)
            kwargs["initial"] = {
                "title": window.title,
                "starts_date": starts.date(),
                "starts_time": starts.time().replace(second=0, microsecond=0),
                "ends_date": ends.date(),
                "ends_time": ends.time().replace(second=0, microsecond=0),
                "repeat": window.repeat,
                "repeat_until": window.repeat_until,
                "groups": list(window.groups.values_list("pk", flat=True)),
                "checks": list(window.checks.values_list("pk", flat=True)),
            }
        super().__init__(*args, **kwargs)
        self.fields["groups"].queryset = groups
        self.fields["checks"].queryset = checks
        if window is None:
            self.add_token()

    def clean(self):
        data = super().clean()
        starts, ends = self._combine("starts"), self._combine("ends")
        if starts and ends and ends <= starts:
            self.add_error("ends_time", _("The end must be after the start."))
        if not data.get("groups") and not data.get("checks") and "checks" not in self.errors:
            self.add_error("checks", _("Choose the checks or groups the window covers."))
        return data

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "starts_at": self._combine("starts"),
            "ends_at": self._combine("ends"),
            "repeat": data["repeat"],
            "repeat_until": data["repeat_until"],
            "groups": list(data["groups"]),
            "checks": list(data["checks"]),
        }


class ShiftForm(DateTimePartsMixin, OnceFormMixin, forms.Form):
    """One on-call shift; ``people`` is ``selectors.people_choices``."""

    rota = forms.SlugField(
        label=_("Rota"),
        max_length=50,
        help_text=_(
            "A short code of letters, digits and hyphens, for example network-night. "
            "A contact rule's step names it."
        ),
    )
    user = forms.ModelChoiceField(label=_("Person"), queryset=None)
    starts_date = forms.DateField(label=_("Start date"), widget=LocalDateInput)
    starts_time = forms.TimeField(label=_("Start time"), help_text=_("For example 08:00."))
    ends_date = forms.DateField(label=_("End date"), widget=LocalDateInput)
    ends_time = forms.TimeField(label=_("End time"), help_text=_("For example 18:00."))

    def __init__(self, *args, people, shift=None, **kwargs):
        if shift is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "rota": shift.rota,
                "user": shift.user_id,
                **self._parts("starts", shift.starts_at),
                **self._parts("ends", shift.ends_at),
            }
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = people
        if shift is None:
            self.add_token()

    def clean(self):
        data = super().clean()
        starts, ends = self._combine("starts"), self._combine("ends")
        if starts and ends and ends <= starts:
            self.add_error("ends_time", _("The end must be after the start."))
        return data

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "rota": data["rota"],
            "user": data["user"],
            "starts_at": self._combine("starts"),
            "ends_at": self._combine("ends"),
        }


class GroupForm(OnceFormMixin, forms.Form):
    """One application group; ``units`` is ``selectors.group_unit_choices`` and ``rules``
    ``selectors.contact_rule_choices``."""

    code = forms.SlugField(
        label=_("Code"),
        max_length=50,
        help_text=_("Letters, digits and hyphens; the address of the status page."),
    )
    name_zh = LineField(label=_("Name (Chinese)"), max_length=200)
    name_en = LineField(label=_("Name (English)"), max_length=200, required=False)
    unit = forms.ModelChoiceField(
        label=_("Unit"),
        queryset=None,
        required=False,
        empty_label=_("None (the portal's own: managers of every unit only)"),
        help_text=_("The operators and managers of this unit see and change the group's checks."),
    )
    public = forms.BooleanField(
        label=_("Public status page"), required=False, help_text=_("Shown without a login.")
    )
    order = forms.IntegerField(
        label=_("Order"),
        min_value=0,
        max_value=32767,
        initial=100,
        help_text=_("Groups are listed by this number, then by code."),
    )
    contact_rules = forms.ModelMultipleChoiceField(
        label=_("Contact rules"),
        queryset=None,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 5}),
        help_text=_("Used for the group's checks that have no contact rule of their own."),
    )

    def __init__(self, *args, units, rules, group=None, **kwargs):
        if group is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "code": group.code,
                "name_zh": group.name_zh,
                "name_en": group.name_en,
                "unit": group.unit_id,
                "public": group.public,
                "order": group.order,
                "contact_rules": list(group.contact_rules.values_list("pk", flat=True)),
            }
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["contact_rules"].queryset = rules
        if group is None:
            self.add_token()

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "code": data["code"],
            "name_zh": data["name_zh"],
            "name_en": data["name_en"],
            "unit": data["unit"],
            "public": data["public"],
            "order": data["order"],
            "contact_rules": list(data["contact_rules"]),
        }
