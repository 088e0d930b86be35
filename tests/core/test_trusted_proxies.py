"""Forwarded headers are believed only from TRUSTED_PROXIES (core.http): a client talking to
gunicorn directly can neither rotate its apparent address nor claim https, with or without
DJANGO_BEHIND_PROXY. The real nginx of docker/nginx/nginx.conf, run in front of the live
server, overwrites whatever X-Forwarded-* the client sent."""

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
import requests
from axes.models import AccessAttempt
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse, JsonResponse
from django.test import RequestFactory
from django.urls import include, path

from core.http import client_ip, strip_untrusted_forwarded_headers
from tests.conftest import port_open, require

from .conftest import find_free_port, process_env, run_python

ROOT = Path(__file__).resolve().parents[2]
NGINX_CONF = ROOT / "docker" / "nginx" / "nginx.conf"


@login_not_required
def whoami(request):
    return JsonResponse(
        {"ip": client_ip(request), "secure": request.is_secure(), "host": request.get_host()}
    )


@login_not_required
def accel(request):
    response = HttpResponse(content_type="text/plain")
    response["Content-Disposition"] = 'attachment; filename="note.txt"'
    response["X-Accel-Redirect"] = "/protected-media/petitions/note.txt"
    return response


urlpatterns = [
    path("test-whoami/", whoami),
    path("test-accel/", accel),
    path("", include("mol_portal.urls")),
]


def request_from(remote, **headers):
    request = RequestFactory().get("/", REMOTE_ADDR=remote, **headers)
    strip_untrusted_forwarded_headers(request)
    return request


# --- the rule -------------------------------------------------------------------------------


