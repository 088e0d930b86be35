"""The committed translation catalogues are complete and compiled.

(a) ``makemessages`` run on a copy of the sources must find nothing new: every message of the
    code and templates is in the committed zh_Hant catalogue and translated, with no fuzzy
    entry. A new string fails here, by name, until someone runs ``make messages`` and
    translates it.
(b) Every committed ``.mo`` says exactly what its ``.po`` says (a fresh machine does not need
    gettext to run the site, so the compiled files must never lag behind).
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.apps import apps
from django.conf import settings
from django.utils import translation

ROOT = Path(settings.BASE_DIR)
LOCALE = ROOT / "locale"
LANGUAGES = ["zh_Hant", "en"]
MAKEMESSAGES = [
    "manage.py", "makemessages", "-l", "zh_Hant", "-l", "en", "--no-obsolete",
    "--ignore=.venv/*", "--ignore=var/*", "--ignore=tests/*", "--ignore=bench/*",
    "--ignore=static/vendor/*", "--ignore=node_modules/*",
]  # fmt: skip
COPY_IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", "node_modules", "*.egg-info")


def project_app_folders() -> list[Path]:
    """Folders of the project's own apps (not Django's or third-party ones)."""
    folders = []
    for config in apps.get_app_configs():
        path = Path(config.path).resolve()
        if path.parent == ROOT:
            folders.append(path)
    return folders


def entry_key(entry) -> tuple:
    return (entry.msgctxt or "", entry.msgid, entry.msgid_plural or "")


def describe(entry) -> str:
    where = ", ".join(f"{f}:{n}" for f, n in entry.occurrences[:3])
    context = f" (context {entry.msgctxt!r})" if entry.msgctxt else ""
    return f"  {entry.msgid!r}{context}  [{where}]"


@pytest.fixture(scope="module")
def _makemessages_runs():
    return {}


@pytest.fixture
def regenerated(needs_binary, tmp_path_factory, _makemessages_runs):
    """The catalogues that makemessages (run exactly as `make messages` does, on a copy of the
    sources) produces. Run once per module."""
    for tool in ("xgettext", "msgmerge", "msgfmt"):
        needs_binary(tool)
    if "catalogues" not in _makemessages_runs:
        _makemessages_runs["catalogues"] = run_makemessages(tmp_path_factory.mktemp("messages"))
    return _makemessages_runs["catalogues"]


def run_makemessages(workdir: Path) -> dict[str, polib.POFile]:
    copy = workdir / "project"
    copy.mkdir()
    for folder in {*project_app_folders(), ROOT / "mol_portal"}:
        shutil.copytree(folder, copy / folder.name, ignore=COPY_IGNORE)
    for folder in ("templates", "locale"):
        if (ROOT / folder).is_dir():
            shutil.copytree(ROOT / folder, copy / folder, ignore=COPY_IGNORE)
    shutil.copy2(ROOT / "manage.py", copy / "manage.py")

    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env.update(DJANGO_SETTINGS_MODULE="mol_portal.settings", DATA_DIR=str(workdir / "var"))
    result = subprocess.run(
        [sys.executable, *MAKEMESSAGES], cwd=copy, env=env, capture_output=True, text=True,
        timeout=300, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert result.returncode == 0, f"makemessages failed:\n{result.stdout}\n{result.stderr}"
    return {lang: polib.pofile(str(copy / "locale" / lang / "LC_MESSAGES" / "django.po"))
            for lang in LANGUAGES}  # fmt: skip


def committed(lang: str) -> polib.POFile:
    return polib.pofile(str(LOCALE / lang / "LC_MESSAGES" / "django.po"))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_makemessages_finds_no_message_missing_from_the_catalogue(regenerated, lang):
    known = {entry_key(e) for e in committed(lang) if not e.obsolete}

    missing = [e for e in regenerated[lang] if not e.obsolete and entry_key(e) not in known]

    assert not missing, (
        f"{len(missing)} message(s) are not in locale/{lang}/LC_MESSAGES/django.po; "
        "run `make messages` and translate them:\n" + "\n".join(map(describe, missing))
    )


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_message_is_translated_and_none_is_fuzzy(regenerated, lang):
    catalogue = regenerated[lang]

    untranslated = catalogue.untranslated_entries()
    fuzzy = catalogue.fuzzy_entries()

    assert not untranslated, (
        f"{len(untranslated)} untranslated message(s) in {lang}:\n"
        + "\n".join(map(describe, untranslated))
    )
    assert not fuzzy, f"{len(fuzzy)} fuzzy message(s) in {lang}:\n" + "\n".join(
        map(describe, fuzzy)
    )
    assert len(catalogue.translated_entries()) > 100


def test_committed_catalogues_have_no_fuzzy_or_untranslated_entries():
    for lang in LANGUAGES:
        catalogue = committed(lang)
        bad = catalogue.untranslated_entries() + catalogue.fuzzy_entries()
        assert not bad, f"locale/{lang}: " + "\n".join(map(describe, bad))
        assert not catalogue.metadata_is_fuzzy, f"locale/{lang}: the header is marked fuzzy"


def translations(entries) -> dict[tuple, tuple]:
    return {
        entry_key(e): (e.msgstr, tuple(sorted(e.msgstr_plural.items())))
        for e in entries
        if e.msgid  # not the header
    }


@pytest.mark.parametrize("lang", LANGUAGES)
def test_compiled_catalogue_matches_its_source(tmp_path, lang):
    po_path = LOCALE / lang / "LC_MESSAGES" / "django.po"
    mo_path = po_path.with_suffix(".mo")
    assert mo_path.exists(), f"{mo_path.relative_to(ROOT)} is not committed: run compilemessages"

    expected_mo = tmp_path / "expected.mo"
    polib.pofile(str(po_path)).save_as_mofile(str(expected_mo))
    expected = translations(polib.mofile(str(expected_mo)))
    actual = translations(polib.mofile(str(mo_path)))

    stale = sorted(
        k[1] for k in expected.keys() | actual.keys() if expected.get(k) != actual.get(k)
    )
    assert not stale, (
        f"locale/{lang}/LC_MESSAGES/django.mo is out of date with its .po for "
        f"{len(stale)} message(s), e.g. {stale[:5]!r}; run "
        "`.venv/bin/python manage.py compilemessages --ignore='.venv/*'`"
    )
    assert len(actual) > 100


def test_chinese_catalogue_is_used_at_run_time():
    with translation.override("zh-hant"):
        assert translation.gettext("Ministry of Labor") == "勞動部"
    with translation.override("en"):
        assert translation.gettext("Ministry of Labor") == "Ministry of Labor"
