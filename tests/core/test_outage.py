"""A Redis outage does not take the site down (issue 8 item 29). The test starts a Redis of its
own, points the cache and the Celery broker at it (eager mode off), stops it, and shows that the
public home, /healthz and the petition form still answer quickly: the rate limiter allows and
logs, /healthz names the failing parts, publishing a task fails fast and the person gets the
bilingual "temporarily unavailable" page (503), never a 500 or a hung worker."""

import shutil
import signal
import subprocess
import time

import pytest
from celery import current_app
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db import OperationalError
from django.test import Client
from django.urls import include, path
from redis.exceptions import ConnectionError as RedisConnectionError

from core import ratelimit
from core.middleware import ServiceUnavailableMiddleware
from core.models import County
from notifications.choices import DeliveryState
from notifications.selectors import deliveries_for
from petitions.models import Category, Petition
from tests.conftest import port_open, require

from .conftest import find_free_port

pytestmark = pytest.mark.django_db

QUICK = 5.0  # seconds: well under gunicorn's timeout and any person's patience


def fails_with(exc):
    @login_not_required
    def view(request):
        raise exc

    return view


urlpatterns = [
    path("boom/redis/", fails_with(RedisConnectionError("Connection refused"))),
    path("boom/db/", fails_with(OperationalError("server closed the connection"))),
    path("api/v1/boom/", fails_with(RedisConnectionError("Connection refused"))),
    path("boom/bug/", fails_with(ValueError("a bug"))),
    path("", include("mol_portal.urls")),
]


class OwnRedis:
    def __init__(self, tmp_path):
        binary = shutil.which("redis-server")
        require(binary is not None, "redis-server is not installed")
        self.port = find_free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(tmp_path)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while not port_open("127.0.0.1", self.port, timeout=0.2):
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)

    def freeze(self):
        """Still accepting connections (the kernel does) but never answering: a hung Redis."""
        self.process.send_signal(signal.SIGSTOP)

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture
def own_redis(tmp_path, settings, monkeypatch):
    """Cache and broker on a Redis of the test's own, with the shipped timeouts."""
    monkeypatch.setattr(ratelimit, "_cache_down_until", 0.0)
    redis = OwnRedis(tmp_path)
    from django.conf import settings as live  # noqa: PLC0415 - the shipped OPTIONS

    options = dict(live.CACHES["default"].get("OPTIONS") or {})
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis.url,
            "OPTIONS": options
            or {"socket_connect_timeout": 1, "socket_timeout": 1, "retry_on_timeout": False},
        }
    }
    settings.HEALTHZ_TIMEOUT = 1
    settings.HEALTHZ_REQUIRE_WORKERS = False
    conf = current_app.conf
    saved = {
        key: conf.get(key)
        for key in ("broker_url", "result_backend", "task_always_eager", "broker_write_url")
    }
    conf.update(
        broker_url=redis.url,
        broker_write_url=redis.url,
        result_backend=redis.url,
        task_always_eager=False,
    )
    current_app._pool = None
    current_app.amqp._producer_pool = None
    try:
        yield redis
    finally:
        redis.stop()
        conf.update(saved)
        current_app._pool = None
        current_app.amqp._producer_pool = None


def timed(client, method, url, **kwargs):
    started = time.monotonic()
    response = getattr(client, method)(url, **kwargs)
    return response, time.monotonic() - started


def test_shipped_redis_calls_are_bounded_by_short_timeouts(settings):
    """The production settings themselves (a process of their own would read the same)."""
    conf = current_app.conf
    assert conf.broker_connection_timeout <= 3
    assert conf.broker_transport_options["socket_connect_timeout"] <= 2
    assert conf.broker_transport_options["socket_timeout"] <= 2
    assert conf.task_publish_retry_policy["max_retries"] <= 1
    assert conf.redis_socket_timeout <= 2 and conf.redis_socket_connect_timeout <= 2


@pytest.mark.parametrize("fault", ["stopped", "frozen"])
@pytest.mark.django_db(transaction=True)
def test_with_redis_down_the_site_still_answers_quickly(own_redis, client, caplog, fault):
    """Transactional: on_commit publishing runs inside the request, as in production. Stopped:
    connections are refused; frozen: they hang until the socket timeouts."""
    category = Category.objects.create(code="wages", name_zh="工資爭議", name_en="Wages")
    cache.set("warm", 1)  # really connected to the test's Redis
    assert cache.get("warm") == 1
    if fault == "stopped":
        own_redis.stop()
        assert not port_open("127.0.0.1", own_redis.port, timeout=0.2)
    else:
        own_redis.freeze()

    home, seconds = timed(client, "get", "/")
    assert home.status_code == 200 and seconds < QUICK

    health, seconds = timed(client, "get", "/healthz")
    assert health.status_code == 503 and seconds < QUICK
    assert {"cache", "broker"} <= set(health.json()["failing"])

    form, seconds = timed(client, "get", "/petitions/")
    assert form.status_code == 200 and seconds < QUICK

    body = "過去三個月每週加班十小時，公司都沒有給付加班費。請協助處理。"
    sent, seconds = timed(
        client,
        "post",
        "/petitions/",
        data={
            "name": "陳小明",
            "email": "chen.xiaoming@example.com",
            "phone": "02-8590-2567",
            "subject": "公司未給付加班費",
            "category": category.pk,
            "county": County.objects.get_or_create(
                code="63000",
                defaults={"letter": "A", "kind": "special_municipality", "name_zh": "臺北市"},
            )[0].pk,
            "body": body,
            "consent": "on",
            "form_token": form.context["form"]["form_token"].value()
            if "form_token" in form.context["form"].fields
            else "",
        },
    )
    assert seconds < QUICK, f"the petition POST took {seconds:.1f} s"
    # The confirmation mail is an outbox row written with the case: publishing its relay task
    # is optional, so the citizen is told to check their mail (the sweep sends it later).
    assert sent.status_code == 302, sent.content[:500]
    assert "rate limit skipped" in caplog.text, "the limiter degraded (allowed and logged)"
    petition = Petition.objects.get()
    assert deliveries_for(petition).get().state == DeliveryState.PENDING


@pytest.mark.urls(__name__)
def test_an_outage_error_is_the_bilingual_503_page_not_a_500():
    client = Client(raise_request_exception=False)
    for url in ("/boom/redis/", "/boom/db/"):
        response = client.get(url)
        assert response.status_code == 503, url
        page = response.content.decode()
        assert "服務暫時無法使用" in page and 'lang="en"' in page
        assert "Temporarily unavailable" in page
        assert response["Retry-After"] == str(ServiceUnavailableMiddleware.retry_after_seconds)
    api = client.get("/api/v1/boom/")
    assert api.status_code == 503
    assert api.json()["error"]["code"] == "unavailable"
    assert client.get("/boom/bug/").status_code == 500, "bugs stay 500s"
