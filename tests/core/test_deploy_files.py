"""The deployment files (docker-compose.yml, Dockerfile, .env.example, the demo LDIF) refer only
to things that exist. No Docker engine runs in CI, so these read the files and resolve every
module, command and path they name against the project."""

import ast
import base64
import http.server
import json
import os
import re
import shlex
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import yaml
from celery.app.utils import find_app
from django.conf import settings
from django.core.management import get_commands
from django.utils.module_loading import import_string

from accounts.demo import DEMO_PASSWORD, DEMO_USERS
from mol_portal.celery import app as celery_app
from tests.conftest import port_open

ROOT = Path(__file__).resolve().parents[2]
APP_SERVICES = ("web", "worker", "beat")
SERVICES = {"postgres", "redis", "web", "proxy", "worker", "beat", "mailpit", "openldap"}
LDIF = ROOT / "accounts" / "fixtures" / "ldap" / "demo.ldif"
LDAP_BASE = "dc=mol,dc=gov,dc=tw"


# --- helpers --------------------------------------------------------------------------------


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def shell_tokens(command) -> list[str]:
    """Words of a command, looking inside ``sh -c "..."`` scripts."""
    argv = list(command) if isinstance(command, list) else shlex.split(command)
    if argv and argv[0] in {"CMD", "CMD-SHELL"}:
        argv = argv[1:] if argv[0] == "CMD" else ["sh", "-c", *argv[1:]]
    if len(argv) >= 3 and argv[0] in {"sh", "bash"} and argv[1] == "-c":
        lexer = shlex.shlex(argv[2], posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        return list(lexer)
    return argv


def option(tokens: list[str], *names: str) -> str | None:
    for i, token in enumerate(tokens[:-1]):
        if token in names:
            return tokens[i + 1]
        for name in names:
            if name.startswith("--") and token.startswith(name + "="):
                return token.split("=", 1)[1]
    return None


def check_references(tokens: list[str]) -> list[str]:
    """Resolve every manage.py subcommand, gunicorn app and Celery app/scheduler named in a
    command; return what was checked (so a test can assert something was)."""
    checked = []
    for i, token in enumerate(tokens):
        rest = tokens[i + 1 :]
        if token.endswith("manage.py"):
            assert rest and rest[0] in get_commands(), f"unknown manage.py command in {tokens}"
            checked.append(f"manage.py {rest[0]}")
        elif Path(token).name == "gunicorn":
            target = next(t for t in rest if not t.startswith("-"))
            module, _, attr = target.partition(":")
            assert callable(import_string(module + "." + (attr or "application")))
            checked.append(f"gunicorn {target}")
        elif Path(token).name == "celery":
            name = option(rest, "-A", "--app")
            assert name, f"celery without -A in {tokens}"
            assert find_app(name) is celery_app, f"celery -A {name} is not mol_portal.celery.app"
            checked.append(f"celery -A {name}")
    scheduler = option(tokens, "--scheduler", "-S")
    if scheduler:
        import_string(scheduler.replace(":", "."))
        checked.append(f"scheduler {scheduler}")
    return checked


def dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    lines, current = [], ""
    for raw in (ROOT / "Dockerfile").read_text(encoding="utf-8").splitlines():
        if raw.strip().startswith("#") or not raw.strip():
            continue
        current += raw.rstrip("\\").strip() + " "
        if not raw.rstrip().endswith("\\"):
            lines.append(current.strip())
            current = ""
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in lines]


SETTINGS_FILES = ("settings.py", "datadir.py")  # datadir: what the launchers prepare


def settings_env_reads() -> tuple[set[str], list[str]]:
    """Environment variable names read by settings.py and datadir.py, and the places
    (``file:line``) of any read this function does not understand (a dynamic name, a new
    helper...)."""
    names: set[str] = set()
    unknown: list[str] = []
    for file_name in SETTINGS_FILES:
        found, lines = _env_reads(ROOT / "mol_portal" / file_name)
        names |= found
        unknown += [f"{file_name}:{line}" for line in lines]
    return names, unknown


