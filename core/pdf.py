"""Long PDFs laid out in parallel.

WeasyPrint lays a document out in one thread, about 50 ms a page for dense CJK text, so a
book of a hundred pages takes seconds on one core. A document whose parts each begin on a new
page (a book's parts) is the same PDF when each part is laid out alone and the results are
joined: ``render_joined`` lays the parts out in up to ``processes`` processes at once (forked
from this one, so nothing is imported again), joins them in order with their bookmarks
(pypdf), and writes the page numbers ("12 / 101", centred at the foot) onto the joined pages,
since no part knows its first page number until the parts before it are laid out. The numbers
are set in Helvetica, one of the fonts every PDF reader carries, so nothing more is embedded
and no page's drawing is parsed again: each page gets one more content stream.

The forked child only lays out a string it was given and writes the PDF to a file; it never
touches the database, and it leaves with ``os._exit`` (no atexit, no closing of the parent's
connections). Where ``fork`` is missing, a child fails, or one process is asked for, the parts
are laid out here, one after the other: the same PDF, only slower.
"""

from __future__ import annotations

import io
import logging
import os
import tempfile
from collections.abc import Sequence

from django.conf import settings
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, NameObject
from weasyprint import HTML

logger = logging.getLogger(__name__)

#: Fonts subset to the glyphs used (a CJK font is ~20 MB whole), no image recompression,
#: compressed streams.
PDF_OPTIONS = {"full_fonts": False, "optimize_images": False, "uncompressed_pdf": False}


def render(html: str) -> bytes:
    """One HTML document as PDF bytes."""
    return HTML(string=html).write_pdf(**PDF_OPTIONS)


def default_processes() -> int:
    """``PDF_PROCESSES`` when set, else the machine's cores (at most 4)."""
    configured = getattr(settings, "PDF_PROCESSES", 0)
    if configured:
        return max(1, int(configured))
    return max(1, min(4, os.cpu_count() or 1))


def _groups(parts: Sequence[str], count: int) -> list[list[int]]:
    """The parts' indexes in ``count`` groups of about equal length (longest first, each to
    the lightest group), heaviest group first."""
    groups: list[list[int]] = [[] for _ in range(count)]
    weights = [0] * count
    for index in sorted(range(len(parts)), key=lambda i: -len(parts[i])):
        lightest = weights.index(min(weights))
        groups[lightest].append(index)
        weights[lightest] += len(parts[index])
    return [g for _, g in sorted(zip(weights, groups, strict=True), key=lambda p: -p[0]) if g]


def _fork_render(indexes: list[int], parts: Sequence[str], directory: str) -> int | None:
    """Lay ``parts[indexes]`` out in a forked child writing ``<directory>/<index>.pdf``; its pid,
    or None when this system cannot fork."""
    if not hasattr(os, "fork"):
        return None
    pid = os.fork()
    if pid:
        return pid
    status = 1  # pragma: no cover - runs in the child, which coverage does not follow
    try:  # pragma: no cover
        for index in indexes:
            path = os.path.join(directory, f"{index}.pdf")
            with open(path + ".part", "wb") as f:
                f.write(render(parts[index]))
            os.replace(path + ".part", path)
        status = 0
    except BaseException:  # noqa: BLE001 - the parent lays the part out itself and logs it
        status = 1
    finally:  # pragma: no cover
        os._exit(status)


