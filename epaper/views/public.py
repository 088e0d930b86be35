"""The subscriber's pages under ``/epaper/`` (no login; every view ``login_not_required``).
Thin: parse, call ``services.subscriptions``, render.

The answers never say whether an address is known: subscribing, asking for the link again
and "mail me my link" all end on the same neutral page, and only the mailbox learns more.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from core.csrf import keeps_input_on_csrf_failure, needs_resubmission, resubmission_response
from core.forms import add_service_errors
from core.http import client_ip
from core.mailrequest import mail_request, refusal_status, request_origin

from ..constants import OPT_IN_HOURS, PRIVACY_VERSION
from ..forms import EmailForm, PreferencesForm, SubscribeForm
from ..models import SubscriptionState
from ..selectors import localised
from ..services import links
from ..services.subscriptions import (
    link_request,
    opt_in_confirm,
    opt_in_for_token,
    opt_in_resend,
    preference_choices,
    preferences_update,
    unsubscribe_all,
)
from ..services.subscriptions import (
    subscribe as subscribe_service,
)
from ..services.subscriptions import (
    unsubscribe as unsubscribe_service,
)


def _names(newsletters) -> list[str]:
    return [localised(n, "name") for n in newsletters]


def _joined(names: list[str]) -> str:
    """Names as a list in the page's language (、 between Chinese names)."""
    separator = ", " if (get_language() or "").startswith("en") else "、"
    return separator.join(names) or "-"


def _resend_form(data=None):
    return EmailForm(
        data,
        help_text=_("The address you typed in the subscription form."),
    )


def _my_link_form(data=None):
    return EmailForm(
        data,
        help_text=_("The address that receives the newsletters."),
    )


