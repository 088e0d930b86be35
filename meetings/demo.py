"""Demo data of meeting tracking for the embedded default (``manage.py seed_demo``).

Two series organised by the Secretariat (秘書處): 部務會報 (monthly) and 主管會報 (closing a
case there goes through the approval chain). 林美華 (lin.meihua) is the controller and the
secretary, admin chairs, 王建國 files for 資訊處, 陳怡明 for 勞動關係司, 黃淑芬 for 勞動條件及
就業平等司. Three past 部務會報 with material, directives, progress, decisions (one case closed,
others carried forward) and a book, and the next one open for filing (資訊處 has filed, the
others not yet). Idempotent: nothing is added once the series has meetings.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils import timezone

from accounts.oidc.services import role_assign
from core.models import Organization
from core.registry import demo_loader

from . import services
from .choices import MeetingStatus, ReportStatus
from .models import Meeting, MeetingSeries, UnitReport
from .roles import CONTROLLER, EXECUTIVE, FILER, SECRETARY
from .services.filing import report_index

ROLES = [
    ("lin.meihua", CONTROLLER, "SEC"),
    ("lin.meihua", SECRETARY, None),
    ("admin", EXECUTIVE, None),
    ("wang.jianguo", FILER, "IM"),
    ("chen.yiming", FILER, "DLR"),
    ("huang.shufen", FILER, "DLSEE"),
]
UNITS = ["IM", "DLR", "DLSEE", "BLI"]

MATERIAL = {
    "IM": (
        "本月完成公文線上簽核系統效能調校，平均簽核時間縮短百分之二十；資安事件通報零件。",
        [("系統可用率", "99.95%", ""), ("資安演練", "2 場", "社交工程")],
    ),
    "DLR": (
        "勞資爭議調解案件持續增加，已協調地方政府增聘調解委員；團體協約簽訂數穩定成長。",
        [("調解案件", "1,284 件", "較上月 +6%"), ("團體協約", "37 件", "")],
    ),
    "DLSEE": (
        "職場霸凌防治指引草案已完成外部諮詢；加班費專案檢查進入第二階段。",
        [("專案檢查", "412 家", ""), ("違規比率", "18.2%", "")],
    ),
    "BLI": (
        "勞保年金給付案件受理順暢，線上申辦比例達七成；Labor insurance e-service upgrade "
        "finished on schedule.",
        [("線上申辦比例", "71%", ""), ("給付件數", "86,502", "")],
    ),
}
DIRECTIVES = [
    ("IM", ["BLI"], "請資訊處會同勞保局完成勞保與就保資料介接，並於下次會議報告進度。", 20),
    ("DLR", [], "勞動關係司研議縮短勞資爭議調解期程之具體措施。", 35),
    ("DLSEE", ["DLR"], "職場霸凌防治指引於發布前，邀集勞資團體再次座談。", 10),
]


def _users():
    names = {name for name, _role, _unit in ROLES}
    found = get_user_model().objects.in_bulk(list(names), field_name="username")
    return found if len(found) == len(names) else None


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _file_directly(meeting: Meeting, units: dict, filer, month: int) -> None:
    """Material of a past meeting, written as it stood at its deadline."""
    for order, code in enumerate(UNITS, start=1):
        text, figures = MATERIAL[code]
        report, _created = UnitReport.objects.get_or_create(
            meeting=meeting, unit=units[code], defaults={"order": order}
        )
        report.summary = f"<p>（第{month}次）{text}</p>"
        report.figures = [{"label": a, "value": b, "note": c} for a, b, c in figures]
        report.status = ReportStatus.FILED
        report.filed_at = meeting.filing_deadline
        report.filed_by = filer
        report.save()
        report_index(report)


@demo_loader(order=70)
def load_meetings(stdout):
    users = _users()
    if users is None:
        stdout.write("  meetings: demo users missing, skipped")
        return
    units = {u.code: u for u in Organization.objects.filter(code__in=[*UNITS, "SEC"])}
    for username, role, unit in ROLES:
        role_assign(
            application=None,
            user=users[username],
            role_code=role,
            scope=units[unit] if unit else None,
        )
    ministry, _created = MeetingSeries.objects.get_or_create(
        code="ministry-affairs",
        defaults={
            "kind": "ministry",
            "name_zh": "部務會報",
            "name_en": "Ministry affairs meeting",
            "unit": units["SEC"],
        },
    )
    MeetingSeries.objects.get_or_create(
        code="executives",
        defaults={
            "kind": "executives",
            "name_zh": "主管會報",
            "name_en": "Executives' meeting",
            "unit": units["SEC"],
            "closure_needs_approval": True,
        },
    )
    if ministry.meetings.exists():
        stdout.write("  meetings: demo meetings already loaded")
        return
    lin, admin = users["lin.meihua"], users["admin"]
    today = timezone.localdate()
    past = []
    for months_ago in (3, 2, 1):
        day = today - dt.timedelta(days=28 * months_ago)
        meeting = services.meeting_create(
            series=ministry,
            actor=lin,
            title=f"{day.year - 1911}年{day.month}月部務會報",
            starts_at=_at(day, 9, 30),
            place="本部第一會議室",
            chair=admin,
            secretary=lin,
            attendees=[admin, users["wang.jianguo"], users["chen.yiming"]],
        )
        Meeting.objects.filter(pk=meeting.pk).update(
            status=MeetingStatus.MINUTES, filing_deadline=_at(day - dt.timedelta(days=2), 17)
        )
        meeting.refresh_from_db()
        _file_directly(meeting, units, lin, 4 - months_ago)
        services.agenda_item_add(meeting=meeting, actor=lin, title="各單位業務報告")
        item = services.agenda_item_add(meeting=meeting, actor=lin, title="臨時動議")
        services.item_decision_record(item=item, actor=lin, decision="洽悉。")
        past.append(meeting)
    first = past[0]
    cases = []
    for lead, co, text, days in DIRECTIVES:
        cases.append(
            services.directive_record(
                meeting=first,
                actor=lin,
                directive=text,
                lead_unit=units[lead],
                co_units=[units[c] for c in co],
                due_date=first.starts_at.date() + dt.timedelta(days=days),
            )
        )
    filers = {
        "IM": users["wang.jianguo"],
        "DLR": users["chen.yiming"],
        "DLSEE": users["huang.shufen"],
    }
    for case in cases:
        services.progress_file(
            case=case, actor=filers[case.lead_unit.code], text="已召開工作會議，依規劃期程辦理中。"
        )
    services.case_propose(case=cases[2], actor=lin, proposal="close")
    services.case_decide(
        case=cases[2], meeting=past[1], actor=admin, decision="close", comment="同意解除列管。"
    )
    services.case_decide(
        case=cases[0],
        meeting=past[1],
        actor=admin,
        decision="keep",
        comment="繼續列管，下次會議報告。",
    )
    services.progress_file(
        case=cases[0],
        actor=users["wang.jianguo"],
        text="介接規格已與勞保局確認，測試環境建置完成。",
    )
    services.book_build(meeting=past[2], actor=lin)

    start = today + dt.timedelta(days=5)
    upcoming = services.meeting_create(
        series=ministry,
        actor=lin,
        title=f"{start.year - 1911}年{start.month}月部務會報（下次）",
        starts_at=_at(start, 9, 30),
        place="本部第一會議室",
        chair=admin,
        secretary=lin,
        attendees=[admin, users["wang.jianguo"]],
    )
    services.filing_open(
        meeting=upcoming,
        actor=lin,
        deadline=_at(today + dt.timedelta(days=3), 17),
        units=[units[c] for c in UNITS],
    )
    services.agenda_item_add(meeting=upcoming, actor=lin, title="各單位業務報告")
    text, figures = MATERIAL["IM"]
    services.report_save(
        report=UnitReport.objects.get(meeting=upcoming, unit=units["IM"]),
        actor=users["wang.jianguo"],
        summary=f"<p>{text}</p>",
        figures=[{"label": a, "value": b, "note": c} for a, b, c in figures],
    )
    stdout.write("  meetings: 2 series, 4 meetings, 3 tracked cases, 1 meeting book")
