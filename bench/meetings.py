# ruff: noqa: PLC0415 - project and Django imports wait until django.setup() after migrate
"""Benchmark of meeting tracking on PostgreSQL: the search over ten years of history and the
build of a 40-unit meeting book.

Setup: a throwaway database ``mol_bench_meetings`` (dropped and created anew), migrated, then
ten years of generated history written with ``bulk_create``: BENCH_MEETINGS (default 500)
meetings of one series, 30 unit reports each (15,000, about 400 characters of Chinese and some
English), BENCH_DIRECTIVES (5,000) tracked cases (95 % closed), BENCH_PROGRESS (20,000)
progress notes and BENCH_ATTACHMENTS (5,000) attachment texts of about 1,500 characters, each
with its search entry (tokens from ``meetings.search.tokenize``, as the services write them),
then ``VACUUM ANALYZE``.

1. Search: ``selectors.search`` for an executive (every meeting) with typical Chinese queries
   (two to five characters) and English words, BENCH_RUNS times each (default 20): p50/p95 ms
   per language. Target p95 < 100 ms.
2. The meeting book of a new meeting with 40 units' material (each about 1,500 characters and a
   table of figures) and the cases still open: ``services.book_render`` (HTML and the PDF by
   WeasyPrint), three times: seconds and pages. Target < 10 s.

BENCH_KEEP=1 keeps the database afterwards (for EXPLAIN; drop it when done). Only
127.0.0.1; every loop is bounded. Exit code 1 when a target is missed.
"""

from __future__ import annotations

import os
import random
import secrets
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from _common import Postgres, manage  # noqa: E402

MEETINGS = int(os.environ.get("BENCH_MEETINGS", "500"))
UNITS_PER_MEETING = 30
DIRECTIVES = int(os.environ.get("BENCH_DIRECTIVES", "5000"))
PROGRESS = int(os.environ.get("BENCH_PROGRESS", "20000"))
ATTACHMENTS = int(os.environ.get("BENCH_ATTACHMENTS", "5000"))
RUNS = int(os.environ.get("BENCH_RUNS", "20"))
BOOK_UNITS = 40
DB_NAME = "mol_bench_meetings"
SEARCH_TARGET_MS = 100
BOOK_TARGET_S = 10

#: Generic wording of the material (no query hits it) and the subjects queries look for, each
#: appearing in a few per cent of the texts, as a subject does in real meeting material.
FILLER = (
    "本月 持續 辦理 相關 業務 已於 會議 完成 研議 各單位 配合 推動 規劃 執行 檢討 改善 "
    "協調 督導 追蹤 進度 報告 事項 案件 計畫 作業 程序 資料 系統 提報 說明 彙整 審查"
).split()
SUBJECTS = (
    "勞動基準法修正草案 職場霸凌防治指引 勞工保險年金給付 就業保險失業給付 勞資爭議調解 "
    "團體協約簽訂 職業安全衛生檢查 外籍移工聘僱管理 最低工資審議 勞工退休金提繳 "
    "資訊系統上線 資安事件通報 雲端機房遷移 公文線上簽核 數位轉型計畫 預算執行率 "
    "性別工作平等 部分工時勞工權益 職業訓練課程 青年就業促進 中高齡再就業 身心障礙者就業 "
    "加班費專案檢查 工時制度檢討 立法院質詢答復 地方政府協調會議 年度施政計畫 績效評核"
).split()
ENGLISH = (
    "labor insurance pension reform cloud migration cybersecurity audit "
    "workforce development occupational safety inspection budget execution"
).split()
CHINESE_QUERIES = [
    "霸凌",
    "勞資爭議",
    "年金給付",
    "資安",
    "最低工資審議",
    "雲端",
    "移工聘僱",
    "預算",
    "調解",
    "職業訓練",
]
ENGLISH_QUERIES = ["insurance", "cloud migration", "cybersecurity", "pension", "inspection"]