def render_parts(parts: Sequence[str], *, processes: int | None = None) -> list[bytes]:
    """Each HTML document of ``parts`` as PDF bytes, in order, laid out ``processes`` at once."""
    count = min(len(parts), processes or default_processes())
    if count <= 1:
        return [render(part) for part in parts]
    groups = _groups(parts, count)
    results: dict[int, bytes] = {}
    with tempfile.TemporaryDirectory(prefix="mol-pdf-") as directory:
        children = [
            (pid, group)
            for group in groups[1:]
            if (pid := _fork_render(group, parts, directory)) is not None
        ]
        forked = {i for _, group in children for i in group}
        for index in groups[0] + [i for group in groups[1:] for i in group if i not in forked]:
            results[index] = render(parts[index])
        for pid, group in children:
            _, status = os.waitpid(pid, 0)
            for index in group:
                path = os.path.join(directory, f"{index}.pdf")
                if status == 0 and os.path.exists(path):
                    with open(path, "rb") as f:
                        results[index] = f.read()
                else:
                    logger.warning("pdf: a layout process failed (%s); laid out here", status)
                    results[index] = render(parts[index])
    return [results[i] for i in range(len(parts))]


#: Helvetica's advance widths (thousandths of the size) of the characters a page number uses.
_WIDTHS = {**dict.fromkeys("0123456789", 556), " ": 278, "/": 278}
_FONT_NAME = "/MolPageNumber"


def _stamp_numbers(writer: PdfWriter, *, size: float, bottom: float) -> None:
    """Write "n / total" at the foot of every page of ``writer`` (``bottom`` points above the
    page's lower edge, centred)."""
    total = len(writer.pages)
    font = writer._add_object(  # noqa: SLF001 - pypdf's way to make an indirect object
        DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/Type1"),
                NameObject("/BaseFont"): NameObject("/Helvetica"),
                NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
            }
        )
    )
    save = DecodedStreamObject()
    save.set_data(b"q\n")
    save_ref = writer._add_object(save)  # noqa: SLF001
    for number, page in enumerate(writer.pages, start=1):
        text = f"{number} / {total}"
        width = sum(_WIDTHS[c] for c in text) * size / 1000
        box = page.mediabox
        x = float(box.left) + (float(box.width) - width) / 2
        y = float(box.bottom) + bottom
        stamp = DecodedStreamObject()
        stamp.set_data(
            f"Q\nq BT {_FONT_NAME} {size:g} Tf 0 g {x:.2f} {y:.2f} Td ({text}) Tj ET Q\n".encode()
        )
        contents = page.get("/Contents")
        existing = contents.get_object() if contents is not None else None
        streams = list(existing) if isinstance(existing, ArrayObject) else [contents]
        page[NameObject("/Contents")] = ArrayObject(
            [save_ref, *[s for s in streams if s is not None], writer._add_object(stamp)]  # noqa: SLF001
        )
        resources = page.get("/Resources")
        resources = resources.get_object() if resources is not None else DictionaryObject()
        page[NameObject("/Resources")] = resources
        fonts = resources.get("/Font")
        fonts = fonts.get_object() if fonts is not None else DictionaryObject()
        resources[NameObject("/Font")] = fonts
        fonts[NameObject(_FONT_NAME)] = font


def join(
    pdfs: Sequence[bytes], *, numbers: bool = True, size: float = 9, bottom: float = 25
) -> tuple[bytes, int]:
    """``(PDF bytes, pages)``: the PDFs one after the other, with their bookmarks and the first
    one's metadata; with ``numbers``, "n / total" at the foot of each page (``size`` points,
    its baseline ``bottom`` points above the lower edge)."""
    writer = PdfWriter()
    readers = [PdfReader(io.BytesIO(pdf)) for pdf in pdfs]
    for reader in readers:
        writer.append(reader, import_outline=True)
    if readers and readers[0].metadata:
        writer.add_metadata(dict(readers[0].metadata))
    if numbers:
        _stamp_numbers(writer, size=size, bottom=bottom)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue(), len(writer.pages)


def render_joined(
    parts: Sequence[str], *, numbers: bool = True, processes: int | None = None
) -> tuple[bytes, int]:
    """``(PDF bytes, pages)`` of ``parts`` (HTML documents, each beginning on a new page) laid
    out in parallel and joined, numbered; see the module's docstring."""
    return join(render_parts(parts, processes=processes), numbers=numbers)
