"""Content kept in both languages (names of units, roles, applications): the one rule for
which text to show. Models with ``name_zh``/``name_en`` fields use
``core.models.BilingualNameMixin`` (its ``.name``); other pairs of fields call ``bilingual``.
"""

from __future__ import annotations

from django.utils.translation import get_language


def is_english(language: str | None = None) -> bool:
    """Whether ``language`` (default: the active language) is English."""
    return (language or get_language() or "zh-hant").lower().startswith("en")


def bilingual(zh: str, en: str, *, language: str | None = None) -> str:
    """The English text in English when it is set, else the Chinese one; in Chinese the
    Chinese text, else the English one (so an empty field never hides the other)."""
    if is_english(language):
        return en or zh
    return zh or en
