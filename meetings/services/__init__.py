"""Writes of meeting tracking; each takes the acting user as ``actor=`` and checks it
(``PermissionDenied``), and raises ``ValidationError`` naming the field for bad input.

* ``meetings``: ``meeting_create``, ``agenda_item_add``, ``item_decision_record``,
  ``filing_open``, ``filing_close``, ``meeting_mark_held``, ``minutes_publish``;
* ``filing``: ``report_save``, ``attachment_add``/``attachment_remove``,
  ``late_change_request``, ``late_change_decide``;
* ``book``: ``book_request`` (a queued build), ``book_job_run`` (the job), ``book_build``
  (a new numbered version each time);
* ``cases``: ``directive_record``, ``progress_file``, ``case_propose``, ``case_decide`` and the
  approval hooks ``closure_approved``/``closure_returned``;
* ``reminders``: the filing reminders, case chasing and the controllers' digest (jobs);
* ``screen``: ``screen_advance``, ``note_save``;
* ``search``: the index and the query.
"""

from .book import book_build, book_job_run, book_jobs_sweep, book_render, book_request
from .calendar import calendar_feed_enable, calendar_feed_reset, calendar_feed_revoke
from .cases import (
    case_decide,
    case_propose,
    closure_approved,
    closure_returned,
    directive_record,
    may_decide,
    may_file_progress,
    progress_file,
)
from .filing import (
    attachment_add,
    attachment_remove,
    extract_text,
    late_change_decide,
    late_change_request,
    may_edit,
    may_request_late_change,
    report_editable,
    report_save,
)
from .meetings import (
    agenda_item_add,
    can_organise,
    filing_close,
    filing_open,
    item_decision_record,
    meeting_create,
    meeting_mark_held,
    minutes_publish,
)
from .reminders import case_reminders_send, controller_digest_send, filing_reminders_send
from .screen import note_save, screen_advance, screen_slides

__all__ = [
    "agenda_item_add",
    "attachment_add",
    "attachment_remove",
    "book_build",
    "book_job_run",
    "book_jobs_sweep",
    "book_render",
    "book_request",
    "calendar_feed_enable",
    "calendar_feed_reset",
    "calendar_feed_revoke",
    "can_organise",
    "case_decide",
    "case_propose",
    "case_reminders_send",
    "closure_approved",
    "closure_returned",
    "controller_digest_send",
    "directive_record",
    "extract_text",
    "filing_close",
    "filing_open",
    "filing_reminders_send",
    "item_decision_record",
    "late_change_decide",
    "late_change_request",
    "may_decide",
    "may_edit",
    "may_file_progress",
    "may_request_late_change",
    "meeting_create",
    "meeting_mark_held",
    "minutes_publish",
    "note_save",
    "progress_file",
    "report_editable",
    "report_save",
    "screen_advance",
    "screen_slides",
]
