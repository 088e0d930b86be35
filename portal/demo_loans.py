"""Demo data of equipment loans and supplies (``manage.py seed_demo``), loaded after the rooms.

林美華 (lin.meihua, 秘書處) holds ``portal.loan_manager`` and ``portal.store_keeper`` in the
Secretariat, which manages 14 lendable items and two stores. The approval templates
``portal.loans`` and ``portal.supplies`` are one step: the head of the requester's unit (the
services fall back to the Secretariat's managers when a unit has no head). A few loans and
requests in every state, asked for and moved through the services; the loan history of last
month (returned, and one overdue) is written directly, as the services refuse past dates.
Idempotent: the catalogue once, loans and requests only while there are none.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts import authz
from accounts.oidc.services import role_assign
from core.models import Organization
from core.registry import demo_loader
from documents.models import ChainTemplate, ChainTemplateStep, SignOffChain
from documents.services import signoff_approve

from . import services
from .models import Loan, LoanItem, Stock, Store, SupplyItem, SupplyRequest
from .roles import LOAN_MANAGER, STORE_KEEPER

# code, name_zh, name_en, category, serial, quantity, serial number, property number
ITEMS = [
    *[
        (
            f"nb-{n:02d}",
            f"筆記型電腦 NB-{n:02d}",
            f"Laptop NB-{n:02d}",
            "laptop",
            True,
            1,
            f"5CG24{n:03d}QX",
            f"3140101-03-{100 + n}",
        )
        for n in range(1, 7)
    ],
    (
        "pj-01",
        "可攜式投影機 PJ-01",
        "Portable projector PJ-01",
        "projector",
        True,
        1,
        "EPX1029",
        "",
    ),
    (
        "pj-02",
        "可攜式投影機 PJ-02",
        "Portable projector PJ-02",
        "projector",
        True,
        1,
        "EPX1030",
        "",
    ),
    (
        "pj-03",
        "短焦投影機 PJ-03",
        "Short-throw projector PJ-03",
        "projector",
        True,
        1,
        "EPS2201",
        "",
    ),
    ("cam-01", "數位相機 CAM-01", "Digital camera CAM-01", "camera", True, 1, "SNY77812", ""),
    ("cam-02", "攝影機 CAM-02", "Video camera CAM-02", "camera", True, 1, "PNS44120", ""),
    ("hdmi", "HDMI 轉接頭", "HDMI adapter", "other", False, 10, "", ""),
    ("presenter", "無線簡報筆", "Wireless presenter", "other", False, 5, "", ""),
    ("speaker", "藍牙會議揚聲器", "Bluetooth conference speaker", "other", False, 3, "", ""),
]
STORES = [
    ("hq-b1", "本部 B1 庫房", "HQ B1 store", "本部大樓地下一樓"),
    ("annex-3f", "第二辦公大樓 3F 庫房", "Annex 3F store", "第二辦公大樓三樓"),
]
# code, name_zh, name_en, category, counted in, stock per store, low threshold
SUPPLIES = [
    ("toner-hp-58a", "HP 58A 碳粉匣", "HP 58A toner", "computer", "支", (12, 4), 3),
    (
        "toner-brother",
        "Brother TN-2460 碳粉匣",
        "Brother TN-2460 toner",
        "computer",
        "支",
        (6, 2),
        2,
    ),
    ("a4-paper", "A4 影印紙", "A4 copy paper", "stationery", "包", (200, 80), 40),
    ("usb-32g", "USB 隨身碟 32GB", "USB stick 32 GB", "computer", "個", (20, 5), 5),
    ("mouse", "有線滑鼠", "Wired mouse", "computer", "個", (15, 6), 4),
    ("keyboard", "有線鍵盤", "Wired keyboard", "computer", "個", (8, 3), 2),
    ("cable-cat6", "網路線 Cat6 3 公尺", "Cat6 network cable 3 m", "computer", "條", (30, 10), 8),
    ("pen-blue", "藍色原子筆", "Blue ballpoint pen", "stationery", "支", (300, 100), 50),
]
PEOPLE = ["chen.yiming", "wang.jianguo", "huang.shufen", "lee.zhiwei", "lin.meihua"]


def _template(purpose: str, name_zh: str, name_en: str) -> None:
    template, created = ChainTemplate.objects.get_or_create(
        code=purpose.replace(".", "-"),
        defaults={"purpose": purpose, "name_zh": name_zh, "name_en": name_en},
    )
    if created:
        ChainTemplateStep.objects.create(template=template, order=1, kind="unit_head")


def _catalogue(secretariat) -> None:
    for code, name_zh, name_en, category, serial, quantity, serial_no, asset in ITEMS:
        LoanItem.objects.get_or_create(
            code=code,
            defaults={
                "name_zh": name_zh,
                "name_en": name_en,
                "category": category,
                "serial": serial,
                "quantity": quantity,
                "serial_number": serial_no,
                "asset_number": asset,
                "managing_unit": secretariat,
                "max_days": 14 if category == "laptop" else 7,
            },
        )
    stores = []
    for code, name_zh, name_en, location in STORES:
        store, _new = Store.objects.get_or_create(
            code=code,
            defaults={
                "name_zh": name_zh,
                "name_en": name_en,
                "location": location,
                "managing_unit": secretariat,
            },
        )
        stores.append(store)
    for code, name_zh, name_en, category, label, amounts, low in SUPPLIES:
        item, _new = SupplyItem.objects.get_or_create(
            code=code,
            defaults={
                "name_zh": name_zh,
                "name_en": name_en,
                "category": category,
                "unit_label": label,
            },
        )
        for store, amount in zip(stores, amounts, strict=True):
            Stock.objects.get_or_create(
                store=store, item=item, defaults={"quantity": amount, "low_threshold": low}
            )


def _approve(obj) -> None:
    chain = SignOffChain.objects.filter(
        target_object_id=str(obj.pk), target_content_type__model=obj._meta.model_name
    ).first()
    step = chain and chain.steps.filter(status="pending").first()
    if step is None:
        return
    actor = step.assignee
    if actor is None and step.role_id is not None:
        actor = authz.role_holders(step.role.code, step.role_unit_id).first()
    if actor is not None:
        signoff_approve(step=step, actor=actor, comment="同意")


def _loans(users: dict, desk) -> int:
    today = timezone.localdate()
    items = {item.code: item for item in LoanItem.objects.all()}
    made = 0
    plan = [
        ("chen.yiming", "nb-01", 0, 4, 1, "赴高雄辦理勞動檢查說明會", "out"),
        ("huang.shufen", "pj-01", 1, 2, 1, "職安宣導簡報", "approved"),
        ("lee.zhiwei", "cam-01", 2, 3, 1, "就業博覽會活動攝影", "pending"),
        ("wang.jianguo", "hdmi", 0, 2, 3, "資訊處教育訓練", "out"),
        ("chen.yiming", "presenter", 3, 5, 2, "勞資爭議調解委員培訓", "pending"),
    ]
    for username, code, start, length, quantity, purpose, state in plan:
        try:
            loan = services.loan_request(
                actor=users[username],
                item=items[code],
                start=today + dt.timedelta(days=start),
                end=today + dt.timedelta(days=start + length),
                quantity=quantity,
                purpose=purpose,
            )
        except ValidationError:
            continue
        made += 1
        if state in ("approved", "out"):
            _approve(loan)
        if state == "out":
            loan.refresh_from_db()
            if loan.status == "approved":
                services.loan_checkout(loan=loan, actor=desk, condition="good")
    # Last month's history, written directly: one returned, one still out and overdue.
    year = timezone.localdate().year
    for username, code, start, end, status in [
        ("huang.shufen", "nb-02", -30, -25, "returned"),
        ("lee.zhiwei", "nb-03", -9, -3, "out"),
    ]:
        user = users[username]
        Loan.objects.create(
            number=f"L-DEMO-{year}-{code}",
            item=items[code],
            serial=True,
            requester=user,
            unit=user.organization,
            start=today + dt.timedelta(days=start),
            end=today + dt.timedelta(days=end),
            purpose="外勤業務使用",
            status=status,
            checked_out_at=timezone.now() + dt.timedelta(days=start),
            checked_out_by=desk,
            condition_out="good",
            returned_at=timezone.now() + dt.timedelta(days=end) if status == "returned" else None,
            returned_by=desk if status == "returned" else None,
            condition_in="worn" if status == "returned" else "",
        )
        made += 1
    return made


def _supplies(users: dict, keeper) -> int:
    stock = {(s.store.code, s.item.code): s for s in Stock.objects.select_related("store", "item")}
    made = 0
    plan = [
        ("chen.yiming", "hq-b1", "toner-hp-58a", 2, "科內印表機更換碳粉", "issued"),
        ("wang.jianguo", "hq-b1", "usb-32g", 5, "資安演練資料交換", "issued"),
        ("huang.shufen", "annex-3f", "a4-paper", 10, "檢查報告列印", "approved"),
        ("lee.zhiwei", "hq-b1", "mouse", 1, "新進同仁電腦配件", "pending"),
        ("wang.jianguo", "annex-3f", "toner-brother", 1, "印表機更換碳粉", "issued"),
    ]
    for username, store, item, quantity, purpose, state in plan:
        row = stock[(store, item)]
        made_request = services.supply_request(
            actor=users[username],
            store=row.store,
            item=row.item,
            quantity=quantity,
            purpose=purpose,
        )
        made += 1
        if state in ("approved", "issued"):
            _approve(made_request)
        if state == "issued":
            made_request.refresh_from_db()
            if made_request.status == "approved":
                services.supply_issue(request=made_request, actor=keeper)
    return made


@demo_loader(order=76)
def load_loans_and_supplies(stdout):
    users = {
        u.username: u for u in get_user_model().objects.filter(username__in=[*PEOPLE, "admin"])
    }
    if len(users) < len(PEOPLE) + 1:
        stdout.write("  portal loans: demo users missing, skipped")
        return
    secretariat = Organization.objects.get(code="SEC")
    desk = users["lin.meihua"]
    for role in (LOAN_MANAGER, STORE_KEEPER):
        role_assign(application=None, user=desk, role_code=role, scope=secretariat)
    _template("portal.loans", "設備借用：單位主管核准", "Equipment loans: the unit head approves")
    _template("portal.supplies", "耗材領用：單位主管核准", "Supplies: the unit head approves")
    _catalogue(secretariat)
    if Loan.objects.exists() or SupplyRequest.objects.exists():
        stdout.write("  portal loans: demo loans and supply requests already loaded")
        return
    loans = _loans(users, desk)
    requests = _supplies(users, desk)
    stdout.write(
        f"  portal loans: {LoanItem.objects.count()} items, {loans} loans, "
        f"{requests} supply requests"
    )
