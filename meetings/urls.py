"""Pages of the meetings app (/meetings/, login required)."""

from django.urls import path

from .views import book, cases, filing, meetings, screen, search

app_name = "meetings"

urlpatterns = [
    path("", meetings.meeting_list, name="list"),
    path("new/", meetings.meeting_new, name="new"),
    path("search/", search.search, name="search"),
    path("cases/", cases.case_list, name="cases"),
    path("cases/<int:pk>/", cases.case_detail, name="case"),
    path("cases/<int:pk>/progress/", cases.progress_file, name="progress"),
    path("cases/<int:pk>/propose/", cases.case_propose, name="propose"),
    path("cases/<int:pk>/decide/", cases.case_decide, name="decide"),
    path("overdue/", cases.overdue, name="overdue"),
    path("statistics/", cases.statistics, name="statistics"),
    path("calendar/", meetings.calendar_settings, name="calendar"),
    path("calendar/<str:token>.ics", meetings.calendar_feed, name="calendar_feed"),
    path("<int:pk>/", meetings.meeting_detail, name="detail"),
    path("<int:pk>/download/invite.ics", meetings.meeting_ics, name="ics"),
    path("<int:pk>/filing/open/", meetings.filing_open, name="filing_open"),
    path("<int:pk>/filing/close/", meetings.filing_close, name="filing_close"),
    path("<int:pk>/held/", meetings.mark_held, name="held"),
    path("<int:pk>/minutes/", meetings.minutes_publish, name="minutes"),
    path("<int:pk>/items/", meetings.item_add, name="item_add"),
    path("<int:pk>/items/<int:item_pk>/decision/", meetings.item_decision, name="item_decision"),
    path("<int:pk>/directives/", meetings.directive_add, name="directive_add"),
    path("<int:pk>/late/<int:request_pk>/grant/", meetings.late_grant, name="late_grant"),
    path("<int:pk>/late/<int:request_pk>/refuse/", meetings.late_refuse, name="late_refuse"),
    path("<int:pk>/reports/<int:unit_pk>/", filing.report, name="report"),
    path("<int:pk>/reports/<int:unit_pk>/files/", filing.attachment_add, name="attachment_add"),
    path(
        "<int:pk>/reports/<int:unit_pk>/attachments/<int:attachment_pk>/",
        filing.attachment_download,
        name="attachment",
    ),
    path(
        "<int:pk>/reports/<int:unit_pk>/files/<int:attachment_pk>/remove/",
        filing.attachment_remove,
        name="attachment_remove",
    ),
    path("<int:pk>/reports/<int:unit_pk>/late/", filing.late_request, name="late_request"),
    path("<int:pk>/book/", book.book_build, name="book_build"),
    path("<int:pk>/book/builds/<int:job_pk>/", book.book_job, name="book_job"),
    path("<int:pk>/book/<int:version>/", book.book_view, name="book"),
    path("<int:pk>/book/<int:version>/meeting-book.pdf", book.book_pdf, name="book_pdf"),
    path("<int:pk>/screen/", screen.screen, name="screen"),
    path("<int:pk>/screen/events/", screen.screen_events, name="screen_events"),
    path("<int:pk>/screen/advance/", screen.screen_advance, name="screen_advance"),
    path("<int:pk>/screen/notes/", screen.note_save, name="note"),
]
