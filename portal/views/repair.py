"""Pages of IT repair (/portal/repair/, login required): file a ticket, my tickets, a
ticket's page (comments, status, assignment, closing), the team queue, the reports, and
screenshots served only to those who may see the ticket."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.files import file_response
from core.forms import add_service_errors

from .. import assets
from ..forms.repair import AssignForm, CloseForm, CommentForm, ReopenForm, StatusForm, TicketForm
from ..models import TicketStatus
from ..selectors import repair as selectors
from ..services import repair as services

PAGE_SIZE = 25


def _ticket_form(request, data=None, files=None):
    return TicketForm(
        data,
        files,
        categories=selectors.categories(),
        assets=assets.custody_choices(request.user),
    )


@require_http_methods(["GET", "POST"])
def ticket_new(request):
    form = _ticket_form(request, request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            ticket = services.ticket_create(
                actor=request.user,
                category=data["category"],
                priority=data["priority"],
                asset=data["asset"],
                location=data["location"],
                description=data["description"],
                screenshots=data["screenshots"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Ticket %(number)s filed.") % {"number": ticket.number})
            return redirect(ticket)
    return render(
        request,
        "portal/repair/ticket_form.html",
        {"form": form, "is_agent": selectors.is_agent(request.user)},
    )


@require_GET
def my_tickets(request):
    page = Paginator(selectors.my_tickets(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "portal/repair/my_tickets.html",
        {"page": page, "is_agent": selectors.is_agent(request.user)},
    )


@require_GET
def ticket_detail(request, pk: int):
    ticket = selectors.ticket_get(request.user, pk)
    return render(request, "portal/repair/ticket_detail.html", _detail_context(request, ticket))


def _detail_context(request, ticket, **forms):
    user = request.user
    agent = services.is_member(user, ticket.team_id)
    is_requester = ticket.requester_id == user.pk
    teams, people = selectors.teams(), selectors.assignee_choices(ticket.team)
    context = {
        "is_agent": selectors.is_agent(user),
        "ticket": ticket,
        "comments": selectors.comments(ticket),
        "screenshots": list(ticket.screenshots.all()),
        "agent": agent,
        "is_requester": is_requester,
        "can_comment": (agent or is_requester) and ticket.status != TicketStatus.CLOSED,
        "comment_form": forms.get("comment_form") or CommentForm(),
    }
    if agent and ticket.is_open:
        context["status_form"] = forms.get("status_form") or StatusForm()
        context["assign_form"] = forms.get("assign_form") or AssignForm(
            initial={"team": ticket.team_id, "assignee": ticket.assignee_id},
            teams=teams,
            people=people,
        )
    if is_requester and ticket.status == TicketStatus.RESOLVED:
        context["close_form"] = forms.get("close_form") or CloseForm()
        context["reopen_form"] = forms.get("reopen_form") or ReopenForm()
    return context


def _act(request, ticket, form_name, form, call):
    if form.is_valid():
        try:
            call(form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied as exc:
            raise Http404 from exc
        else:
            messages.success(request, _("Saved."))
            return redirect(ticket)
    context = _detail_context(request, ticket, **{form_name: form})
    return render(request, "portal/repair/ticket_detail.html", context, status=400)


@require_POST
def ticket_comment(request, pk: int):
    ticket = selectors.ticket_get(request.user, pk)
    return _act(
        request,
        ticket,
        "comment_form",
        CommentForm(request.POST),
        lambda d: services.ticket_comment_add(ticket=ticket, actor=request.user, body=d["body"]),
    )


@require_POST
def ticket_status(request, pk: int):
    ticket = selectors.ticket_get(request.user, pk)
    return _act(
        request,
        ticket,
        "status_form",
        StatusForm(request.POST),
        lambda d: services.ticket_status_set(
            ticket=ticket, actor=request.user, status=d["status"], note=d["note"]
        ),
    )


@require_POST
def ticket_assign(request, pk: int):
    ticket = selectors.ticket_get(request.user, pk)
    teams = selectors.teams()
    team_id = request.POST.get("team", "")
    team = teams.filter(pk=int(team_id)).first() if team_id.isdigit() else None
    people = selectors.assignee_choices(team or ticket.team)
    return _act(
        request,
        ticket,
        "assign_form",
        AssignForm(request.POST, teams=teams, people=people),
        lambda d: services.ticket_assign(
            ticket=ticket, actor=request.user, assignee=d["assignee"], team=d["team"]
        ),
    )


@require_POST
def ticket_close(request, pk: int):
    ticket = selectors.ticket_get(request.user, pk)
    return _act(
        request,
        ticket,
        "close_form",
        CloseForm(request.POST),
        lambda d: services.ticket_close(
            ticket=ticket, actor=request.user, rating=d["rating"], comment=d["comment"]
        ),
    )


@require_POST
def ticket_reopen(request, pk: int):
    ticket = selectors.ticket_get(request.user, pk)
    return _act(
        request,
        ticket,
        "reopen_form",
        ReopenForm(request.POST),
        lambda d: services.ticket_reopen(ticket=ticket, actor=request.user, reason=d["reason"]),
    )


@require_GET
def screenshot(request, pk: int, shot: int):
    ticket = selectors.ticket_get(request.user, pk)
    item = ticket.screenshots.filter(pk=shot).first()
    if item is None:
        raise Http404
    return file_response(item.file, filename=item.name, content_type=item.content_type, inline=True)


@require_GET
def queue(request):
    if not selectors.is_agent(request.user):
        raise Http404
    page = Paginator(selectors.queue(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "portal/repair/queue.html",
        {"page": page, "teams": selectors.my_teams(request.user), "is_agent": True},
    )


@require_GET
def reports(request):
    if not (selectors.is_agent(request.user) or request.user.is_superuser):
        raise Http404
    return render(
        request,
        "portal/repair/reports.html",
        {
            "by_team": selectors.open_by_team_and_age(request.user),
            "by_month": selectors.sla_by_month(request.user),
            "is_agent": True,
        },
    )
