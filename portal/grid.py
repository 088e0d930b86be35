"""The availability grid: many rooms over a day (half-hour slots) or a week (days), built
from one query of bookings (``selectors.occupancy``) plus the rooms' own query."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from . import selectors
from .constants import GRID_END_HOUR, GRID_START_HOUR, MAX_GRID_ROOMS, SLOT_MINUTES
from .models import Room


@dataclass
class Cell:
    start: dt.datetime
    span: int = 1
    booking: selectors.Busy | None = None


@dataclass
class Row:
    room: Room
    cells: list = field(default_factory=list)


@dataclass
class Grid:
    view: str
    days: list[dt.date]
    slots: list[dt.datetime]
    rows: list[Row]
    truncated: bool


def week_of(day: dt.date) -> list[dt.date]:
    monday = day - dt.timedelta(days=day.weekday())
    return [monday + dt.timedelta(days=n) for n in range(7)]


def _midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def grid_rooms(user, building=None) -> list[Room]:
    queryset = selectors.rooms(user).prefetch_related(None)
    if building is not None:
        queryset = queryset.filter(building=building)
    return list(queryset[: MAX_GRID_ROOMS + 1])


def build(user, *, day: dt.date, view: str, building=None) -> Grid:
    rooms = grid_rooms(user, building)
    truncated = len(rooms) > MAX_GRID_ROOMS
    rooms = rooms[:MAX_GRID_ROOMS]
    days = week_of(day) if view == "week" else [day]
    start, end = _midnight(days[0]), _midnight(days[-1] + dt.timedelta(days=1))
    occupied = selectors.occupancy(rooms, start, end, user=user)
    if view == "week":
        bounds = [(each, _midnight(each), _midnight(each + dt.timedelta(days=1))) for each in days]
        rows = []
        for room in rooms:
            bookings = occupied.get(room.pk, [])
            cells = [
                (each, [b for b in bookings if b.start < hi and b.end > lo])
                for each, lo, hi in bounds
            ]
            rows.append(Row(room=room, cells=cells))
        return Grid(view="week", days=days, slots=[], rows=rows, truncated=truncated)
    first = timezone.make_aware(dt.datetime.combine(day, dt.time(GRID_START_HOUR)))
    count = (GRID_END_HOUR - GRID_START_HOUR) * 60 // SLOT_MINUTES
    step = dt.timedelta(minutes=SLOT_MINUTES)
    slots = [first + step * n for n in range(count)]
    rows = []
    for room in rooms:
        bookings = occupied.get(room.pk, [])
        cells: list[Cell] = []
        for slot in slots:
            hit = next((b for b in bookings if b.start < slot + step and b.end > slot), None)
            if hit is not None and cells and cells[-1].booking is hit:
                cells[-1].span += 1
            else:
                cells.append(Cell(start=slot, booking=hit))
        rows.append(Row(room=room, cells=cells))
    return Grid(view="day", days=days, slots=slots, rows=rows, truncated=truncated)