def _env_reads(path) -> tuple[set[str], list[int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}

    def reads_environ(node):
        return (
            isinstance(node, ast.Attribute)
            and node.attr in {"environ", "getenv"}
            and isinstance(node.value, ast.Name)
            and node.value.id == "os"
        )

    # Helpers such as env_bool(name, default): functions of settings.py that read os.environ.
    helpers = {
        node.name
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and any(map(reads_environ, ast.walk(node)))
    }

    def text(node):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        return None

    def in_helper(node):
        while node in parents:
            node = parents[node]
            if isinstance(node, ast.FunctionDef) and node.name in helpers:
                return True
        return False

    names, unknown = set(), []

    def add(name, node):
        if name:
            names.add(name)
        elif not in_helper(node):
            unknown.append(node.lineno)

    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if node.func.id in helpers or node.func.id == "env":
                add(text(node.args[0]) if node.args else None, node)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            if isinstance(owner, ast.Name) and owner.id == "os" and node.func.attr == "getenv":
                add(text(node.args[0]), node)
            elif isinstance(owner, ast.Name) and owner.id == "environ" and node.func.attr == "get":
                add(text(node.args[0]) if node.args else None, node)
            elif (
                isinstance(owner, ast.Name)
                and owner.id == "env"
                and not node.func.attr.endswith("_config")
                and node.func.attr != "parse_value"
            ):
                add(text(node.args[0]) if node.args else None, node)
        elif (
            isinstance(node, ast.Subscript)
            and isinstance(node.value, ast.Name)
            and node.value.id == "environ"
        ):
            add(text(node.slice), node)
        elif (
            isinstance(node, ast.Attribute)
            and node.attr == "environ"
            and isinstance(node.value, ast.Name)
            and node.value.id == "os"
        ):
            parent = parents[node]
            if isinstance(parent, ast.Attribute) and parent.attr in {"get", "setdefault"}:
                call = parents[parent]
                add(text(call.args[0]) if call.args else None, node)
            elif isinstance(parent, ast.Subscript):
                add(text(parent.slice), node)
            elif isinstance(parent, ast.Compare):
                add(text(parent.left), node)
            else:
                add(None, node)
    return names, unknown


def env_example() -> dict[str, str]:
    """NAME -> the comment line above it, for set (NAME=...) and optional (# NAME=...) lines."""
    entries, previous = {}, ""
    for line in (ROOT / ".env.example").read_text(encoding="utf-8").splitlines():
        match = re.match(r"^#?\s*([A-Z][A-Z0-9_]*)=", line)
        if match:
            assert match.group(1) not in entries, f"{match.group(1)} is listed twice"
            entries[match.group(1)] = previous
        previous = line if line.startswith("#") and not match else ""
    return entries


def compose_variables() -> set[str]:
    return set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", (ROOT / "docker-compose.yml").read_text()))


def ldif_entries() -> list[dict[str, list[str]]]:
    entries, current, last = [], {}, None
    lines = LDIF.read_text(encoding="utf-8").splitlines() + [""]
    for line in lines:
        if line.startswith("#"):
            continue
        if not line.strip():
            if current:
                entries.append(current)
            current, last = {}, None
            continue
        if line.startswith(" ") and last:  # folded line
            current[last][-1] += line[1:]
            continue
        name, _, value = line.partition(":")
        if value.startswith(":"):
            value = base64.b64decode(value[1:].strip()).decode("utf-8")
        current.setdefault(name, []).append(value.strip())
        last = name
    return entries


# --- docker-compose.yml ---------------------------------------------------------------------


def test_compose_has_the_eight_services():
    assert set(compose()["services"]) == SERVICES


def test_app_services_take_every_setting_from_env_file():
    services = compose()["services"]
    for name in APP_SERVICES:
        assert services[name]["env_file"] in (".env", [".env"]), name
        assert "environment" not in services[name], f"{name}: settings belong in .env"


def test_web_migrates_then_serves_the_wsgi_app_with_gunicorn():
    tokens = shell_tokens(compose()["services"]["web"]["command"])
    checked = check_references(tokens)
    assert checked[:2] == ["manage.py migrate", "gunicorn mol_portal.wsgi:application"]


def test_worker_runs_the_project_celery_app_on_every_routed_queue():
    tokens = shell_tokens(compose()["services"]["worker"]["command"])
    assert "celery -A mol_portal" in check_references(tokens)
    assert tokens[tokens.index("-A") + 2] == "worker"
    queues = set(option(tokens, "-Q", "--queues").split(","))
    assert {"default", "alerts", "mail", "reports"} <= queues
    assert celery_app.conf.task_default_queue in queues
    routed = {route.get("queue") for route in (celery_app.conf.task_routes or {}).values()}
    celery_app.finalize()  # merges the apps' BEAT entries into beat_schedule
    assert celery_app.conf.beat_schedule
    scheduled = {
        entry.get("options", {}).get("queue") for entry in celery_app.conf.beat_schedule.values()
    }
    assert (routed | scheduled) - {None} <= queues


def test_beat_uses_the_database_scheduler():
    tokens = shell_tokens(compose()["services"]["beat"]["command"])
    checked = check_references(tokens)
    assert "celery -A mol_portal" in checked
    assert tokens[tokens.index("-A") + 2] == "beat"
    assert option(tokens, "--scheduler") == settings.CELERY_BEAT_SCHEDULER


def test_service_healthchecks_refer_to_existing_commands():
    services = compose()["services"]
    worker_check = shell_tokens(services["worker"]["healthcheck"]["test"])
    assert "celery -A mol_portal" in check_references(worker_check)
    # beat serves no HTTP: the image's /healthz check must not mark it unhealthy.
    assert services["beat"]["healthcheck"] == {"disable": True}


def test_app_services_send_mail_to_mailpit():
    env = {
        line.split("=", 1)[0]: line.split("=", 1)[1]
        for line in (ROOT / ".env.example").read_text(encoding="utf-8").splitlines()
        if re.match(r"^[A-Z][A-Z0-9_]*=", line)
    }
    assert (env["EMAIL_HOST"], env["EMAIL_PORT"]) == ("mailpit", "1025")
    assert re.match(r"^postgres://[^@]+@postgres:5432/\w+$", env["DATABASE_URL"])
    assert env["REDIS_URL"].startswith("redis://redis:6379/")


def test_compose_bind_mounts_and_build_context_exist():
    services = compose()["services"]
    for name, service in services.items():
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            if source.startswith("."):
                assert (ROOT / source).exists(), f"{name}: {source} does not exist"
    assert (ROOT / services["web"]["build"] / "Dockerfile").exists()


def test_compose_images_are_the_expected_majors():
    services = compose()["services"]
    assert services["postgres"]["image"].startswith("postgres:16")
    assert services["redis"]["image"].startswith("redis:7")
    assert services["proxy"]["image"].startswith("nginx:1.")


# Words a compose command may use besides the ones check_references resolves.
SHELL_WORDS = {"sh", "exec", "until", "do", "done", "echo", "sleep", "cp", "true", "python"}


def test_every_app_service_command_names_only_existing_programs():
    """Each step of each app command (after &&, ;, do...) is a shell word, python manage.py
    with a real subcommand, gunicorn with an importable app or celery with the project app."""
    for name in APP_SERVICES:
        tokens = shell_tokens(compose()["services"][name]["command"])
        assert check_references(tokens), name
        starts = [tokens[0]] + [
            tokens[i + 1] for i, t in enumerate(tokens[:-1]) if t in {"&&", ";", "||", "do"}
        ]
        for word in starts:
            if word in {"exec", "until"}:
                continue
            assert word in SHELL_WORDS | {"gunicorn", "celery"}, f"{name}: unknown program {word}"
        for i, token in enumerate(tokens):
            if token == "python":
                assert tokens[i + 1] == "manage.py", f"{name}: python {tokens[i + 1]}"
            if token == "cp":
                source = tokens[i + 2].rstrip(".").rstrip("/")
                assert source == "/app/staticfiles", f"{name}: copies {source}"


def test_only_the_proxy_is_published_and_gunicorn_is_not():
    services = compose()["services"]
    assert "ports" not in services["web"], "gunicorn must be reached only through the proxy"
    assert services["proxy"]["ports"] == ["8080:8080"]
    mounts = {v.split(":")[1]: v.split(":")[0] for v in services["proxy"]["volumes"]}
    assert mounts["/etc/nginx/nginx.conf"] == "./docker/nginx/nginx.conf"
    nginx = (ROOT / "docker" / "nginx" / "nginx.conf").read_text(encoding="utf-8")
    # the folders nginx serves are the volumes the app writes
    app_volumes = dict(v.split(":")[:2] for v in services["web"]["volumes"])
    assert "alias /srv/static/;" in nginx and mounts["/srv/static"] == "static"
    assert app_volumes["static"] == "/data/static"
    assert "alias /srv/media/;" in nginx and mounts["/srv/media"] == "media"
    assert "server web:8000;" in nginx


def test_trusted_proxies_is_the_proxy_address_and_x_accel_matches_nginx():
    env = {
        line.split("=", 1)[0]: line.split("=", 1)[1]
        for line in (ROOT / ".env.example").read_text(encoding="utf-8").splitlines()
        if re.match(r"^[A-Z][A-Z0-9_]*=", line)
    }
    proxy = compose()["services"]["proxy"]
    assert env["TRUSTED_PROXIES"] == proxy["networks"]["portal"]["ipv4_address"]
    assert env["MEDIA_ROOT"] == "/data/media"
    nginx = (ROOT / "docker" / "nginx" / "nginx.conf").read_text(encoding="utf-8")
    prefix = env["MEDIA_X_ACCEL_REDIRECT_PREFIX"]
    block = nginx.split(f"location {prefix} {{", 1)[1].split("}", 1)[0]
    assert "internal;" in block, "the protected media location must be internal"
    for name in ("X-Forwarded-For $remote_addr", "X-Forwarded-Proto $scheme"):
        assert f"proxy_set_header {name};" in nginx, "the proxy must overwrite the header"


# --- Dockerfile -----------------------------------------------------------------------------


def test_dockerfile_is_based_on_python_311_slim_bookworm():
    bases = [args for op, args in dockerfile() if op == "FROM"]
    assert bases and all(b.split()[0] == "python:3.11-slim-bookworm" for b in bases)


def test_dockerfile_runs_gunicorn_as_a_non_root_user():
    instructions = dockerfile()
    users = [args for op, args in instructions if op == "USER"]
    assert users and users[-1] not in {"root", "0"}
    cmd = json.loads(next(args for op, args in reversed(instructions) if op == "CMD"))
    assert "gunicorn mol_portal.wsgi:application" in check_references(cmd)
    assert "0.0.0.0:8000" in cmd
    assert "8000" in [args for op, args in instructions if op == "EXPOSE"]


def test_dockerfile_healthcheck_script_exists_in_the_image():
    instructions = dockerfile()
    workdir = [args for op, args in instructions if op == "WORKDIR"][-1]
    healthcheck = next(args for op, args in instructions if op == "HEALTHCHECK")
    argv = json.loads(healthcheck.split(" CMD ", 1)[1])
    script = next(a for a in argv if a.endswith(".py"))
    assert script.startswith(workdir + "/")
    assert (ROOT / script.removeprefix(workdir + "/")).is_file()


def test_dockerfile_copies_existing_files_and_runs_existing_commands():
    checked = []
    for op, args in dockerfile():
        if op == "COPY" and "--from=" not in args:
            sources = [a for a in shlex.split(args) if not a.startswith("--")][:-1]
            for source in sources:
                assert (ROOT / source).exists(), f"COPY {source}: no such file"
        if op == "RUN":
            checked += check_references(shlex.split(args))
    assert "manage.py collectstatic" in checked


def test_dockerfile_installs_the_system_libraries():
    run = " ".join(args for op, args in dockerfile() if op == "RUN")
    for package in (
        "libldap2-dev",
        "libsasl2-dev",
        "libpango-1.0-0",
        "libpangoft2-1.0-0",
        "libharfbuzz-subset0",
        "fonts-noto-cjk",
    ):
        assert package in run


def test_dockerignore_keeps_secrets_and_local_state_out_of_the_image():
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".env", ".venv", "var", ".git"} <= set(ignored)


