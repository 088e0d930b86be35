"""What a newcomer meets first: `make help`, `make dev` following the pins, the second-factor
notice next to the demo logins, and a quiet start (no kombu, WhiteNoise or repeated banners)."""

import logging
import os
import shutil
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from kombu import Connection

from accounts.demo import load_users
from tests.conftest import require

ROOT = Path(settings.BASE_DIR)
BANNER = "Celery runs in EAGER mode"


def make(*args) -> str:
    make_tool = shutil.which("make")
    require(make_tool is not None, "make is not installed")  # CI=true: a failure
    done = subprocess.run(
        [make_tool, "--no-print-directory", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return done.stdout


def test_make_help_lists_every_target_with_its_purpose():
    text = make("help")
    for target in ("run", "test", "dev", "install", "lint", "bench", "messages", "schema"):
        assert f"  {target} " in text, f"make help does not list {target}"
    assert "ARGS=" in text


@pytest.mark.parametrize("pins", ["pyproject.toml", "requirements.lock"])
def test_make_dev_reinstalls_when_the_pins_change(pins):
    # -n: print, do not run; -W: as if the pins file had just changed.
    assert "pip install" in make("-n", "-W", pins, "dev")
    assert "pip install" in make("-n", "-W", pins, "test")


@pytest.mark.django_db
def test_the_demo_logins_say_who_needs_a_second_factor_and_how_to_enrol(settings):
    settings.MFA_REQUIRED_FOR_STAFF = True
    out = StringIO()
    load_users(out)
    text = out.getvalue()
    assert "demo logins (password mol-demo-2026)" in text
    assert "second factor required for: admin, wang.jianguo." in text
    assert "authenticator app" in text

    settings.MFA_REQUIRED_FOR_STAFF = False
    out = StringIO()
    load_users(out)
    assert "second factor: not required" in out.getvalue()


def test_the_embedded_broker_url_names_a_host(caplog):
    with caplog.at_level(logging.WARNING, logger="kombu.connection"):
        Connection(settings.CELERY_BROKER_URL)._info(resolve=False)
    assert "No hostname was supplied" not in caplog.text


def _embedded_run(tmp_path, code: str) -> str:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "CELERY_TASK_ALWAYS_EAGER", "STATIC_ROOT"}
    }
    env.update(DJANGO_SETTINGS_MODULE="mol_portal.settings", DATA_DIR=str(tmp_path / "var"))
    done = subprocess.run(
        [sys.executable, "-W", "always", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout + done.stderr


def test_the_web_process_starts_quietly_and_warns_about_eager_mode_once(tmp_path):
    output = _embedded_run(
        tmp_path,
        "import django; django.setup(); import django.conf;"
        "import mol_portal.wsgi; from django.core.management import call_command;"
        "call_command('check')",
    )
    assert "No directory at" not in output
    assert output.count(BANNER) == 1, output


def test_management_commands_do_not_print_the_eager_banner(tmp_path):
    output = _embedded_run(
        tmp_path, "import django; django.setup(); from django.conf import settings"
    )
    assert BANNER not in output
