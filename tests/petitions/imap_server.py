"""A real IMAP server for the intake tests: Debian's dovecot, started as a non-daemon on a
free loopback port with a generated configuration (no SSL, one static user, Maildir in a
temporary folder). Messages are delivered with IMAP APPEND."""

from __future__ import annotations

import grp
import imaplib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

USER = "intake"
PASSWORD = "intake-pass-123"  # noqa: S105 - throwaway test server


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class ImapServer:
    host: str
    port: int
    user: str
    password: str

    def append(self, raw: bytes, mailbox: str = "INBOX") -> None:
        conn = imaplib.IMAP4(self.host, self.port)
        try:
            conn.login(self.user, self.password)
            typ, data = conn.append(mailbox, None, None, raw)
            assert typ == "OK", data
        finally:
            conn.logout()

    def import_kwargs(self, **extra) -> dict:
        return {
            "host": self.host,
            "port": self.port,
            "user": self.user,
            "password": self.password,
            "use_ssl": False,
            **extra,
        }


CONFIG = """\
base_dir = {root}/run
state_dir = {root}/state
instance_name = petitions-test-{port}
listen = 127.0.0.1
protocols = imap
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
default_login_user = {login_user}
default_internal_user = {login_user}
default_internal_group = {login_group}
mail_location = maildir:{root}/mail/%u
mail_uid = {uid}
mail_gid = {gid}
first_valid_uid = 0
first_valid_gid = 0
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
}}
"""


def _login_user() -> tuple[str, str]:
    for name in ("dovenull", "nobody"):
        try:
            entry = pwd.getpwnam(name)
        except KeyError:
            continue
        return name, grp.getgrgid(entry.pw_gid).gr_name
    user = pwd.getpwuid(os.getuid())
    return user.pw_name, grp.getgrgid(user.pw_gid).gr_name


@pytest.fixture
def imap_server(needs_binary):
    binary = needs_binary("dovecot")
    # Not under pytest's tmp folder (mode 0700): dovecot's auth process runs as an unprivileged
    # user and must read the password file.
    root = Path(tempfile.mkdtemp(prefix="petitions-dovecot-"))
    for sub in ("run", "state", "mail", "home"):
        (root / sub).mkdir()
    os.chmod(root, 0o755)  # noqa: S103 - dovecot's unprivileged auth process reads it
    port = free_port()
    login_user, login_group = _login_user()
    uid, gid = os.getuid(), os.getgid()
    if uid == 0:  # dovecot refuses to run mail processes as root: use the login user
        entry = pwd.getpwnam(login_user)
        uid, gid = entry.pw_uid, entry.pw_gid
        for sub in ("mail", "home"):
            os.chown(root / sub, uid, gid)
    (root / "users").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
    config = root / "dovecot.conf"
    config.write_text(
        CONFIG.format(
            root=root,
            port=port,
            uid=uid,
            gid=gid,
            login_user=login_user,
            login_group=login_group,
        )
    )
    process = subprocess.Popen(  # noqa: S603 - fixed arguments
        [binary, "-F", "-c", str(config)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    server = ImapServer("127.0.0.1", port, USER, PASSWORD)
    try:
        deadline = time.monotonic() + 15
        while True:
            if process.poll() is not None:
                log = Path(root / "dovecot.log")
                output = process.stdout.read().decode(errors="replace")
                pytest.fail(
                    "dovecot exited: "
                    + output
                    + (log.read_text(errors="replace") if log.exists() else "")
                )
            try:
                conn = imaplib.IMAP4("127.0.0.1", port, timeout=2)
                conn.login(USER, PASSWORD)
                conn.logout()
                break
            except (OSError, imaplib.IMAP4.error):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield server
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        shutil.rmtree(root, ignore_errors=True)