class _Healthz(http.server.BaseHTTPRequestHandler):
    status = 200

    def do_GET(self):  # noqa: N802 - http.server's name
        ok = self.path == "/healthz" and self.headers["Host"] == "portal.example.gov.tw"
        self.send_response(self.status if ok else 400)
        self.end_headers()
        self.wfile.write(b'{"status": "ok"}')

    def log_message(self, *args):
        pass


@pytest.mark.parametrize(("status", "exit_code"), [(200, 0), (503, 1)])
def test_healthcheck_script_passes_only_on_200(status, exit_code):
    handler = type("Handler", (_Healthz,), {"status": status})
    server = http.server.HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        result = subprocess.run(
            [sys.executable, str(ROOT / "docker" / "healthcheck.py"), str(server.server_port)],
            env={"ALLOWED_HOSTS": "portal.example.gov.tw,localhost"},
            capture_output=True,
            text=True,
            timeout=30,
        )
    finally:
        server.shutdown()
        server.server_close()
    assert result.returncode == exit_code, result.stdout + result.stderr


# --- .env.example ---------------------------------------------------------------------------


def test_every_environment_read_in_settings_is_understood():
    _, unknown = settings_env_reads()
    assert not unknown, f"{unknown}: teach settings_env_reads() this form"


def test_env_example_documents_every_setting_variable():
    names, _ = settings_env_reads()
    assert len(names) > 20
    missing = names - set(env_example())
    assert not missing, f"add to .env.example: {sorted(missing)}"


