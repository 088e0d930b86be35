"""People and data of the IT repair and procurement tests.

The clock is frozen at Monday 2026-03-02 09:00 Asia/Taipei (``clock`` of tests/portal).
``agent`` and ``agent2`` are members of the desktop team (``desk``), ``netter`` of the network
team (``net``). ``owner`` holds the PC ``pc``; ``colleague`` (IM) and ``outsider`` (BLI) hold
nothing. ``im_head`` heads IM. Procurement: three thresholds (under 150,000; under 10 million;
10 million and over), each naming a template that registers a document, approved by the
head of the requester's unit (and the Accounting office's head above 150,000).
"""

import datetime as dt
from decimal import Decimal

import pytest

from accounts.models import UnitOfficer
from documents.models import ChainTemplate, ChainTemplateStep
from portal.models import ITTeam, ProcurementThreshold, RepairCategory, RepairSla
from property.models import Classification, Item
from tests.accounts.factories import unit


@pytest.fixture(autouse=True)
def _no_staff_mfa(settings):
    settings.MFA_REQUIRED_FOR_STAFF = False


@pytest.fixture
def desk(db):
    return ITTeam.objects.create(code="desk", name_zh="桌機維護組", name_en="Desktop support")


@pytest.fixture
def net(db):
    return ITTeam.objects.create(code="net", name_zh="網路組", name_en="Network")


@pytest.fixture
def agent(make_user, desk):
    user = make_user(username="agent", organization=unit("IM"))
    desk.members.add(user)
    return user


@pytest.fixture
def agent2(make_user, desk):
    user = make_user(username="agent2", organization=unit("IM"))
    desk.members.add(user)
    return user


@pytest.fixture
def netter(make_user, net):
    user = make_user(username="netter", organization=unit("IM"))
    net.members.add(user)
    return user


@pytest.fixture
def pc_category(desk):
    return RepairCategory.objects.create(code="pc", name_zh="電腦故障", name_en="PC", team=desk)


@pytest.fixture
def net_category(net):
    return RepairCategory.objects.create(
        code="network", name_zh="網路", name_en="Network", team=net
    )


@pytest.fixture
def slas(db):
    RepairSla.objects.create(priority="urgent", resolve_hours=4)
    RepairSla.objects.create(priority="normal", resolve_hours=16)


@pytest.fixture
def pc(owner):
    return Item.objects.create(
        agency=unit("MOL-HQ"),
        register="property",
        classification=Classification.objects.get(code="3140101-01"),
        serial=1,
        number="3140101-01-0000001",
        name="個人電腦",
        acquired_on=dt.date(2025, 1, 10),
        cost=Decimal(30000),
        value=Decimal(30000),
        useful_life_months=48,
        custodian=owner,
        user_unit=unit("IM"),
        status="in_use",
    )


@pytest.fixture
def im_head(make_user):
    user = make_user(username="im-head", organization=unit("IM"))
    UnitOfficer.objects.create(unit=unit("IM"), user=user, kind="head")
    return user


@pytest.fixture
def acc_head(make_user):
    user = make_user(username="acc-head", organization=unit("ACC"))
    UnitOfficer.objects.create(unit=unit("ACC"), user=user, kind="head")
    return user


def _template(code, *, steps, registers=True, purpose="portal.procurement"):
    template = ChainTemplate.objects.create(
        code=code,
        name_zh=code,
        purpose=purpose,
        registers_document=registers,
        document_category="request",
    )
    for order, step in enumerate(steps, start=1):
        ChainTemplateStep.objects.create(template=template, order=order, **step)
    return template


@pytest.fixture
def thresholds(im_head, acc_head):
    head = {"kind": "unit_head"}
    accounting = {"kind": "unit_head", "unit": unit("ACC")}
    small = _template("procure-small", steps=[head])
    public = _template("procure-public", steps=[head, accounting])
    huge = _template("procure-huge", steps=[head, accounting])
    return [
        ProcurementThreshold.objects.create(
            code="small", name_zh="小額採購", max_amount=150_000, template=small
        ),
        ProcurementThreshold.objects.create(
            code="public",
            name_zh="公告金額以上",
            min_amount=150_000,
            max_amount=10_000_000,
            template=public,
        ),
        ProcurementThreshold.objects.create(
            code="huge", name_zh="巨額採購", min_amount=10_000_000, template=huge
        ),
    ]


@pytest.fixture
def other_template(db):
    return _template("not-procurement", steps=[{"kind": "unit_head"}], purpose="portal.leave")