@keeps_input_on_csrf_failure
@login_not_required
@require_http_methods(["GET", "POST"])
def subscribe(request):
    """The subscription form: the newsletters, the address, consent; a double opt-in."""
    context = {"opt_in_hours": OPT_IN_HOURS, "privacy_version": PRIVACY_VERSION}
    if needs_resubmission(request):
        return resubmission_response(
            request, SubscribeForm(request.POST), "epaper/public/subscribe.html", context
        )
    form = SubscribeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                subscribe_service(
                    email=data["email"],
                    newsletters=list(data["newsletters"]),
                    consent=data["consent"],
                    ip=client_ip(request),
                    source="web",
                    language=get_language(),
                    base_url=request_origin(request)["base_url"],
                    honeypot=data.get("website", ""),
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
                status = refusal_status(exc)
            else:
                return redirect("epaper:subscribed")
    return render(request, "epaper/public/subscribe.html", {**context, "form": form}, status=status)


@login_not_required
@require_http_methods(["GET"])
def subscribed(request):
    """ "Check your mail", with the form that sends the link again."""
    return render(
        request,
        "epaper/public/subscribed.html",
        {"form": _resend_form(), "opt_in_hours": OPT_IN_HOURS},
    )


@keeps_input_on_csrf_failure
@login_not_required
@require_http_methods(["GET", "POST"])
def resend(request):
    """The link again, to the address typed: the same answer whether or not an opt-in of that
    address is waiting. The link sent before stops working."""
    return mail_request(
        request,
        form=_resend_form,
        template="epaper/public/subscribed.html",
        context={"opt_in_hours": OPT_IN_HOURS},
        get_redirects=True,
        send=lambda data, origin: opt_in_resend(email=data["email"], **origin),
        done=_(
            "If a subscription of %(email)s is waiting for confirmation, a new link is "
            "on its way. Links sent before no longer work."
        ),
        success_url="epaper:subscribed",
    )


def _failed(request, message: str, *, status: int = 400, again: bool = True):
    return render(
        request,
        "epaper/public/link_failed.html",
        {"message": message, "again": again},
        status=status,
    )


@never_cache
@login_not_required
@require_http_methods(["GET", "POST"])
def confirm(request, token: str):
    """GET shows the lists and a button (mail scanners follow links; they must not confirm);
    POST confirms them."""
    if request.method == "GET":
        opt_in = opt_in_for_token(token)
        if opt_in is None:
            return _failed(
                request,
                _(
                    "This confirmation link is not valid. Please copy the whole link from the "
                    "e-mail; if you asked for the link again, use the newest e-mail."
                ),
                status=404,
            )
        newsletters = list(opt_in.newsletters.order_by("sort_order", "code"))
        if opt_in.confirmed_at is None and opt_in.expires_at < timezone.now():
            return _failed(
                request,
                _(
                    "This confirmation link has expired (links are valid for %(hours)d hours). "
                    "You can ask for a new link."
                )
                % {"hours": OPT_IN_HOURS},
                status=410,
            )
        if opt_in.confirmed_at is not None:
            return _confirmed(request, opt_in.subscriber, newsletters, already=True)
        return render(
            request,
            "epaper/public/confirm.html",
            {"token": token, "names": _names(newsletters)},
        )
    try:
        result = opt_in_confirm(token=token, language=get_language())
    except ValidationError as exc:
        return _failed(request, exc.messages[0])
    return _confirmed(request, result.subscriber, result.newsletters, already=result.already)


def _confirmed(request, subscriber, newsletters, *, already: bool):
    return render(
        request,
        "epaper/public/confirmed.html",
        {
            "names": _names(newsletters),
            "already": already,
            "preferences_url": reverse(
                "epaper:preferences", args=[links.preferences_token(subscriber)]
            ),
        },
    )


@never_cache
@keeps_input_on_csrf_failure
@login_not_required
@require_http_methods(["GET", "POST"])
def preferences(request, token: str):
    """The signed preferences link of every mail: change the lists or leave them all."""
    subscriber = links.subscriber_for_preferences(token)
    if subscriber is None:
        return _failed(
            request,
            _(
                "This link is not valid: it may be incomplete or changed, or it was replaced "
                "by a newer one. You can have your current link mailed to you."
            ),
            status=404,
            again=False,
        )
    choices = preference_choices(subscriber)
    current = subscriber.subscriptions.filter(
        state__in=[SubscriptionState.CONFIRMED, SubscriptionState.PENDING]
    )
    initial = {
        "newsletters": list(current.values_list("newsletter__code", flat=True)),
        "language": subscriber.language if subscriber.language == "en" else "zh-hant",
    }
    context = {"token": token, "subscriber": subscriber}
    if needs_resubmission(request):
        return resubmission_response(
            request,
            PreferencesForm(request.POST, choices=choices, initial=initial),
            "epaper/public/preferences.html",
            context,
        )
    if request.method == "POST" and "leave_all" in request.POST:
        left = unsubscribe_all(subscriber=subscriber)
        messages.success(
            request,
            _("You have left every newsletter (%(names)s). You can subscribe again any time.")
            % {"names": _joined(_names(left))}
            if left
            else _("You receive no newsletter from us."),
        )
        return redirect("epaper:preferences", token=token)
    form = PreferencesForm(request.POST or None, choices=choices, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                preferences_update(
                    subscriber=subscriber,
                    newsletters=list(form.cleaned_data["newsletters"]),
                    language=form.cleaned_data["language"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Your choice is saved."))
                return redirect("epaper:preferences", token=token)
    return render(
        request, "epaper/public/preferences.html", {**context, "form": form}, status=status
    )


@keeps_input_on_csrf_failure
@login_not_required
@require_http_methods(["GET", "POST"])
def my_link(request):
    """ "Mail me my link": the preferences link again, to a subscribed address; the same
    answer for any address."""
    return mail_request(
        request,
        form=_my_link_form,
        template="epaper/public/my_link.html",
        send=lambda data, origin: link_request(email=data["email"], **origin),
        done=_(
            "If %(email)s receives one of our newsletters, a mail with the link to "
            "its subscription settings is on its way."
        ),
        success_url="epaper:my_link",
    )


# RFC 8058 one-click unsubscribe. A mail client sends ``POST`` with the body
# ``List-Unsubscribe=One-Click`` to the URL of the List-Unsubscribe header, without cookies
# and without anything it could have read from a page: it cannot carry a CSRF token. The URL
# itself is the credential (a signed token naming one address and one newsletter; forging or
# altering it is refused), and all it can do is leave that one newsletter, so the view is
# exempt from the CSRF check, this view only. The GET page's button posts to the same URL.
@csrf_exempt
@never_cache
@login_not_required
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    found = links.subscription_for_unsubscribe(token)
    if found is None:
        if request.method == "POST" and request.POST.get("List-Unsubscribe") == "One-Click":
            return HttpResponse(
                _("This unsubscribe link is not valid."),
                status=404,
                content_type="text/plain; charset=utf-8",
            )
        return _failed(
            request,
            _(
                "This unsubscribe link is not valid: it may be incomplete or changed, or it "
                "was replaced by a newer one. You can have your current link mailed to you."
            ),
            status=404,
            again=False,
        )
    subscriber, newsletter = found
    name = localised(newsletter, "name")
    if request.method == "POST":
        unsubscribe_service(subscriber=subscriber, newsletter=newsletter)
        if request.POST.get("List-Unsubscribe") == "One-Click":
            return HttpResponse(
                _("You have left %(name)s.") % {"name": name},
                content_type="text/plain; charset=utf-8",
            )
        return render(
            request,
            "epaper/public/unsubscribed.html",
            {
                "name": name,
                "preferences_url": reverse(
                    "epaper:preferences", args=[links.preferences_token(subscriber)]
                ),
            },
        )
    subscribed_now = subscriber.subscriptions.filter(
        newsletter=newsletter, state__in=[SubscriptionState.CONFIRMED, SubscriptionState.PENDING]
    ).exists()
    return render(
        request,
        "epaper/public/unsubscribe.html",
        {"token": token, "name": name, "subscribed": subscribed_now},
    )
