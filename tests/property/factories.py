"""Data for the property tests: people in roles, items created through the services, and a
helper that walks a movement's sign-off chain to its end."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType

from accounts import authz
from accounts.models import UnitOfficer
from accounts.oidc.services import role_assign
from core.models import Organization
from documents.choices import StepStatus
from documents.models import SignOffChain
from documents.services import signoff_approve, signoff_return
from property import services
from property.constants import ROLE_CONSOLIDATOR, ROLE_OFFICER
from property.models import Classification, Movement

PC = "3140101-01"  # personal computer, 4 years


def unit(code: str) -> Organization:
    return Organization.objects.get(code=code)


def grant(user, role: str, code: str | None = None):
    role_assign(application=None, user=user, role_code=role, scope=unit(code) if code else None)
    authz.forget(user)
    return user


def make_head(user, code: str):
    UnitOfficer.objects.create(unit=unit(code), user=user, kind="head")
    return user


def make_officer(user, agency_code: str = "MOL-HQ"):
    return grant(user, ROLE_OFFICER, agency_code)


def make_consolidator(user):
    return grant(user, ROLE_CONSOLIDATOR)


def chain_of(movement: Movement) -> SignOffChain:
    return SignOffChain.objects.filter(
        target_content_type=ContentType.objects.get_for_model(Movement),
        target_object_id=str(movement.pk),
    ).latest("pk")


def _signer(step):
    if step.assignee_id:
        return step.assignee
    return authz.role_holders(step.role.code, step.role_unit).first()


def approve_all(movement: Movement) -> Movement:
    chain = chain_of(movement)
    for _round in range(10):
        pending = list(chain.steps.filter(status=StepStatus.PENDING))
        if not pending:
            break
        for step in pending:
            signoff_approve(step=step, actor=_signer(step))
    movement.refresh_from_db()
    return movement


def return_chain(movement: Movement) -> Movement:
    step = chain_of(movement).steps.get(status=StepStatus.PENDING)
    signoff_return(step=step, actor=_signer(step), comment="請補正", to="originator")
    movement.refresh_from_db()
    return movement


def acquire(
    officer,
    *,
    agency="MOL-HQ",
    user_unit="IM",
    custodian=None,
    count=1,
    cost=Decimal(30000),
    acquired_on=dt.date(2025, 1, 10),
    classification=PC,
    approve=True,
    register="property",
    area=Decimal(0),
    quantity_each=1,
):
    movement = services.acquisition_create(
        actor=officer,
        agency=unit(agency),
        register=register,
        classification=Classification.objects.get(code=classification),
        name="個人電腦",
        unit_cost=Decimal(cost),
        acquired_on=acquired_on,
        user_unit=unit(user_unit),
        custodian=custodian,
        count=count,
        area=area,
        quantity_each=quantity_each,
        location="A棟3樓",
    )
    if approve:
        approve_all(movement)
    return movement


def items_of(movement: Movement):
    return [line.item for line in movement.lines.select_related("item").order_by("item_id")]
