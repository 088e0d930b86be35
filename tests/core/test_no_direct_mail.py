"""Every e-mail leaves through the notifications outbox: no other code calls Django's mail
functions or builds an e-mail message itself (issue 9). A new sender uses
``notifications.services.notify`` or ``outbox_email``."""

import ast
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
#: The outbox itself, the one place that talks to the mail backend; and the bulk sender next to
#: it (notifications.services.bulk), which keeps SMTP connections of its own for the scale of
#: the e-papers (one prepared message to a million recipients, its own rate limit and
#: connections) instead of one outbox row per message.
ALLOWED = {
    ROOT / "notifications" / "services" / "outbox.py",
    ROOT / "notifications" / "services" / "bulk.py",
}
FORBIDDEN = {
    "send_mail",
    "send_mass_mail",
    "mail_admins",
    "mail_managers",
    "EmailMessage",
    "EmailMultiAlternatives",
}
SKIPPED_DIRS = {".venv", "tests", "migrations", "var", "node_modules", "static", "bench"}


def project_files():
    for path in ROOT.rglob("*.py"):
        if SKIPPED_DIRS & set(path.relative_to(ROOT).parts):
            continue
        yield path


def mail_uses(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("django.core.mail"):
            found += [f"{path}:{node.lineno} imports {a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            found += [
                f"{path}:{node.lineno} imports {a.name}"
                for a in node.names
                if a.name.startswith("django.core.mail") or a.name == "smtplib"
            ]
        elif isinstance(node, ast.Attribute) and node.attr in FORBIDDEN:
            found.append(f"{path}:{node.lineno} uses .{node.attr}")
    return found


def test_no_app_sends_mail_except_through_the_outbox():
    problems = [use for path in project_files() if path not in ALLOWED for use in mail_uses(path)]
    assert problems == [], "send through notifications instead:\n" + "\n".join(problems)


def test_the_check_finds_a_direct_sender(tmp_path):
    sample = tmp_path / "sender.py"
    sample.write_text(
        "from django.core.mail import send_mail\nimport django.core.mail\n"
        "django.core.mail.EmailMessage('s', 'b', to=['a@example.com']).send()\n",
        encoding="utf-8",
    )
    assert len(mail_uses(sample)) == 3
