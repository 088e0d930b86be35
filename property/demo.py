"""Demo register for the embedded default (``manage.py seed_demo``): the ministry
headquarters' and the Workforce Development Agency's opening registers (imported as data),
a transfer waiting for its sign-off, a scrap under review, a transfer waiting for its
receiver, and an open stock-take. 林美華 (lin.meihua) keeps the headquarters' register and
builds the consolidated statements; 李志偉 (lee.zhiwei) keeps the agency's.

Idempotent: everything hangs on the opening import (reason "示範資料：期初財產"); when it
exists the loader does nothing.
"""

import csv
import io

from django.contrib.contenttypes.models import ContentType

from accounts import authz
from accounts.models import User
from accounts.oidc.services import role_assign
from core.models import Organization
from core.registry import demo_loader
from documents.choices import StepStatus
from documents.models import SignOffChain
from documents.services import signoff_approve

from . import services
from .choices import MovementKind
from .constants import ROLE_CONSOLIDATOR, ROLE_OFFICER
from .models import Item, Movement, ScrapReason

MARKER = "示範資料：期初財產"

# (classification, name, quantity, acquired_on, cost, custodian, unit, location, copies)
HQ_REGISTER = [
    ("2010101-01", "勞動部辦公大樓", 1, "2001-07-01", 812000000, "", "SEC", "臺北市中正區", 1),
    ("3140101-01", "個人電腦", 1, "2019-03-15", 32000, "huang.shufen", "DLSEE", "B棟5樓", 1),
    ("3140101-01", "個人電腦", 1, "2024-02-20", 34500, "chen.yiming", "DLR", "B棟4樓", 3),
    ("3140101-03", "筆記型電腦", 1, "2025-05-10", 45800, "wang.jianguo", "IM", "A棟3樓", 2),
    ("3140104-02", "伺服器", 1, "2023-09-01", 680000, "wang.jianguo", "IM", "A棟機房", 2),
    ("3010201-01", "多功能事務機", 1, "2022-11-11", 128000, "lin.meihua", "SEC", "A棟1樓", 1),
    ("4010101-01", "公務小客車", 1, "2021-06-30", 980000, "lin.meihua", "SEC", "地下停車場", 1),
    ("5010101-01", "辦公桌", 1, "2018-04-01", 12500, "chen.yiming", "DLR", "B棟4樓", 2),
    ("5010301-01", "投影機", 1, "2024-08-15", 36000, "huang.shufen", "DLSEE", "B棟5樓會議室", 1),
]
WDA_REGISTER = [
    ("3140101-01", "個人電腦", 1, "2024-01-15", 33000, "lee.zhiwei", "WDA", "新北市新莊區", 2),
    ("4010103-01", "公務廂型車", 1, "2020-10-01", 1250000, "lee.zhiwei", "WDA", "停車場", 1),
]
HEAD = [
    "register",
    "classification",
    "name",
    "quantity",
    "acquired_on",
    "cost",
    "custodian",
    "user_unit",
    "location",
]


def _csv(rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEAD)
    for code, name, qty, day, cost, custodian, unit, location, copies in rows:
        for _n in range(copies):
            writer.writerow(["property", code, name, qty, day, cost, custodian, unit, location])
    return out.getvalue().encode()


def _approve_pending(movement, signer):
    chain = SignOffChain.objects.filter(
        target_content_type=ContentType.objects.get_for_model(Movement),
        target_object_id=str(movement.pk),
    ).first()
    for step in chain.steps.filter(status=StepStatus.PENDING):
        signoff_approve(step=step, actor=signer)


@demo_loader(order=75)
def load_property(stdout):
    names = ["lin.meihua", "chen.yiming", "huang.shufen", "wang.jianguo", "lee.zhiwei"]
    users = User.objects.in_bulk(names, field_name="username")
    if len(users) != len(names):
        stdout.write("  property: demo users missing, skipped")
        return
    if Movement.objects.filter(reason__startswith=MARKER).exists():
        stdout.write("  property: demo register already loaded")
        return
    units = {o.code: o for o in Organization.objects.filter(code__in=["MOL-HQ", "WDA", "DLR"])}
    lin, chen, huang = users["lin.meihua"], users["chen.yiming"], users["huang.shufen"]
    role_assign(application=None, user=lin, role_code=ROLE_OFFICER, scope=units["MOL-HQ"])
    role_assign(application=None, user=lin, role_code=ROLE_CONSOLIDATOR, scope=None)
    role_assign(
        application=None, user=users["lee.zhiwei"], role_code=ROLE_OFFICER, scope=units["WDA"]
    )
    authz.forget(lin)
    for agency, rows in (("MOL-HQ", HQ_REGISTER), ("WDA", WDA_REGISTER)):
        movement = services.items_import(
            actor=None, agency=units[agency], data=_csv(rows), filename=f"{agency}.csv"
        )
        Movement.objects.filter(pk=movement.pk).update(reason=f"{MARKER}（{agency}）")

    chen_items = list(Item.objects.filter(custodian=chen).order_by("pk"))
    # A transfer from 陳怡明 to 黃淑芬, waiting for the head of DLR (林美華) to sign off.
    if authz.unit_head(units["DLR"]) is not None:
        services.movement_create(
            actor=chen,
            kind=MovementKind.TRANSFER,
            item_ids=[chen_items[0].pk],
            to_custodian=huang,
            reason="業務移撥（示範資料）",
        )
        # A transfer to 林美華 herself, approved and waiting for her acceptance.
        accepted = services.movement_create(
            actor=chen,
            kind=MovementKind.TRANSFER,
            item_ids=[chen_items[1].pk],
            to_custodian=lin,
            to_location="A棟1樓",
            reason="支援秘書處（示範資料）",
        )
        _approve_pending(accepted, authz.unit_head(units["DLR"]))
    old_pc = Item.objects.filter(custodian=huang, acquired_on__year=2019).first()
    if old_pc is not None and authz.unit_head(Organization.objects.get(code="DLSEE")):
        services.movement_create(
            actor=huang,
            kind=MovementKind.SCRAP,
            item_ids=[old_pc.pk],
            reason="使用年限已屆，無修復價值（示範資料）",
            scrap_reason=ScrapReason.objects.get(code="worn-out"),
            disposal_method="recycling",
        )
    sheet = services.stocktake_open(actor=None, agency=units["MOL-HQ"], location="B棟4樓")
    first = Item.objects.filter(agency=units["MOL-HQ"], location="B棟4樓").order_by("pk").first()
    if first is not None:
        services.stocktake_scan(sheet=sheet, actor=None, scanned=first.number)
    stdout.write(
        f"  property: {Item.objects.count()} items, officers lin.meihua (MOL-HQ) and "
        "lee.zhiwei (WDA); lin.meihua also builds the consolidated statements"
    )
