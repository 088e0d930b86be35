"""core.pdf: parts laid out in parallel processes are the same document as laid out here, in
order, with their bookmarks, and numbered "n / total" on every page; a failed child's part is
laid out here instead."""

import io
import os

import pytest
from pypdf import PdfReader

from core import pdf as core_pdf


def document(title: str, pages: int) -> str:
    body = "".join(
        f'<h2 style="break-before: page; bookmark-level: 1">{title} 第{n}節</h2>'
        f"<p>{title}內容{n}</p>"
        for n in range(1, pages + 1)
    )
    return (
        '<!DOCTYPE html><html lang="zh-Hant"><head><meta charset="utf-8"><title>冊</title>'
        '<style>body { font-family: "Noto Sans CJK TC"; }</style></head>'
        f"<body>{body}</body></html>"
    )


PARTS = [document("甲", 3), document("乙", 1), document("丙", 2)]


def texts(pdf: bytes) -> list[str]:
    return ["".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(pdf)).pages]


def titles(pdf: bytes) -> list[str]:
    return [o.title for o in PdfReader(io.BytesIO(pdf)).outline if not isinstance(o, list)]


def test_parallel_layout_gives_the_parts_in_order_as_laid_out_here():
    here = core_pdf.render_parts(PARTS, processes=1)
    parallel = core_pdf.render_parts(PARTS, processes=3)
    assert [texts(p) for p in parallel] == [texts(p) for p in here]
    assert [len(texts(p)) for p in parallel] == [3, 1, 2]


def test_the_joined_book_keeps_every_bookmark_and_numbers_every_page():
    pdf, pages = core_pdf.render_joined(PARTS, processes=2)
    assert pages == 6
    page_texts = texts(pdf)
    assert [t[-3:] for t in page_texts] == [f"{n}/6" for n in range(1, 7)]
    assert page_texts[0].startswith("甲第1節") and page_texts[3].startswith("乙第1節")
    assert titles(pdf) == ["甲 第1節", "甲 第2節", "甲 第3節", "乙 第1節", "丙 第1節", "丙 第2節"]
    assert PdfReader(io.BytesIO(pdf)).metadata.title == "冊"


def test_without_numbers_the_pages_carry_only_their_text():
    pdf, pages = core_pdf.render_joined(PARTS[:2], processes=1, numbers=False)
    assert pages == 4 and texts(pdf)[0] == "甲第1節甲內容1"


def test_a_part_whose_process_fails_is_laid_out_here(monkeypatch, caplog):
    parent = os.getpid()
    real = core_pdf.render

    def render(html):
        if os.getpid() != parent:
            raise RuntimeError("layout failed in the child")
        return real(html)

    monkeypatch.setattr(core_pdf, "render", render)
    pdfs = core_pdf.render_parts(PARTS, processes=3)
    assert [len(texts(p)) for p in pdfs] == [3, 1, 2]
    assert "a layout process failed" in caplog.text


def test_without_fork_everything_is_laid_out_here(monkeypatch):
    monkeypatch.delattr(os, "fork")
    pdfs = core_pdf.render_parts(PARTS, processes=3)
    assert [len(texts(p)) for p in pdfs] == [3, 1, 2]


@pytest.mark.parametrize(("configured", "expected"), [(0, None), (1, 1), (3, 3)])
def test_the_number_of_processes_follows_the_setting(settings, configured, expected):
    settings.PDF_PROCESSES = configured
    assert core_pdf.default_processes() == (expected or max(1, min(4, os.cpu_count() or 1)))