def text(rng: random.Random, words: int) -> str:
    parts = []
    for _ in range(words):
        roll = rng.random()
        if roll < 0.01:
            parts.append(rng.choice(SUBJECTS))
        elif roll < 0.012:
            parts.append(" " + rng.choice(ENGLISH) + " ")
        else:
            parts.append(rng.choice(FILLER))
        if rng.random() < 0.2:
            parts.append(rng.choice("，。、；"))
    return "".join(parts)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def generate(rng: random.Random):
    from django.db import connection
    from django.utils import timezone

    from accounts.models import User
    from core.models import Organization
    from meetings.choices import CaseStatus, MeetingStatus, ReportStatus
    from meetings.models import (
        CaseProgress,
        Meeting,
        MeetingSeries,
        ReportAttachment,
        SearchEntry,
        TrackedCase,
        UnitReport,
    )
    from meetings.search import tokenize

    units = list(Organization.objects.order_by("pk")[:BOOK_UNITS])
    if len(units) < BOOK_UNITS:
        for n in range(BOOK_UNITS - len(units)):
            units.append(
                Organization.objects.create(
                    parent=units[0], kind="section", code=f"B{n:03d}", name_zh=f"壓測單位{n}"
                )
            )
    author = User.objects.create(username="bench.author", name_zh="填報")
    series = MeetingSeries.objects.create(
        code="bench", kind="ministry", name_zh="部務會報", unit=units[0]
    )
    now = timezone.now()
    first = now - timedelta(days=3650)
    step = timedelta(days=3650 / MEETINGS)
    meetings = Meeting.objects.bulk_create(
        Meeting(
            series=series,
            year=(first + step * i).year - 1911,
            sequence=i + 1,
            title=f"第{i + 1}次部務會報",
            starts_at=first + step * i,
            status=MeetingStatus.MINUTES,
            filing_deadline=first + step * i - timedelta(2),
        )
        for i in range(MEETINGS)
    )
    entries = []

    def entry(kind, source_id, meeting, unit_id, title, body):
        entries.append(
            SearchEntry(
                kind=kind,
                source_id=source_id,
                meeting=meeting,
                series=series,
                unit_id=unit_id,
                day=meeting.starts_at.date(),
                title=title,
                text=body,
                tokens=tokenize(title + " " + body),
                url="/",
            )
        )

    reports = UnitReport.objects.bulk_create(
        (
            UnitReport(
                meeting=m,
                unit=units[u],
                order=u,
                status=ReportStatus.FILED,
                summary="<p>" + text(rng, 200) + "</p>",
                filed_by=author,
            )
            for m in meetings
            for u in range(UNITS_PER_MEETING)
        ),
        batch_size=2000,
    )
    for r in reports:
        entry("material", r.pk, r.meeting, r.unit_id, units[r.order].name_zh, r.summary[3:-4])
    attachments = ReportAttachment.objects.bulk_create(
        (
            ReportAttachment(
                report=rng.choice(reports),
                name=f"附件{i}.pdf",
                size=1000,
                content_type="application/pdf",
                text=text(rng, 750),
                file="x.pdf",
            )
            for i in range(ATTACHMENTS)
        ),
        batch_size=2000,
    )
    for a in attachments:
        entry("attachment", a.pk, a.report.meeting, a.report.unit_id, a.name, a.text)
    cases = TrackedCase.objects.bulk_create(
        (
            TrackedCase(
                number=f"B{i:06d}",
                year=100 + i // 1000,
                serial=i,
                meeting=m,
                directive=text(rng, 30),
                lead_unit=units[i % UNITS_PER_MEETING],
                due_date=(m.starts_at + timedelta(days=30)).date(),
                status=CaseStatus.CLOSED if rng.random() < 0.95 else CaseStatus.OPEN,
            )
            for i, m in enumerate(rng.choice(meetings[:-1]) for _ in range(DIRECTIVES))
        ),
        batch_size=2000,
    )
    for c in cases:
        entry("directive", c.pk, c.meeting, c.lead_unit_id, c.number, c.directive)
    notes = CaseProgress.objects.bulk_create(
        (
            CaseProgress(case=c, unit_id=c.lead_unit_id, text=text(rng, 50), author=author)
            for c in (rng.choice(cases) for _ in range(PROGRESS))
        ),
        batch_size=2000,
    )
    for p in notes:
        entry("progress", p.pk, p.case.meeting, p.unit_id, p.case.number, p.text)
    SearchEntry.objects.bulk_create(entries, batch_size=2000)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    book_meeting = Meeting.objects.create(
        series=series,
        year=now.year - 1911,
        sequence=MEETINGS + 1,
        title="壓測部務會報",
        starts_at=now + timedelta(days=1),
        status=MeetingStatus.FILING_CLOSED,
        filing_deadline=now,
    )
    UnitReport.objects.bulk_create(
        UnitReport(
            meeting=book_meeting,
            unit=u,
            order=n,
            status=ReportStatus.FILED,
            summary="".join(f"<p>{text(rng, 190)}</p>" for _ in range(4)),
            figures=[
                {"label": rng.choice(SUBJECTS), "value": str(rng.randint(1, 9999)), "note": ""}
                for _ in range(5)
            ],
        )
        for n, u in enumerate(units)
    )
    return book_meeting, len(entries)


