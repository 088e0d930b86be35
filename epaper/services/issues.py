"""Writing an issue: sanitised HTML, the generated plain-text part, the life until sending.

Contracts:

- ``Issue.html`` is always the output of ``clean_html`` (nh3): headings, paragraphs, links
  (``href`` http, https or mailto only), images (``src`` our own asset URLs, made absolute, or
  any https URL; ``alt``, ``width``, ``height``), lists, tables, strong/em, blockquote, hr and
  br; everything else is dropped (scripts and styles with their content, event attributes,
  ``javascript:`` links) and bidirectional control characters are removed from the text.
  ``Issue.text`` is ``html_to_text(html)``: the plain-text part of the mail, links written as
  "text (url)". The sender (``services/sending.py``) uses both as stored.
- Every write takes ``actor=`` and checks it here (``selectors_archive.may_edit``: the
  newsletter's editors' role or ``epaper.manager``); a refusal is ``PermissionDenied``, so the
  pages, the admin and any other caller share one rule.
- An issue is edited while it is a draft or scheduled; once its sending started (state
  sending or sent) or it was cancelled it is read-only (``ValidationError`` code
  ``not_editable``). Each write locks the issue row (``select_for_update``), so a send that
  starts at the same moment (a conditional update from scheduled) waits for it and sees the
  result.
- ``issue_schedule`` sets state scheduled and ``scheduled_at`` (now or later, in the site's
  time zone, Asia/Taipei), and gives the issue its public number on the first schedule:
  ``core.sequences.next_value(scope="epaper:issue:<code>", year=0)``, one gap-free counter per
  newsletter. The number stays when the issue is unscheduled (back to draft) or rescheduled,
  so its archive URL never changes; a cancelled issue keeps its number unused.
"""

from __future__ import annotations

import re
import unicodedata
from html.parser import HTMLParser

import nh3
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.http import site_url
from core.sequences import next_value
from core.text import clean_line, strip_bidi_controls

from ..constants import ISSUE_NUMBER_SCOPE
from ..models import Issue, IssueState, Newsletter
from ..selectors_archive import may_edit

#: Issue numbers run on for ever: one counter per newsletter, ``year`` 0.
ISSUE_NUMBER_YEAR = 0
#: States in which an issue's title and content may change.
EDITABLE_STATES = (IssueState.DRAFT, IssueState.SCHEDULED)
#: Largest HTML an editor may save (characters).
MAX_HTML_CHARS = 500_000