def test_env_example_lists_nothing_unknown():
    names, _ = settings_env_reads()
    unknown = set(env_example()) - names - compose_variables()
    assert not unknown, f"not read by settings.py nor docker-compose.yml: {sorted(unknown)}"


def test_every_env_example_entry_has_a_comment_line_above():
    undocumented = [name for name, comment in env_example().items() if len(comment) < 10]
    assert not undocumented


def test_compose_variables_are_in_env_example():
    assert compose_variables() <= set(env_example())


# --- the demo directory ---------------------------------------------------------------------


def test_demo_ldif_has_two_agency_directories():
    ous = [e for e in ldif_entries() if "organizationalUnit" in e.get("objectClass", [])]
    agencies = {e["dn"][0] for e in ous if e["dn"][0].count(",") == 3}
    assert agencies == {f"ou=mol,{LDAP_BASE}", f"ou=wda,{LDAP_BASE}"}


def test_demo_ldif_users_match_the_demo_accounts():
    demo = {username: number for username, number, *_ in DEMO_USERS}
    people = [e for e in ldif_entries() if "inetOrgPerson" in e.get("objectClass", [])]
    assert len(people) >= 4
    for person in people:
        (uid,) = person["uid"]
        assert person["employeeNumber"] == [demo[uid]], uid
        assert person["userPassword"] == [DEMO_PASSWORD]
        assert person["cn"][0] and person["mail"][0].startswith(uid + "@")
    agencies = {p["dn"][0].split(",", 2)[2] for p in people}
    assert len(agencies) == 2, "demo users in both agency directories"