def main() -> int:
    tmp = Path(tempfile.mkdtemp(prefix="mol-bench-meetings-"))
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_SETTINGS_MODULE": "mol_portal.settings",
        "DATA_DIR": str(tmp),
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_HTTPS": "0",
        "CELERY_TASK_ALWAYS_EAGER": "1",
        "LOG_LEVEL": "WARNING",
    }
    postgres = Postgres(DB_NAME)
    if not postgres.create():
        sys.exit("bench/meetings.py needs PostgreSQL on 127.0.0.1:5432")
    env["DATABASE_URL"] = postgres.url
    os.environ.update({k: v for k, v in env.items() if k != "PATH"})
    failed = False
    try:
        manage(env, "migrate", "--noinput", "-v", "0")
        django.setup()
        from accounts.models import Role, RoleAssignment, User
        from meetings import selectors, services
        from meetings.roles import EXECUTIVE

        started = time.perf_counter()
        book_meeting, entries = generate(random.Random(20261202))
        print(
            f"generated {MEETINGS} meetings, {entries} search entries in "
            f"{time.perf_counter() - started:.0f} s"
        )
        reader = User.objects.create(username="bench.reader", name_zh="首長")
        RoleAssignment.objects.create(user=reader, role=Role.objects.get(code=EXECUTIVE))

        print("| measure | p50 | p95 | target |\n|---|---|---|---|")
        for label, queries in (("Chinese", CHINESE_QUERIES), ("English", ENGLISH_QUERIES)):
            times, hits = [], 0
            for _run in range(RUNS):
                for query in queries:
                    reader = User.objects.get(pk=reader.pk)  # a new request: no role cache
                    t = time.perf_counter()
                    hits += len(selectors.search(reader, query))
                    times.append((time.perf_counter() - t) * 1000)
            p95 = percentile(times, 0.95)
            failed |= p95 >= SEARCH_TARGET_MS or hits == 0
            print(
                f"| search, {label} ({len(queries)} queries × {RUNS}, 50 hits max) | "
                f"{statistics.median(times):.0f} ms | {p95:.0f} ms | < {SEARCH_TARGET_MS} ms |"
            )
        builds = []
        for version in range(1, 4):
            t = time.perf_counter()
            _html, pdf, pages = services.book_render(book_meeting, version=version)
            builds.append(time.perf_counter() - t)
        carried = selectors.carried_cases(book_meeting).count()
        failed |= min(builds) >= BOOK_TARGET_S
        print(
            f"| meeting book, {BOOK_UNITS} units + {carried} carried cases, {pages} pages, "
            f"{len(pdf) // 1024} KB | {statistics.median(builds):.1f} s | {max(builds):.1f} s "
            f"| < {BOOK_TARGET_S} s |"
        )
    finally:
        from django.db import connections

        connections.close_all()
        if os.environ.get("BENCH_KEEP") == "1":  # to read query plans afterwards; drop it then
            print(f"kept {DB_NAME} (BENCH_KEEP=1): drop it when done")
        else:
            postgres.drop()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
