"""Items, stores and people of the loans and supplies tests.

The clock is frozen at Monday 2026-03-02 09:00 Asia/Taipei (``clock``). ``laptop`` is a serial
item, ``adapters`` a pool of 3; both managed by the Secretariat (SEC), where ``desk`` holds
``portal.loan_manager`` and ``keeper`` holds ``portal.store_keeper``. ``head`` heads IM, the
unit of ``owner`` and ``colleague``; ``outsider`` is of BLI. The approval templates
``portal.loans`` and ``portal.supplies`` are one step: the head of the requester's unit.
"""

import datetime as dt

import pytest

from accounts.models import UnitOfficer
from documents.models import ChainTemplate, ChainTemplateStep, SignOffChain
from documents.services import signoff_approve, signoff_return
from portal.models import LoanItem, Stock, Store, SupplyItem
from portal.roles import LOAN_MANAGER, STORE_KEEPER
from tests.accounts.factories import RoleAssignmentFactory, unit
from tests.portal.conftest import NOW, clock, taipei  # noqa: F401

TODAY = NOW.date()


def day(offset: int) -> dt.date:
    return TODAY + dt.timedelta(days=offset)


@pytest.fixture
def head(make_user):
    user = make_user(username="head")
    UnitOfficer.objects.create(unit=unit("IM"), user=user, kind="head")
    return user


@pytest.fixture
def desk(make_user):
    user = make_user(username="desk", organization=unit("SEC"))
    RoleAssignmentFactory(user=user, role__code=LOAN_MANAGER, scope=unit("SEC"))
    return user


@pytest.fixture
def keeper(make_user):
    user = make_user(username="keeper", organization=unit("SEC"))
    RoleAssignmentFactory(user=user, role__code=STORE_KEEPER, scope=unit("SEC"))
    return user


def _template(purpose: str):
    template = ChainTemplate.objects.create(
        code=purpose.replace(".", "-"), purpose=purpose, name_zh=purpose
    )
    ChainTemplateStep.objects.create(template=template, order=1, kind="unit_head")
    return template


@pytest.fixture
def templates(db, head):
    return _template("portal.loans"), _template("portal.supplies")


@pytest.fixture
def laptop(db):
    return LoanItem.objects.create(
        code="nb-07",
        name_zh="筆記型電腦 NB-07",
        name_en="Laptop NB-07",
        category="laptop",
        serial=True,
        serial_number="5CG1234XYZ",
        managing_unit=unit("SEC"),
        max_days=7,
    )


@pytest.fixture
def adapters(db):
    return LoanItem.objects.create(
        code="hdmi",
        name_zh="HDMI 轉接頭",
        name_en="HDMI adapter",
        category="other",
        serial=False,
        quantity=3,
        managing_unit=unit("SEC"),
    )


@pytest.fixture
def store(db):
    return Store.objects.create(
        code="hq-b1", name_zh="本部 B1 庫房", name_en="HQ B1 store", managing_unit=unit("SEC")
    )


@pytest.fixture
def toner(store):
    item = SupplyItem.objects.create(
        code="toner-hp", name_zh="HP 碳粉匣", name_en="HP toner", unit_label="支"
    )
    Stock.objects.create(store=store, item=item, quantity=6, low_threshold=2)
    return item


def chain_step(obj):
    return SignOffChain.objects.get(
        target_object_id=str(obj.pk), target_content_type__model=obj._meta.model_name
    ).steps.get()


def approve(obj, actor):
    signoff_approve(step=chain_step(obj), actor=actor)
    obj.refresh_from_db()
    return obj


def refuse(obj, actor, comment="不同意"):
    signoff_return(step=chain_step(obj), actor=actor, comment=comment)
    obj.refresh_from_db()
    return obj
