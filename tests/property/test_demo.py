"""The demo loader: the registers, movements in every state the pages show, idempotent."""

import io

import pytest
from django.core.management import call_command

from property.choices import MovementStatus
from property.models import Item, Movement

pytestmark = pytest.mark.django_db


def test_the_demo_loads_registers_and_movements_once(settings):
    settings.EMBEDDED = True
    call_command("seed_demo", stdout=io.StringIO())
    items, movements = Item.objects.count(), Movement.objects.count()
    assert items >= 15
    statuses = set(Movement.objects.values_list("status", flat=True))
    assert {MovementStatus.SUBMITTED, MovementStatus.AWAITING_ACCEPTANCE} <= statuses
    call_command("seed_demo", stdout=io.StringIO())
    assert (Item.objects.count(), Movement.objects.count()) == (items, movements)
