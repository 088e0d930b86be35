"""Contact rules with their escalation steps (one form and a formset of steps), and the alert
texts in both languages; monitoring managers only (``selectors.is_manager``), everyone else
gets 403. An invalid form answers 400 with every row as typed."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from core.forms import add_service_errors

from .. import selectors
from ..forms import AlertTemplateForm, ConfirmForm, ContactRuleForm, StepFormSet, step_initial
from ..models import ContactRule
from ..services import checks, rules
from ..services.alerts import DEFAULT_TEXTS
from .managed import require_manager
from .pages import _page

STEPS_PREFIX = "steps"


@require_GET
def rule_list(request):
    require_manager(request)
    found = selectors.rules_visible_to(request.user).prefetch_related("steps", "groups")
    return _page(request, "monitoring/rule_list.html", {"rules": found})


def _put_step_errors(form, formset, exc: ValidationError) -> None:
    """A service error named ``steps-<i>-<field>`` goes to that row's field."""
    rest = {}
    for name, errors in exc.error_dict.items():
        parts = name.split("-", 2)
        if len(parts) == 3 and parts[0] == STEPS_PREFIX and parts[1].isdigit():
            index, field = int(parts[1]), parts[2]
            rows = formset.kept_forms()
            if index < len(rows) and field in rows[index].fields:
                for error in errors:
                    rows[index].add_error(field, error)
                continue
        if name == "steps":
            formset._non_form_errors = formset.error_class(
                [*formset.non_form_errors(), *[m for e in errors for m in e.messages]]
            )
            continue
        rest[name] = errors
    if rest:
        add_service_errors(form, ValidationError(rest))


def _rule_page(request, rule: ContactRule | None):
    require_manager(request)
    posted = request.POST if request.method == "POST" else None
    form = ContactRuleForm(
        posted,
        creating=rule is None,
        initial={"name": rule.name, "hours": rule.hours, "repeat": rule.repeat} if rule else None,
    )
    formset = StepFormSet(
        posted,
        prefix=STEPS_PREFIX,
        initial=step_initial(rule) if rule else None,
        people=selectors.people_choices(),
        units=selectors.unit_choices(),
    )
    if request.method == "POST":
        form_ok, steps_ok = form.is_valid(), formset.is_valid()
        if form_ok and steps_ok:
            data = form.cleaned_data
            token = data.get("form_token")
            try:
                saved = rules.contact_rule_save(
                    actor=request.user,
                    rule=rule,
                    name=data["name"],
                    hours=data["hours"],
                    repeat=data["repeat"],
                    steps=formset.steps(),
                    creation_key=checks.creation_key(request.user, token) if token else None,
                )
            except ValidationError as exc:
                _put_step_errors(form, formset, exc)
            else:
                messages.success(request, _("The contact rule is saved."))
                return redirect("monitoring:rule-edit", saved.pk)
    return _page(
        request,
        "monitoring/rule_form.html",
        {"form": form, "formset": formset, "rule": rule},
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "POST"])
def rule_create(request):
    return _rule_page(request, None)


@require_http_methods(["GET", "POST"])
def rule_edit(request, pk: int):
    require_manager(request)
    return _rule_page(request, get_object_or_404(selectors.rules_visible_to(request.user), pk=pk))


@require_http_methods(["GET", "POST"])
def rule_delete(request, pk: int):
    require_manager(request)
    rule = get_object_or_404(selectors.rules_visible_to(request.user), pk=pk)
    form = ConfirmForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        rules.contact_rule_delete(actor=request.user, rule=rule)
        messages.success(request, _("The contact rule is deleted."))
        return redirect("monitoring:rules")
    return _page(
        request,
        "monitoring/confirm_delete.html",
        {
            "form": form,
            "section": "rules",
            "title": _("Delete the contact rule %(name)s") % {"name": rule.name},
            "text": _(
                "The rule and its steps are deleted; checks and groups that used it keep their "
                "other rules, and open incidents stop escalating by it."
            ),
            "button": _("Delete the rule"),
            "cancel_url": reverse("monitoring:rule-edit", args=[rule.pk]),
        },
    )


@require_GET
def template_list(request):
    require_manager(request)
    stored = {t.code: t for t in selectors.templates_visible_to(request.user)}
    return _page(
        request,
        "monitoring/template_list.html",
        {"codes": [(code, stored.get(code)) for code in DEFAULT_TEXTS]},
    )


@require_http_methods(["GET", "POST"])
def template_edit(request, code: str):
    require_manager(request)
    if code not in DEFAULT_TEXTS:
        raise Http404
    stored = selectors.templates_visible_to(request.user).filter(code=code).first()
    initial = (
        {name: getattr(stored, name) for name in DEFAULT_TEXTS[code]}
        if stored
        else dict(DEFAULT_TEXTS[code])
    )
    form = AlertTemplateForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            rules.alert_template_save(actor=request.user, code=code, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The alert texts are saved."))
            return redirect("monitoring:templates")
    return _page(
        request,
        "monitoring/template_form.html",
        {"form": form, "code": code, "stored": stored},
        status=400 if request.method == "POST" else 200,
    )