ALLOWED_TAGS = {
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "p",
    "a",
    "img",
    "ul",
    "ol",
    "li",
    "table",
    "caption",
    "thead",
    "tbody",
    "tfoot",
    "tr",
    "th",
    "td",
    "strong",
    "em",
    "blockquote",
    "hr",
    "br",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
    "th": {"scope", "colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
}
URL_SCHEMES = {"http", "https", "mailto"}
_LINK_PREFIXES = ("http://", "https://", "mailto:")
_MAX_IMAGE_SIDE = 2000
_MAX_SPAN = 50


def asset_path_prefix() -> str:
    """``/epaper/assets/``: the path every issue image is served under (``epaper:asset``)."""
    return reverse("epaper:asset", args=[0]).removesuffix("0/")


def _asset_path(value: str) -> str | None:
    """The path of one of our asset URLs (relative, or absolute on our site), else None."""
    prefix = asset_path_prefix()
    root = site_url()
    path = value[len(root) :] if value.startswith(root + "/") else value
    if re.fullmatch(re.escape(prefix) + r"[0-9]+/", path):
        return path
    return None


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    if tag == "a" and attribute == "href":
        return value if value.lower().startswith(_LINK_PREFIXES) else None
    if tag == "img" and attribute == "src":
        ours = _asset_path(value)
        if ours is not None:
            return site_url() + ours
        return value if value.lower().startswith("https://") else None
    if attribute in ("width", "height"):
        return value if value.isdigit() and 0 < int(value) <= _MAX_IMAGE_SIDE else None
    if attribute in ("colspan", "rowspan"):
        return value if value.isdigit() and 0 < int(value) <= _MAX_SPAN else None
    if attribute == "scope":
        return value if value in ("row", "col", "rowgroup", "colgroup") else None
    return value


_IMAGE_WITHOUT_SOURCE = re.compile(r"<img(?![^>]*\ssrc=)[^>]*>")
_LINK_WITHOUT_HREF = re.compile(r"<a(?![^>]*\shref=)[^>]*>(.*?)</a>", re.S)


def clean_html(html: str) -> str:
    """``html`` reduced to what a newsletter may contain (see the module's contracts)."""
    text = strip_bidi_controls(str(html or ""))
    cleaned = nh3.clean(
        text,
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style"},
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_attribute_filter,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    # An image whose address was refused, and a link whose address was refused, are dropped
    # (the link's text stays).
    cleaned = _IMAGE_WITHOUT_SOURCE.sub("", cleaned)
    cleaned = _LINK_WITHOUT_HREF.sub(r"\1", cleaned)
    return cleaned.strip()


_HEADING_TAG = re.compile(r"<(/?)h([1-6])>")


def page_html(html: str) -> str:
    """An issue's HTML for a page of the site (the archive, the editors' preview): cleaned
    again (whatever wrote the field), headings one level down (the page's ``h1`` is the
    issue's title) and our own images by path, so they load from the host the page is read
    on."""
    cleaned = clean_html(html)
    cleaned = _HEADING_TAG.sub(lambda m: f"<{m.group(1)}h{min(int(m.group(2)) + 1, 6)}>", cleaned)
    return cleaned.replace(f'src="{site_url()}{asset_path_prefix()}', f'src="{asset_path_prefix()}')


# --- The plain-text part ----------------------------------------------------------------------


def display_width(text: str) -> int:
    """Columns ``text`` takes in a monospaced mail reader (CJK characters count two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


_VOID = {"img", "br", "hr"}
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_BLOCKS = _HEADINGS | {"p", "ul", "ol", "li", "table", "blockquote", "hr", "caption"}


class _Node:
    __slots__ = ("tag", "attrs", "children")

    def __init__(self, tag: str, attrs: dict):
        self.tag = tag
        self.attrs = attrs
        self.children: list = []


class _TreeBuilder(HTMLParser):
    """A tree of the (well-formed, sanitised) HTML: ``_Node`` elements and ``str`` texts."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = _Node("root", {})
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        node = _Node(tag, {name: value or "" for name, value in attrs})
        self.stack[-1].children.append(node)
        if tag not in _VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1].children.append(_Node(tag, {name: value or "" for name, value in attrs}))

    def handle_endtag(self, tag):
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def _inline(children) -> str:
    """The text of inline content: white space collapsed, ``br`` a line break, links
    "text (url)", images "[alt]"."""
    parts: list[str] = []
    for child in children:
        if isinstance(child, str):
            parts.append(re.sub(r"\s+", " ", child))
        elif child.tag == "br":
            parts.append("\n")
        elif child.tag == "img":
            alt = clean_line(child.attrs.get("alt", ""))
            if alt:
                parts.append(f"[{alt}]")
        elif child.tag == "a":
            text = _inline(child.children)
            href = child.attrs.get("href", "")
            shown = href[len("mailto:") :] if href.lower().startswith("mailto:") else href
            if href and text and text not in (href, shown):
                parts.append(f"{text} ({shown})")
            else:
                parts.append(text or shown)
        elif child.tag in _BLOCKS:
            parts.append(" " + _inline(child.children) + " ")
        else:
            parts.append(_inline(child.children))
    lines = ("".join(parts)).split("\n")
    return "\n".join(re.sub(r" {2,}", " ", line).strip() for line in lines).strip("\n")


def _list_lines(node: _Node, depth: int) -> list[str]:
    lines: list[str] = []
    number = 0
    for item in node.children:
        if isinstance(item, str) or item.tag != "li":
            continue
        number += 1
        marker = f"{number}. " if node.tag == "ol" else "- "
        indent = "  " * depth
        inline = [c for c in item.children if isinstance(c, str) or c.tag not in ("ul", "ol")]
        text = _inline(inline)
        pad = indent + " " * len(marker)
        first, *rest = text.split("\n") if text else [""]
        lines.append(f"{indent}{marker}{first}".rstrip())
        lines.extend(f"{pad}{line}".rstrip() for line in rest)
        for child in item.children:
            if not isinstance(child, str) and child.tag in ("ul", "ol"):
                lines.extend(_list_lines(child, depth + 1))
    return lines


def _table_lines(node: _Node) -> list[str]:
    lines: list[str] = []
    for child in node.children:
        if isinstance(child, str):
            continue
        if child.tag == "caption":
            caption = _inline(child.children)
            if caption:
                lines.append(caption)
        elif child.tag in ("thead", "tbody", "tfoot"):
            lines.extend(_table_lines(child))
        elif child.tag == "tr":
            cells = [
                _inline(cell.children).replace("\n", " ")
                for cell in child.children
                if not isinstance(cell, str) and cell.tag in ("th", "td")
            ]
            if any(cells):
                lines.append(" | ".join(cells))
    return lines


def _blocks(children) -> list[str]:
    """Paragraphs of text, one per block element (and per run of loose inline content)."""
    blocks: list[str] = []
    loose: list = []

    def flush():
        text = _inline(loose)
        loose.clear()
        if text:
            blocks.append(text)

    for child in children:
        if isinstance(child, str) or child.tag not in _BLOCKS:
            loose.append(child)
            continue
        flush()
        tag = child.tag
        if tag in _HEADINGS:
            text = _inline(child.children).replace("\n", " ")
            if text and tag in ("h1", "h2"):
                rule = "=" if tag == "h1" else "-"
                blocks.append(f"{text}\n{rule * display_width(text)}")
            elif text:
                blocks.append(text)
        elif tag in ("p", "caption", "li"):
            text = _inline(child.children)
            if text:
                blocks.append(text)
        elif tag in ("ul", "ol"):
            lines = _list_lines(child, 0)
            if lines:
                blocks.append("\n".join(lines))
        elif tag == "table":
            lines = _table_lines(child)
            if lines:
                blocks.append("\n".join(lines))
        elif tag == "hr":
            blocks.append("-" * 40)
        elif tag == "blockquote":
            inner = "\n\n".join(_blocks(child.children))
            if inner:
                blocks.append("\n".join(f"> {line}".rstrip() for line in inner.split("\n")))
    flush()
    return blocks


def html_to_text(html: str) -> str:
    """The plain-text part of ``html`` (sanitised HTML): paragraphs separated by a blank
    line, the first two heading levels underlined, list items "- " or "1. ", table rows with
    cells separated by " | ", quotations "> ", links "text (url)", images by their alt text."""
    if not (html or "").strip():
        return ""
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    blocks = _blocks(builder.root.children)
    return "\n\n".join(blocks) + "\n" if blocks else ""


# --- Template -----------------------------------------------------------------------------------


def issue_template_html(newsletter: Newsletter) -> str:
    """The HTML a new issue starts from (``templates/epaper/issue_template.html``), sanitised
    like every issue."""
    html = render_to_string(
        "epaper/issue_template.html", {"newsletter": newsletter, "site_url": site_url()}
    )
    return clean_html(html)


# --- Writes -------------------------------------------------------------------------------------


def ensure_editor(actor, newsletter: Newsletter) -> None:
    if actor is None or not may_edit(actor, newsletter):
        raise PermissionDenied(_("You may not edit the issues of this newsletter."))


def _clean_fields(title: str, html: str) -> tuple[str, str, str]:
    title = clean_line(title)
    errors = {}
    if not title:
        errors["title"] = [_("Give the issue a title.")]
    elif len(title) > Issue._meta.get_field("title").max_length:
        errors["title"] = [_("The title may be at most 200 characters long.")]
    if len(html or "") > MAX_HTML_CHARS:
        errors["html"] = [
            _("The content is too long: at most %(max)s characters.") % {"max": MAX_HTML_CHARS}
        ]
    if errors:
        raise ValidationError(errors)
    cleaned = clean_html(html)
    return title, cleaned, html_to_text(cleaned)


def lock_issue(issue: Issue) -> Issue:
    return Issue.objects.select_for_update().select_related("newsletter").get(pk=issue.pk)


def ensure_editable(issue: Issue) -> None:
    if issue.state not in EDITABLE_STATES:
        raise ValidationError(
            _("This issue is %(state)s: it can no longer be changed.")
            % {"state": issue.get_state_display()},
            code="not_editable",
        )


def issue_create(*, newsletter: Newsletter, title: str, html: str, actor) -> Issue:
    """A new draft of ``newsletter`` written by ``actor``."""
    ensure_editor(actor, newsletter)
    title, cleaned, text = _clean_fields(title, html)
    return Issue.objects.create(
        newsletter=newsletter,
        title=title,
        html=cleaned,
        text=text,
        state=IssueState.DRAFT,
        created_by=actor,
    )


@transaction.atomic
def issue_update(*, issue: Issue, title: str, html: str, actor) -> Issue:
    """New title and content of a draft or scheduled issue."""
    ensure_editor(actor, issue.newsletter)
    issue = lock_issue(issue)
    ensure_editable(issue)
    issue.title, issue.html, issue.text = _clean_fields(title, html)
    issue.save(update_fields=["title", "html", "text", "updated_at"])
    return issue


def _aware(at):
    if at is None:
        raise ValidationError({"at": [_("Give the date and time to send the issue.")]})
    if timezone.is_naive(at):
        at = timezone.make_aware(at, timezone.get_default_timezone())
    return at


@transaction.atomic
def issue_schedule(*, issue: Issue, at, actor) -> Issue:
    """Send ``issue`` at ``at`` (now or later; a naive time is read in Asia/Taipei): state
    scheduled, and its number on the first schedule. The periodic send (``epaper.send_due``)
    starts it once ``at`` has come."""
    ensure_editor(actor, issue.newsletter)
    at = _aware(at)
    issue = lock_issue(issue)
    ensure_editable(issue)
    now = timezone.now()
    if at < now.replace(second=0, microsecond=0):
        raise ValidationError({"at": [_("The time to send is in the past: choose now or later.")]})
    errors = {}
    if not issue.title.strip():
        errors["title"] = [_("Give the issue a title before scheduling it.")]
    if not issue.text.strip():
        errors["html"] = [_("The issue has no content yet: write it before scheduling it.")]
    if errors:
        raise ValidationError(errors)
    if issue.number is None:
        issue.number = next_value(
            scope=f"{ISSUE_NUMBER_SCOPE}:{issue.newsletter.code}", year=ISSUE_NUMBER_YEAR
        )
    issue.state = IssueState.SCHEDULED
    issue.scheduled_at = max(at, now) if at < now else at
    issue.save(update_fields=["number", "state", "scheduled_at", "updated_at"])
    return issue


@transaction.atomic
def issue_unschedule(*, issue: Issue, actor) -> Issue:
    """A scheduled issue back to draft (it keeps its number)."""
    ensure_editor(actor, issue.newsletter)
    issue = lock_issue(issue)
    if issue.state != IssueState.SCHEDULED:
        raise ValidationError(
            _("Only a scheduled issue can be taken back to draft; this one is %(state)s.")
            % {"state": issue.get_state_display()},
            code="not_scheduled",
        )
    issue.state = IssueState.DRAFT
    issue.scheduled_at = None
    issue.save(update_fields=["state", "scheduled_at", "updated_at"])
    return issue


@transaction.atomic
def issue_cancel(*, issue: Issue, actor) -> Issue:
    """Drop a draft or scheduled issue for good (it is kept, cancelled, never sent)."""
    ensure_editor(actor, issue.newsletter)
    issue = lock_issue(issue)
    ensure_editable(issue)
    issue.state = IssueState.CANCELLED
    issue.scheduled_at = None
    issue.save(update_fields=["state", "scheduled_at", "updated_at"])
    return issue