def test_a_client_not_behind_a_trusted_proxy_cannot_choose_its_address(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.10"]
    for spoofed in ("6.6.6.6", "6.6.6.6, 7.7.7.7", "10.0.0.10"):
        request = RequestFactory().get("/", REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR=spoofed)
        assert client_ip(request) == "203.0.113.5", spoofed


def test_behind_a_trusted_proxy_the_hop_it_appended_is_the_client(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.10", "192.168.5.0/24"]
    cases = {
        "203.0.113.5": "203.0.113.5",
        # the client wrote 6.6.6.6 itself; our proxy appended the real peer
        "6.6.6.6, 203.0.113.5": "203.0.113.5",
        # two trusted proxies in a row (a load balancer, then nginx)
        "6.6.6.6, 203.0.113.5, 192.168.5.7": "203.0.113.5",
        # garbage after the last trusted hop ends the walk there
        "6.6.6.6, not-an-ip": "10.0.0.10",
        "": "10.0.0.10",
    }
    for forwarded, expected in cases.items():
        request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.10", HTTP_X_FORWARDED_FOR=forwarded)
        assert client_ip(request) == expected, forwarded


def test_no_trusted_proxies_means_remote_addr_whatever_the_headers_say(settings):
    settings.TRUSTED_PROXIES = []
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6")
    assert client_ip(request) == "127.0.0.1"


def test_forwarded_proto_and_host_are_dropped_from_untrusted_peers(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.10"]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.USE_X_FORWARDED_HOST = True
    settings.ALLOWED_HOSTS = ["portal.example.gov.tw", "evil.example", "testserver"]
    headers = {
        "HTTP_X_FORWARDED_PROTO": "https",
        "HTTP_X_FORWARDED_HOST": "evil.example",
        "HTTP_X_FORWARDED_FOR": "6.6.6.6",
        "HTTP_HOST": "portal.example.gov.tw",
    }
    direct = request_from("203.0.113.5", **headers)
    assert not direct.is_secure()
    assert direct.get_host() == "portal.example.gov.tw"
    assert "HTTP_X_FORWARDED_FOR" not in direct.META

    proxied = request_from("10.0.0.10", **headers)
    assert proxied.is_secure()
    assert proxied.get_host() == "evil.example"  # the proxy's word (nginx sets it to $host)


def test_the_middleware_runs_first_for_every_request(client, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.10"]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.ROOT_URLCONF = __name__
    assert settings.MIDDLEWARE[0] == "core.http.TrustedProxyMiddleware"
    spoofed = client.get(
        "/test-whoami/",
        REMOTE_ADDR="203.0.113.5",
        HTTP_X_FORWARDED_FOR="6.6.6.6",
        HTTP_X_FORWARDED_PROTO="https",
    ).json()
    assert spoofed == {"ip": "203.0.113.5", "secure": False, "host": "testserver"}
    proxied = client.get(
        "/test-whoami/",
        REMOTE_ADDR="10.0.0.10",
        HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.7",
        HTTP_X_FORWARDED_PROTO="https",
    ).json()
    assert proxied["ip"] == "198.51.100.7"
    assert proxied["secure"] is True


def test_login_lockout_counts_the_real_peer_not_a_rotated_header(client, settings, make_user):
    """django-axes uses the same rule (AXES_CLIENT_IP_CALLABLE), so rotating X-Forwarded-For
    does not give an attacker fresh (account, address) pairs."""
    settings.TRUSTED_PROXIES = ["10.0.0.10"]
    assert settings.AXES_CLIENT_IP_CALLABLE == "core.http.client_ip"
    user = make_user()
    for n in range(3):
        client.post(
            "/accounts/login/",
            {"username": user.username, "password": "wrong"},
            REMOTE_ADDR="203.0.113.5",
            HTTP_X_FORWARDED_FOR=f"6.6.6.{n}",
        )
    addresses = set(AccessAttempt.objects.values_list("ip_address", flat=True))
    assert addresses == {"203.0.113.5"}


# --- settings -------------------------------------------------------------------------------


def test_behind_proxy_without_trusted_proxies_refuses_to_start(tmp_path):
    env = {"DATA_DIR": str(tmp_path), "DJANGO_BEHIND_PROXY": "1"}
    result = run_python(env, "manage.py", "check")
    assert result.returncode != 0
    assert "TRUSTED_PROXIES" in result.stderr

    env["TRUSTED_PROXIES"] = "172.30.0.10"
    result = run_python(
        env, "-c", "import django; django.setup(); from django.conf import settings; "
        "print(settings.SECURE_PROXY_SSL_HEADER, settings.TRUSTED_PROXIES)",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "HTTP_X_FORWARDED_PROTO" in result.stdout and "172.30.0.10" in result.stdout


def test_production_defaults_trust_no_forwarded_header(tmp_path):
    env = {
        "DATA_DIR": str(tmp_path),
        "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none",
        "REDIS_URL": "redis://127.0.0.1:1/0",
        "SECRET_KEY": "x" * 60,
        "ALLOWED_HOSTS": "portal.example.gov.tw",
    }
    result = run_python(
        env, "-c", "import django; django.setup(); from django.conf import settings; "
        "print(repr(settings.SECURE_PROXY_SSL_HEADER), settings.TRUSTED_PROXIES)",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["None", "[]"]


# --- the compose proxy: the real nginx in front of the live server ---------------------------


def nginx_binary() -> str:
    path = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")
    require(path is not None, "nginx is not installed (apt-get install nginx-light)")
    return path


def local_nginx_conf(tmp_path: Path, *, upstream: str, port: int) -> Path:
    """docker/nginx/nginx.conf with only the host names, port and folders of this machine
    changed; everything else (locations, headers) as shipped."""
    text = NGINX_CONF.read_text(encoding="utf-8")
    replacements = {
        "server web:8000;": f"server {upstream};",
        "listen 8080;": f"listen 127.0.0.1:{port};",
        "listen [::]:8080;": "",
        "alias /srv/static/;": f"alias {tmp_path}/static/;",
        "alias /srv/media/;": f"alias {tmp_path}/media/;",
        "pid /tmp/nginx.pid;": f"pid {tmp_path}/nginx.pid;",
    }
    for old, new in replacements.items():
        assert old in text, f"nginx.conf no longer has {old!r}"
        text = text.replace(old, new)
    text = text.replace("/tmp/nginx-", f"{tmp_path}/nginx-")
    if os.geteuid() == 0:  # workers would run as nobody, who cannot read the test's folder
        text = "user root;\n" + text
    conf = tmp_path / "nginx.conf"
    conf.write_text(text, encoding="utf-8")
    return conf


def test_shipped_nginx_config_is_valid(tmp_path):
    nginx = nginx_binary()
    conf = local_nginx_conf(tmp_path, upstream="127.0.0.1:8000", port=find_free_port())
    result = subprocess.run(
        [nginx, "-t", "-q", "-c", str(conf), "-e", str(tmp_path / "error.log")],
        capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr


@pytest.fixture
def nginx_proxy(tmp_path, live_server):
    nginx = nginx_binary()
    port = find_free_port()
    upstream = live_server.url.removeprefix("http://")
    (tmp_path / "static" / "core").mkdir(parents=True)
    (tmp_path / "static" / "core" / "site.css").write_text("body{}", encoding="utf-8")
    (tmp_path / "media" / "petitions").mkdir(parents=True)
    (tmp_path / "media" / "petitions" / "note.txt").write_text("secret", encoding="utf-8")
    conf = local_nginx_conf(tmp_path, upstream=upstream, port=port)
    process = subprocess.Popen(
        [nginx, "-c", str(conf), "-e", str(tmp_path / "error.log"), "-g", "daemon off;"],
        env=process_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 10
        while not port_open("127.0.0.1", port):
            assert process.poll() is None, process.stderr.read().decode()
            assert time.monotonic() < deadline, "nginx did not start"
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.send_signal(signal.SIGQUIT)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def test_nginx_overwrites_forwarded_headers_serves_static_and_protected_media(
    nginx_proxy, settings
):
    settings.ROOT_URLCONF = __name__
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.USE_X_FORWARDED_HOST = True
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

    seen = requests.get(
        nginx_proxy + "/test-whoami/",
        headers={"X-Forwarded-For": "6.6.6.6", "X-Forwarded-Proto": "https",
                 "X-Forwarded-Host": "evil.example"},
        timeout=10,
    ).json()  # fmt: skip
    assert seen["ip"] == "127.0.0.1", "the client's own X-Forwarded-For was passed on"
    assert seen["secure"] is False, "the client's own X-Forwarded-Proto was passed on"
    assert seen["host"].startswith("127.0.0.1")

    static = requests.get(nginx_proxy + "/static/core/site.css", timeout=10)
    assert static.status_code == 200 and static.text == "body{}"
    assert static.headers["X-Content-Type-Options"] == "nosniff"

    # The internal location: only an X-Accel-Redirect answer of a view reaches it.
    direct = requests.get(nginx_proxy + "/protected-media/petitions/note.txt", timeout=10)
    assert direct.status_code == 404
    download = requests.get(nginx_proxy + "/test-accel/", timeout=10)
    assert download.status_code == 200
    assert download.text == "secret"
    assert download.headers["Content-Disposition"] == 'attachment; filename="note.txt"'
    assert download.headers["X-Content-Type-Options"] == "nosniff"
