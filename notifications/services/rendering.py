"""Rendering a template code in one language: admin-edited rows first, then the files."""

from __future__ import annotations

from dataclasses import dataclass

from django.template import Context, Template, TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils.html import escape, linebreaks
from django.utils.translation import override

from ..models import MessageTemplate

FILE_PREFIX = "notifications/messages/"


@dataclass(frozen=True)
class Rendered:
    title: str
    body: str
    html: str = ""


def _one_line(text: str) -> str:
    return " ".join(text.split())


def text_to_html(text: str) -> str:
    """A minimal HTML part for a text body: escaped paragraphs."""
    return linebreaks(escape(text))


def template_render(*, code: str, language: str, context: dict) -> Rendered:
    """Title, text and HTML of ``code`` in ``language``.

    A ``MessageTemplate`` row (code, language) wins; else the files
    ``templates/notifications/messages/<code>.title.txt``, ``<code>.body.txt`` and optionally
    ``<code>.body.html`` are rendered under ``override(language)`` (so ``{% translate %}`` in
    them gives the language). Raises ``TemplateDoesNotExist`` when neither exists.
    """
    with override(language):
        row = MessageTemplate.objects.filter(code=code, language=language).first()
        if row is None and "-" in language:
            row = MessageTemplate.objects.filter(code=code, language=language.split("-")[0]).first()
        if row is not None:
            ctx = Context(context, autoescape=False)
            title = Template(row.title).render(ctx)
            body = Template(row.body).render(ctx)
            html = Template(row.body_html).render(Context(context)) if row.body_html else ""
            return Rendered(_one_line(title)[:300], body.strip(), html)
        base = FILE_PREFIX + code
        title = render_to_string(base + ".title.txt", context)
        body = render_to_string(base + ".body.txt", context)
        try:
            html = render_to_string(base + ".body.html", context)
        except TemplateDoesNotExist:
            html = ""
    return Rendered(_one_line(title)[:300], body.strip(), html)


def template_preview(*, template: MessageTemplate, context: dict | None = None) -> Rendered:
    """What ``template`` gives with ``context`` (default: its sample data): the admin preview."""
    data = template.sample_context if context is None else context
    with override(template.language):
        title = Template(template.title).render(Context(data, autoescape=False))
        body = Template(template.body).render(Context(data, autoescape=False))
        html = Template(template.body_html).render(Context(data)) if template.body_html else ""
    return Rendered(_one_line(title), body.strip(), html or text_to_html(body.strip()))