def test_demo_ldif_loads_into_a_real_slapd(tmp_path, needs_binary, free_port):
    slapd = needs_binary("slapd")
    ldapadd = needs_binary("ldapadd")
    ldapsearch = needs_binary("ldapsearch")
    schema = Path("/etc/ldap/schema")
    (tmp_path / "db").mkdir()
    (tmp_path / "slapd.conf").write_text(
        "".join(f"include {schema}/{name}.schema\n" for name in ("core", "cosine", "inetorgperson"))
        + f"pidfile {tmp_path}/slapd.pid\n"
        "modulepath /usr/lib/ldap\nmoduleload back_mdb\n"
        f'database mdb\nsuffix "{LDAP_BASE}"\nrootdn "cn=admin,{LDAP_BASE}"\nrootpw test\n'
        f"directory {tmp_path}/db\n"
    )
    url = f"ldap://127.0.0.1:{free_port}"
    subprocess.run([slapd, "-f", str(tmp_path / "slapd.conf"), "-h", url + "/"], check=True)
    pidfile = tmp_path / "slapd.pid"
    try:
        deadline = time.monotonic() + 10
        while not port_open("127.0.0.1", free_port, 0.2):
            assert time.monotonic() < deadline, "slapd did not start"
            time.sleep(0.1)
        admin = ["-x", "-H", url, "-D", f"cn=admin,{LDAP_BASE}", "-w", "test"]
        base = f"dn: {LDAP_BASE}\nobjectClass: dcObject\nobjectClass: organization\n"
        base += "dc: mol\no: Ministry of Labor\n"
        subprocess.run([ldapadd, *admin], input=base, text=True, check=True, capture_output=True)
        loaded = subprocess.run(
            [ldapadd, *admin, "-f", str(LDIF)], text=True, capture_output=True, timeout=30
        )
        assert loaded.returncode == 0, loaded.stderr
        user = f"uid=lee.zhiwei,ou=people,ou=wda,{LDAP_BASE}"
        found = subprocess.run(
            [ldapsearch, "-x", "-LLL", "-H", url, "-D", user, "-w", DEMO_PASSWORD,
             "-b", LDAP_BASE, "(employeeNumber=W2001)", "uid"],
            text=True, capture_output=True, timeout=30,
        )  # fmt: skip
        assert found.returncode == 0, found.stderr
        assert "uid: lee.zhiwei" in found.stdout
    finally:
        if pidfile.exists():
            os.kill(int(pidfile.read_text()), signal.SIGTERM)
