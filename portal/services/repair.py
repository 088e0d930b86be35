"""Writes of IT repair (電腦報修). Every service takes ``actor=`` and checks it:

- ``ticket_create``: any active member of staff, for themselves; the asset must be one they
  hold (``portal.assets``), the category picks the team, the priority's SLA the due time;
- ``ticket_assign``: a member of the ticket's team hands it to a member of a team (the same
  or another: reassignment moves the ticket to that team's queue);
- ``ticket_status_set``: a member of the ticket's team starts or resolves it (the requester is
  told of each change);
- ``ticket_close``: the requester closes a resolved ticket with a satisfaction rating (1–5),
  or reopens it (``ticket_reopen``);
- ``ticket_comment_add``: the requester or a member of the team; the other side is told.

State changes are conditional updates (a ticket changed meanwhile is refused, not overwritten).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import File
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from core.dates import roc_year
from core.sequences import next_value
from core.services import audit_record
from core.text import clean_line, strip_bidi_controls
from notifications.choices import NoticeKind
from notifications.services import notify

from .. import assets
from ..models import (
    ITTeam,
    RepairCategory,
    RepairSla,
    Ticket,
    TicketComment,
    TicketPriority,
    TicketScreenshot,
    TicketStatus,
)
from ..sla import add_working_hours
from .files import display_name, files_check, stored_name

LANGUAGES = ("zh-hant", "en")
DEFAULT_SLA_HOURS = {"low": 40, "normal": 16, "high": 8, "urgent": 4}


def _active(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def is_member(user, team_id) -> bool:
    if not _active(user):
        return False
    return ITTeam.members.through.objects.filter(user_id=user.pk, itteam_id=team_id).exists()


def _texts(title, body, params):
    titles, bodies = {}, {}
    for language in LANGUAGES:
        with translation.override(language):
            titles[language] = str(title) % params
            bodies[language] = str(body) % params
    return titles, bodies


def _tell(recipients, ticket, title, body, **params):
    people = [p for p in recipients if p is not None and p.is_active]
    if not people:
        return
    params = {"number": ticket.number, **params}
    titles, bodies = _texts(title, body, params)
    notify(
        recipients=people,
        kind=NoticeKind.INFORMATION,
        obj=ticket,
        title=titles,
        body=bodies,
        link=ticket.get_absolute_url(),
        source="portal",
    )


def sla_hours(priority: str) -> int:
    row = RepairSla.objects.filter(priority=priority).first()
    return row.resolve_hours if row else DEFAULT_SLA_HOURS[priority]


def _text(value, *, field: str, max_length: int, multiline: bool = False) -> str:
    text = strip_bidi_controls(str(value or "")).strip() if multiline else clean_line(value)
    if not text:
        raise ValidationError({field: _("This field is required.")})
    if len(text) > max_length:
        raise ValidationError(
            {
                field: _("At most %(max)d characters (now %(count)d).")
                % {"max": max_length, "count": len(text)}
            }
        )
    return text


@transaction.atomic
def ticket_create(
    *,
    actor,
    category: RepairCategory,
    location: str,
    description: str,
    priority: str = TicketPriority.NORMAL,
    asset=None,
    screenshots=(),
) -> Ticket:
    if not _active(actor):
        raise PermissionDenied(_("Sign in to report a problem."))
    if category is None or not category.is_active or not category.team.is_active:
        raise ValidationError({"category": _("Choose one of the categories offered.")})
    if priority not in TicketPriority.values:
        raise ValidationError({"priority": _("Choose one of the priorities offered.")})
    item = None
    if asset not in (None, ""):
        item = assets.custody_get(actor, getattr(asset, "pk", asset))
        if item is None:
            raise ValidationError({"asset": _("Choose one of the assets you hold.")})
    location = _text(location, field="location", max_length=200)
    description = _text(description, field="description", max_length=5000, multiline=True)
    checked = files_check(screenshots, field="screenshots", images_only=True)
    now = timezone.now()
    year = roc_year(timezone.localdate())
    serial = next_value(scope="portal:repair", year=year)
    ticket = Ticket(
        number=f"R{year}-{serial:05d}",
        requester=actor,
        unit=getattr(actor, "organization", None),
        category=category,
        team=category.team,
        asset=item,
        asset_label=assets.label(item) if item is not None else "",
        location=location,
        priority=priority,
        description=description,
        due_at=add_working_hours(now, sla_hours(priority)),
    )
    ticket.full_clean()
    ticket.save()
    for upload, result in checked:
        shot = TicketScreenshot(
            ticket=ticket,
            name=display_name(result),
            content_type=result.content_type,
            size=result.size,
            sha256=result.sha256,
        )
        upload.seek(0)
        shot.file.save(stored_name(result), File(upload), save=False)
        shot.save()
    _tell(
        list(category.team.members.all()),
        ticket,
        _("New repair ticket %(number)s"),
        _("%(number)s: %(category)s at %(location)s."),
        category=category.name,
        location=location,
    )
    return ticket


def _lock(ticket: Ticket) -> Ticket:
    return Ticket.objects.select_for_update().select_related("requester", "team").get(pk=ticket.pk)


@transaction.atomic
def ticket_assign(*, ticket: Ticket, actor, assignee, team: ITTeam | None = None) -> Ticket:
    """Hand ``ticket`` to ``assignee``, a member of ``team`` (default: the ticket's team)."""
    locked = _lock(ticket)
    if not is_member(actor, locked.team_id):
        raise PermissionDenied(_("Only the ticket's IT team may assign it."))
    if not locked.is_open:
        raise ValidationError(_("Only an open ticket can be assigned."))
    team = team or locked.team
    if not team.is_active:
        raise ValidationError({"team": _("Choose one of the teams offered.")})
    if assignee is None or not is_member(assignee, team.pk):
        raise ValidationError({"assignee": _("Choose a member of the team.")})
    moved = team.pk != locked.team_id
    locked.team = team
    locked.assignee = assignee
    locked.save(update_fields=["team", "assignee", "updated_at"])
    audit_record(
        action="update",
        obj=locked,
        actor=actor,
        message=f"assigned to {assignee.username} ({team.code})",
    )
    if assignee.pk != actor.pk:
        _tell(
            [assignee],
            locked,
            _("Repair ticket %(number)s assigned to you"),
            _("%(number)s at %(location)s is yours now."),
            location=locked.location,
        )
    if moved:
        _tell(
            [locked.requester],
            locked,
            _("Repair ticket %(number)s: new team"),
            _("%(number)s is now handled by %(team)s."),
            team=team.name,
        )
    return locked


TRANSITIONS = {
    TicketStatus.IN_PROGRESS: (TicketStatus.NEW,),
    TicketStatus.RESOLVED: (TicketStatus.NEW, TicketStatus.IN_PROGRESS),
}


@transaction.atomic
def ticket_status_set(*, ticket: Ticket, actor, status: str, note: str = "") -> Ticket:
    locked = _lock(ticket)
    if not is_member(actor, locked.team_id):
        raise PermissionDenied(_("Only the ticket's IT team may change its status."))
    if status not in TRANSITIONS:
        raise ValidationError({"status": _("Choose one of the statuses offered.")})
    if locked.status not in TRANSITIONS[status]:
        raise ValidationError(
            {
                "status": _("A ticket that is %(status)s cannot become that.")
                % {"status": locked.get_status_display()}
            }
        )
    now = timezone.now()
    changes = {"status": status, "updated_at": now}
    if status == TicketStatus.RESOLVED:
        changes["resolved_at"] = now
    if status == TicketStatus.IN_PROGRESS and locked.assignee_id is None:
        changes["assignee"] = actor
    Ticket.objects.filter(pk=locked.pk, status=locked.status).update(**changes)
    locked.refresh_from_db()
    if note:
        ticket_comment_add(ticket=locked, actor=actor, body=note, notify_other=False)
    audit_record(action="update", obj=locked, actor=actor, message="status " + status)
    _tell(
        [locked.requester],
        locked,
        _("Repair ticket %(number)s: %(status)s"),
        _("Your ticket %(number)s is now: %(status)s."),
        status=_t(TicketStatus(status).label),
    )
    return locked


@transaction.atomic
def ticket_close(*, ticket: Ticket, actor, rating: int, comment: str = "") -> Ticket:
    locked = _lock(ticket)
    if not _active(actor) or locked.requester_id != actor.pk:
        raise PermissionDenied(_("Only the requester closes a ticket."))
    if locked.status != TicketStatus.RESOLVED:
        raise ValidationError(_("Only a resolved ticket can be closed."))
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        rating = 0
    if not 1 <= rating <= 5:
        raise ValidationError({"rating": _("Rate the service from 1 to 5.")})
    comment = clean_line(comment)[:500]
    updated = Ticket.objects.filter(pk=locked.pk, status=TicketStatus.RESOLVED).update(
        status=TicketStatus.CLOSED,
        closed_at=timezone.now(),
        rating=rating,
        rating_comment=comment,
        updated_at=timezone.now(),
    )
    if not updated:
        raise ValidationError(_("Only a resolved ticket can be closed."))
    locked.refresh_from_db()
    audit_record(action="update", obj=locked, actor=actor, message=f"closed, rating {rating}")
    return locked


@transaction.atomic
def ticket_reopen(*, ticket: Ticket, actor, reason: str) -> Ticket:
    locked = _lock(ticket)
    if not _active(actor) or locked.requester_id != actor.pk:
        raise PermissionDenied(_("Only the requester reopens a ticket."))
    if locked.status != TicketStatus.RESOLVED:
        raise ValidationError(_("Only a resolved ticket can be reopened."))
    reason = _text(reason, field="reason", max_length=2000, multiline=True)
    Ticket.objects.filter(pk=locked.pk, status=TicketStatus.RESOLVED).update(
        status=TicketStatus.IN_PROGRESS, resolved_at=None, updated_at=timezone.now()
    )
    locked.refresh_from_db()
    ticket_comment_add(ticket=locked, actor=actor, body=reason)
    audit_record(action="update", obj=locked, actor=actor, message="reopened")
    return locked


@transaction.atomic
def ticket_comment_add(
    *, ticket: Ticket, actor, body: str, notify_other: bool = True
) -> TicketComment:
    is_requester = _active(actor) and ticket.requester_id == actor.pk
    if not (is_requester or is_member(actor, ticket.team_id)):
        raise PermissionDenied(_("Only the requester and the IT team comment on a ticket."))
    if ticket.status == TicketStatus.CLOSED:
        raise ValidationError(_("A closed ticket takes no more comments."))
    body = _text(body, field="body", max_length=5000, multiline=True)
    comment = TicketComment(ticket=ticket, author=actor, body=body)
    comment.full_clean()
    comment.save()
    if notify_other:
        if is_requester:
            people = [ticket.assignee] if ticket.assignee_id else list(ticket.team.members.all())
        else:
            people = [ticket.requester]
        _tell(
            [p for p in people if p is not None and p.pk != actor.pk],
            ticket,
            _("New comment on repair ticket %(number)s"),
            _("%(author)s wrote on %(number)s."),
            author=actor.display_name,
        )
    return comment
