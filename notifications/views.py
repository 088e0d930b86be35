"""Pages and endpoints of the inbox. Login required (the project fails closed) except the
desktop-agent feed and the SMS delivery report, which authenticate themselves.

Live badge: ``badge`` answers ``{"unread", "latest", "new": [...], "poll"}``. The project
runs under WSGI (gunicorn sync workers), so there is no server-sent-events stream for the
page: the badge script polls, and ``NOTIFICATIONS_LONGPOLL_SECONDS`` > 0 turns the poll into a
long-poll (held while nothing changes) for deployments with threaded or async workers.
"""

from __future__ import annotations

import json
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import (
    Http404,
    HttpResponse,
    HttpResponseBadRequest,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.crypto import constant_time_compare
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from accounts.oidc.selectors import access_token_by_value

from . import selectors, services
from .choices import NoticeKind, NoticeState
from .constants import SCOPE_FEED
from .forms import BulkForm, FeedTokenForm, InboxFilterForm, MarkForm, PreferenceForm
from .models import FeedToken
from .services.notices import absolute
from .services.preferences import DEFAULT_CHANNELS, default_quiet
from .sms import mitake

PAGE_SIZE = 25


def _notice_json(notice) -> dict:
    return {
        "id": notice.pk,
        "kind": notice.kind,
        "title": notice.title,
        "body": notice.body,
        "link": absolute(notice.link),
        "source": notice.source,
        "priority": notice.priority,
        "state": notice.state,
        "due": notice.due.isoformat() if notice.due else None,
        "created_at": notice.created_at.isoformat(),
    }


def inbox(request):
    """The person's notices with filters, one-click read/done and bulk actions."""
    user = request.user
    if request.method == "POST":
        form = BulkForm(request.POST, user=user)
        if form.is_valid():
            ids = [n.pk for n in form.cleaned_data["notices"]]
            count = services.notices_mark(actor=user, ids=ids, state=form.cleaned_data["action"])
            messages.success(request, _("%(count)s notice(s) updated.") % {"count": count})
        else:
            messages.error(request, _("Choose at least one notice and an action."))
        return redirect(request.get_full_path())
    filters = InboxFilterForm(request.GET or None, sources=selectors.sources_of(user))
    data = filters.cleaned_data if filters.is_valid() else {}
    rows = selectors.inbox(
        user,
        state=data.get("state") or "open",
        kind=data.get("kind") or "",
        source=data.get("source") or "",
        q=data.get("q") or "",
    ).select_related(None)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "notifications/inbox.html",
        {
            "filter_form": filters,
            "page": page,
            "query": query.urlencode(),
            "bulk_actions": BulkForm.ACTIONS,
            "badge": selectors.badge(user),
        },
    )


@require_POST
def notice_mark(request, pk: int):
    notice = get_object_or_404(selectors.notices_of(request.user), pk=pk)
    form = MarkForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest()
    services.notices_mark(actor=request.user, ids=[notice.pk], state=form.cleaned_data["action"])
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        back = "notifications:inbox"
    return redirect(back)


@require_GET
def notice_open(request, pk: int):
    """Open a notice: it becomes read and the person goes to the item."""
    notice = get_object_or_404(selectors.notices_of(request.user), pk=pk)
    services.notice_open(actor=request.user, notice=notice)
    link = notice.link
    local = link.startswith("/") and not link.startswith("//")
    if local or link.startswith(("https://", "http://")):
        return redirect(link)
    return redirect("notifications:inbox")


@never_cache
@require_GET
def badge(request):
    """The header badge. ``latest`` (the newest id the page knows) and ``unread``: the
    answer is held up to ``NOTIFICATIONS_LONGPOLL_SECONDS`` while both are unchanged."""
    try:
        known_latest = int(request.GET.get("latest", "0") or 0)
        known_unread = int(request.GET.get("unread", "-1") or -1)
    except ValueError:
        return HttpResponseBadRequest()
    hold = settings.NOTIFICATIONS_LONGPOLL_SECONDS if request.GET.get("wait") else 0
    deadline = time.monotonic() + hold
    state = selectors.badge(request.user)
    while (
        hold
        and state["latest"] == known_latest
        and state["unread"] == known_unread
        and time.monotonic() < deadline
    ):
        time.sleep(1)
        state = selectors.badge(request.user)
    new = []
    if "latest" in request.GET and state["latest"] > known_latest:
        new = [
            _notice_json(n)
            for n in selectors.notices_since(request.user, known_latest, limit=5)
            if n.state == NoticeState.UNREAD
        ]
    return JsonResponse(
        {**state, "new": new, "poll": settings.NOTIFICATIONS_POLL_SECONDS, "url": "/notifications/"}
    )


