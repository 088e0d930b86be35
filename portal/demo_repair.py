"""Demo IT repair tickets and procurement requests (``manage.py seed_demo``).

``repair_setup()`` / ``procurement_setup()`` (also used by the tests) create the data the two
services need: three IT teams of 資訊處 with their categories, the SLA of each priority, and
the three procurement thresholds (under NT$150,000: the unit head; up to NT$10 million: the
unit head, then the head of the unit above; NT$10 million and over: the same two levels, with
its own template so that an agency can lengthen it), each with a chain template that registers
an official document.

The demo puts 王建國 (wang.jianguo) and 蔡雅婷 (tsai.yating) in the desktop team and 劉承佑
(liu.chengyou) in the network team, then files about thirty tickets through the services from
the demo users (陳怡明, 黃淑芬, 李志偉 keep some open), some started, resolved, closed with a
rating or commented on; the older ones are dated back so that a few are past their SLA. Eight
procurement requests of 資訊處 go through the services across the thresholds: some wait for
王建國 (the unit head), one for the system administrator (the level above), the others are
approved, not approved or withdrawn. Idempotent: the setup once, tickets and requests only
while there are none.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from accounts.models import User
from core.registry import demo_loader
from documents.choices import StepStatus
from documents.models import ChainTemplate, ChainTemplateStep
from documents.selectors import open_chain_for
from documents.services import signoff_approve, signoff_return

from .models import (
    ITTeam,
    ProcurementRequest,
    ProcurementThreshold,
    RepairCategory,
    RepairSla,
    Ticket,
    TicketComment,
)
from .services import procurement as procurement_services
from .services import repair as repair_services
from .sla import add_working_hours

TEAMS = [
    ("desk", "桌機維護組", "Desktop support", ["wang.jianguo", "tsai.yating"]),
    ("net", "網路組", "Network", ["liu.chengyou"]),
    ("apps", "應用系統組", "Applications", ["wang.jianguo"]),
]
CATEGORIES = [
    ("pc", "電腦故障", "PC problem", "desk", 10),
    ("printer", "印表機", "Printer", "desk", 20),
    ("network", "網路連線", "Network connection", "net", 30),
    ("mail", "電子郵件", "E-mail", "apps", 40),
    ("account", "帳號與權限", "Accounts and access", "apps", 50),
]
SLAS = {"urgent": 4, "high": 8, "normal": 16, "low": 40}
THRESHOLDS = [
    ("small", "小額採購(未達15萬元)", "Small purchase (under NT$150,000)", 0, 150_000, 1),
    ("public", "公告金額以上", "From the public-tender threshold", 150_000, 10_000_000, 2),
    ("huge", "巨額採購", "Very large purchase (NT$10 million and over)", 10_000_000, None, 2),
]
REQUESTERS = ["chen.yiming", "huang.shufen", "lee.zhiwei", "lin.meihua", "tsai.yating"]
PROBLEMS = [
    ("pc", "開機後藍屏,錯誤代碼 0x0000007B。"),
    ("printer", "印表機卡紙,面板顯示錯誤 E-13。"),
    ("network", "座位網路孔無法連線,其他同仁正常。"),
    ("mail", "Outlook 無法收信,一直要求重新輸入密碼。"),
    ("account", "公文系統帳號被鎖定,請協助解鎖。"),
    ("pc", "電腦開機非常慢,約需十分鐘。"),
]
LOCATIONS = ["本部大樓 9F 資訊處", "本部大樓 7F 勞動條件司", "第二辦公大樓 3F", "勞動力發展署 5F"]
PRIORITIES = ["normal", "high", "low", "urgent", "normal"]
REQUESTS = [
    # requester, item, quantity, amount, budget code, outcome
    ("tsai.yating", "筆記型電腦", 3, 90_000, "5101-02", "pending"),
    ("liu.chengyou", "網路交換器(24埠)", 4, 120_000, "5101-03", "pending"),
    ("tsai.yating", "機房不斷電系統更新", 1, 1_800_000, "5201-01", "pending"),
    ("liu.chengyou", "資安監控服務(一年)", 1, 4_500_000, "5201-02", "second"),
    ("tsai.yating", "雷射印表機", 2, 36_000, "5101-02", "approved"),
    ("liu.chengyou", "公文系統主機汰換", 1, 12_500_000, "5301-01", "returned"),
    ("tsai.yating", "投影機", 1, 28_000, "5101-02", "withdrawn"),
    ("liu.chengyou", "無線網路基地臺", 12, 360_000, "5201-03", "approved"),
]


def repair_setup() -> dict[str, ITTeam]:
    teams = {}
    for code, name_zh, name_en, _members in TEAMS:
        teams[code], _new = ITTeam.objects.get_or_create(
            code=code, defaults={"name_zh": name_zh, "name_en": name_en}
        )
    for code, name_zh, name_en, team, order in CATEGORIES:
        RepairCategory.objects.get_or_create(
            code=code,
            defaults={
                "name_zh": name_zh,
                "name_en": name_en,
                "team": teams[team],
                "sort_order": order,
            },
        )
    for priority, hours in SLAS.items():
        RepairSla.objects.get_or_create(priority=priority, defaults={"resolve_hours": hours})
    return teams


def procurement_setup() -> None:
    for code, name_zh, name_en, low, high, levels in THRESHOLDS:
        template, created = ChainTemplate.objects.get_or_create(
            code=f"procure-{code}",
            defaults={
                "purpose": "portal.procurement",
                "name_zh": name_zh,
                "name_en": name_en,
                "registers_document": True,
                "deadline_working_days": 5,
            },
        )
        if created:
            for level in range(levels):
                ChainTemplateStep.objects.create(
                    template=template, order=level + 1, kind="unit_head", levels_up=level
                )
        ProcurementThreshold.objects.get_or_create(
            code=code,
            defaults={
                "name_zh": name_zh,
                "name_en": name_en,
                "min_amount": low,
                "max_amount": high,
                "template": template,
            },
        )


def _backdate(ticket: Ticket, created: dt.datetime) -> None:
    due = add_working_hours(created, repair_services.sla_hours(ticket.priority))
    Ticket.objects.filter(pk=ticket.pk).update(created_at=created, due_at=due)
    TicketComment.objects.filter(ticket=ticket).update(created_at=created)
    ticket.refresh_from_db()


def _tickets(users: dict) -> int:
    categories = {c.code: c for c in RepairCategory.objects.all()}
    desk, net = users["tsai.yating"], users["liu.chengyou"]
    now = timezone.now()
    made = 0
    for n in range(30):
        code, text = PROBLEMS[n % len(PROBLEMS)]
        requester = users[REQUESTERS[n % len(REQUESTERS)]]
        ticket = repair_services.ticket_create(
            actor=requester,
            category=categories[code],
            priority=PRIORITIES[n % len(PRIORITIES)],
            location=LOCATIONS[n % len(LOCATIONS)],
            description=text,
        )
        made += 1
        agent = net if code == "network" else desk if code in ("pc", "printer") else None
        agent = agent or users["wang.jianguo"]
        # The older a ticket, the further along: 0-9 new, 10-17 in progress,
        # 18-23 resolved, 24-29 closed with a rating.
        stage = 0 if n < 10 else 1 if n < 18 else 2 if n < 24 else 3
        if n % 3 == 0:
            repair_services.ticket_comment_add(
                ticket=ticket, actor=requester, body="補充:問題今天早上又發生一次。"
            )
        if stage >= 1:
            repair_services.ticket_status_set(
                ticket=ticket, actor=agent, status="in_progress", note="已收到,安排到場處理。"
            )
        if stage >= 2:
            repair_services.ticket_status_set(
                ticket=ticket, actor=agent, status="resolved", note="已更換零件並測試正常。"
            )
        if stage >= 3:
            repair_services.ticket_close(
                ticket=ticket, actor=requester, rating=5 - n % 3, comment="謝謝協助"
            )
        # Spread the tickets over the last weeks: a few open ones are past their SLA.
        _backdate(ticket, now - dt.timedelta(hours=(n % 10) * 7 + n * 5 + 1))
    return made


def _requests(users: dict) -> int:
    admin, wang = users["admin"], users["wang.jianguo"]
    for requester, item, quantity, amount, budget, outcome in REQUESTS:
        request = procurement_services.procurement_request_create(
            actor=users[requester],
            item=item,
            quantity=quantity,
            estimated_amount=amount,
            budget_code=budget,
            justification="配合年度資訊設備汰換計畫,既有設備已逾使用年限。",
        )

        def step(request=request):
            chain = open_chain_for(request)
            return chain.steps.filter(status=StepStatus.PENDING).first() if chain else None

        if outcome == "withdrawn":
            procurement_services.procurement_request_withdraw(
                request=request, actor=users[requester]
            )
        elif outcome == "returned":
            signoff_return(step=step(), actor=wang, comment="請補充市場訪價資料", to="originator")
        elif outcome in ("second", "approved"):
            signoff_approve(step=step(), actor=wang, comment="擬准")
            if outcome == "approved":
                for _level in range(3):
                    pending = step()
                    if pending is None:
                        break
                    signoff_approve(step=pending, actor=admin, comment="准")
    return len(REQUESTS)


@demo_loader(order=77)
def load_repair(stdout):
    teams = repair_setup()
    procurement_setup()
    names = {*REQUESTERS, "admin", "wang.jianguo", "liu.chengyou"}
    users = {u.username: u for u in User.objects.filter(username__in=names, is_active=True)}
    if len(users) < len(names):
        stdout.write("  portal repair: demo users missing, skipped")
        return
    for code, _zh, _en, members in TEAMS:
        teams[code].members.add(*[users[m] for m in members])
    if Ticket.objects.exists() or ProcurementRequest.objects.exists():
        stdout.write("  portal repair: demo tickets already loaded")
        return
    tickets = _tickets(users)
    requests = _requests(users)
    stdout.write(f"  portal repair: {tickets} tickets, {requests} procurement requests")