def preferences(request):
    pref = services.preference_for(request.user)
    start, end = default_quiet()
    initial = {
        "language": pref.language,
        "information": (pref.channels or {}).get("information", DEFAULT_CHANNELS["information"]),
        "todo": (pref.channels or {}).get("todo", DEFAULT_CHANNELS["todo"]),
        "daily_digest": pref.daily_digest,
        "quiet_hours": pref.quiet_hours,
        "quiet_start": pref.quiet_start or start,
        "quiet_end": pref.quiet_end or end,
    }
    form = PreferenceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.preference_update(
                user=request.user,
                actor=request.user,
                language=data["language"],
                channels={"information": data["information"], "todo": data["todo"]},
                quiet_hours=data["quiet_hours"],
                quiet_start=data["quiet_start"],
                quiet_end=data["quiet_end"],
                daily_digest=data["daily_digest"],
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Your notification settings are saved."))
            return redirect("notifications:preferences")
    return render(
        request,
        "notifications/preferences.html",
        {
            "form": form,
            "alert_kind": NoticeKind.ALERT.label,
            "has_mobile": bool(request.user.mobile),
        },
    )


def tokens(request):
    """Personal feed tokens for desktop notifiers: list, create (shown once), revoke."""
    form = FeedTokenForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        _token, created = services.feed_token_create(
            user=request.user, actor=request.user, name=form.cleaned_data["name"]
        )
        form = FeedTokenForm()
    rows = FeedToken.objects.filter(user=request.user)
    return render(
        request,
        "notifications/tokens.html",
        {
            "form": form,
            "tokens": rows,
            "created": created,
            "feed_url": request.build_absolute_uri("/notifications/feed/"),
        },
    )


@require_POST
def token_revoke(request, pk: int):
    token = get_object_or_404(FeedToken, pk=pk, user=request.user)
    services.feed_token_revoke(token=token, actor=request.user)
    messages.success(request, _("The token is revoked."))
    return redirect("notifications:tokens")


# --- Machine endpoints (public: they authenticate themselves) ---------------------------------


def _feed_user(request):
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _sp, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    value = value.strip()
    user = services.feed_user_for_token(value)
    if user is not None:
        return user
    token = access_token_by_value(value)
    if (
        token is None
        or token.user_id is None
        or token.is_expired()
        or not token.user.is_active
        or SCOPE_FEED not in (token.scope or "").split()
    ):
        return None
    return token.user


def _unauthorised() -> JsonResponse:
    response = JsonResponse(
        {
            "error": {
                "status": 401,
                "code": "not_authenticated",
                "message": _("A personal feed token or an SSO access token is required."),
                "fields": {},
            }
        },
        status=401,
    )
    response["WWW-Authenticate"] = 'Bearer realm="notifications"'
    return response


@login_not_required
@never_cache
@require_GET
def feed(request):
    """The desktop-agent feed (see README "Desktop agent feed"): JSON, or a server-sent
    events burst with ``Accept: text/event-stream`` that ends with a ``retry`` hint, so an
    ``EventSource`` reconnects with ``Last-Event-ID``."""
    user = _feed_user(request)
    if user is None:
        return _unauthorised()
    raw_since = request.GET.get("since") or request.META.get("HTTP_LAST_EVENT_ID") or "0"
    try:
        since = max(0, int(raw_since))
    except ValueError:
        return HttpResponseBadRequest()
    notices = selectors.notices_since(user, since, limit=100)
    state = selectors.badge(user)
    poll = settings.NOTIFICATIONS_POLL_SECONDS
    wants_stream = "text/event-stream" in request.META.get("HTTP_ACCEPT", "") or (
        request.GET.get("format") == "sse"
    )
    if not wants_stream:
        return JsonResponse(
            {
                "unread": state["unread"],
                "notices": [_notice_json(n) for n in notices],
                "next_since": notices[-1].pk if notices else since,
                "poll_seconds": poll,
            }
        )

    def events():
        yield f"retry: {poll * 1000}\n\n"
        for notice in notices:
            payload = json.dumps(_notice_json(notice), ensure_ascii=False)
            yield f"id: {notice.pk}\nevent: notice\ndata: {payload}\n\n"
        yield f"event: unread\ndata: {json.dumps({'unread': state['unread']})}\n\n"

    response = StreamingHttpResponse(events(), content_type="text/event-stream; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response


@login_not_required
@never_cache
@require_GET
def mitake_report(request, token: str):
    """Mitake's delivery-report callback (the ``response`` URL given with each SMS):
    ``msgid``, ``statuscode``, ``statusstr``. The URL carries ``NOTIFICATIONS_SMS_REPORT_TOKEN``."""
    expected = settings.NOTIFICATIONS_SMS_REPORT_TOKEN
    if not expected or not constant_time_compare(token, expected):
        raise Http404
    msgid = request.GET.get("msgid", "")
    code = request.GET.get("statuscode", "")
    if code in mitake.REPORT_DELIVERED:
        delivered = True
    elif code in mitake.REPORT_FAILED:
        delivered = False
    else:
        delivered = None
    status = f"{code} {request.GET.get('statusstr', '')}".strip()
    services.sms_report(provider_id=msgid, status=status, delivered=delivered)
    return HttpResponse(
        f"magicid=sms_gateway_rpack\nmsgid={msgid}\n", content_type="text/plain; charset=utf-8"
    )
