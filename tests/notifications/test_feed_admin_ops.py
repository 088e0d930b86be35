"""The desktop-agent feed (personal tokens, SSO access tokens, JSON and server-sent events),
the admin of every model, demo data, retention, expiry and the outbox counters."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from oauth2_provider.models import get_access_token_model

from accounts.models import Application
from notifications.choices import DeliveryState, NoticeState
from notifications.models import (
    ApiMessage,
    Delivery,
    FeedToken,
    MessageTemplate,
    Notice,
)
from notifications.selectors import outbox_metrics
from notifications.services import (
    delivery_send,
    feed_token_create,
    feed_token_revoke,
    notices_expire,
    notices_purge,
    notify,
    outbox_email,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_quiet_hours(settings):
    settings.NOTIFICATIONS_QUIET_START = settings.NOTIFICATIONS_QUIET_END = "00:00"


def _feed(token, **params):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    accept = params.pop("accept", "application/json")
    return Client().get("/notifications/feed/", params, headers={**headers, "Accept": accept})


def test_the_feed_with_a_personal_token(owner, colleague):
    _token, raw = feed_token_create(user=owner, actor=owner, name="PC")
    first = notify(recipients=[owner], kind="todo", title="First", link="/documents/")[0]
    notify(recipients=[colleague], kind="todo", title="Not mine")
    data = _feed(raw).json()
    assert data["unread"] == 1
    assert [n["title"] for n in data["notices"]] == ["First"]
    assert data["next_since"] == first.pk
    second = notify(recipients=[owner], kind="alert", title="Second")[0]
    data = _feed(raw, since=first.pk).json()
    assert [n["id"] for n in data["notices"]] == [second.pk]
    assert FeedToken.objects.get().last_used_at is not None


def test_the_feed_as_server_sent_events(owner):
    _token, raw = feed_token_create(user=owner, actor=owner, name="PC")
    notice = notify(recipients=[owner], kind="todo", title="請核稿")[0]
    response = _feed(raw, accept="text/event-stream")
    assert response["Content-Type"].startswith("text/event-stream")
    body = b"".join(response.streaming_content).decode()
    assert body.startswith("retry: ")
    assert f"id: {notice.pk}\nevent: notice\ndata: " in body
    assert '"title": "請核稿"' in body
    assert 'event: unread\ndata: {"unread": 1}' in body
    # Reconnecting with Last-Event-ID gives nothing new.
    again = Client().get(
        "/notifications/feed/",
        headers={
            "Authorization": f"Bearer {raw}",
            "Accept": "text/event-stream",
            "Last-Event-ID": str(notice.pk),
        },
    )
    assert "event: notice" not in b"".join(again.streaming_content).decode()


def test_the_feed_refuses_missing_revoked_and_foreign_tokens(owner):
    assert _feed(None).status_code == 401
    assert _feed(None)["WWW-Authenticate"].startswith("Bearer")
    assert _feed("mnf_guess").status_code == 401
    token, raw = feed_token_create(user=owner, actor=owner, name="PC")
    assert _feed(raw).status_code == 200
    feed_token_revoke(token=token, actor=owner)
    assert _feed(raw).status_code == 401
    owner.is_active = False
    owner.save()
    _token2, raw2 = feed_token_create(user=owner, actor=owner, name="PC2")
    assert _feed(raw2).status_code == 401


def test_the_feed_with_an_sso_access_token(owner):
    app = Application.objects.create(
        name="e公務精靈",
        client_type=Application.CLIENT_PUBLIC,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris="http://127.0.0.1/callback",
    )
    AccessToken = get_access_token_model()
    expires = timezone.now() + timedelta(minutes=10)
    AccessToken.objects.create(
        user=owner,
        application=app,
        token="with-scope-123",
        expires=expires,
        scope="openid notifications:read",
    )
    AccessToken.objects.create(
        user=owner, application=app, token="without-scope-123", expires=expires, scope="openid"
    )
    notify(recipients=[owner], kind="todo", title="t")
    assert _feed("with-scope-123").json()["unread"] == 1
    assert _feed("without-scope-123").status_code == 401


def test_the_admin_lists_and_opens_every_model(client, settings, make_user, owner):
    settings.MFA_REQUIRED_FOR_STAFF = False
    admin = make_user(username="root", is_staff=True, is_superuser=True)
    template = MessageTemplate.objects.create(
        code="demo.hello",
        language="zh-hant",
        title="哈囉 {{ name }}",
        body="內容 {{ name }}",
        sample_context={"name": "<陳怡明>"},
    )
    notice = notify(recipients=[owner], kind="todo", title="t")[0]
    delivery = Delivery.objects.get(notice=notice)
    client.force_login(admin)
    for model in [
        "messagetemplate",
        "notice",
        "delivery",
        "deliveryattempt",
        "preference",
        "feedtoken",
        "apiclient",
        "apimessage",
    ]:
        response = client.get(f"/admin/notifications/{model}/")
        assert response.status_code == 200, model
    page = client.get(
        f"/admin/notifications/messagetemplate/{template.pk}/change/"
    ).content.decode()
    assert "哈囉 &lt;陳怡明&gt;" in page  # preview rendered, escaped
    assert client.get(f"/admin/notifications/delivery/{delivery.pk}/change/").status_code == 200
    found = client.get(
        "/admin/notifications/delivery/", {"q": delivery.message_id}
    ).content.decode()
    assert owner.email in found


def test_the_admin_is_closed_to_plain_users(client, owner):
    client.force_login(owner)
    response = client.get("/admin/notifications/delivery/")
    assert response.status_code == 302 and "login" in response["Location"]


def test_send_again_requeues_failed_rows(client, settings, make_user):
    settings.MFA_REQUIRED_FOR_STAFF = False
    admin = make_user(username="root", is_staff=True, is_superuser=True)
    row = outbox_email(to="a@example.com", subject="s", text="t", enqueue=False)
    Delivery.objects.filter(pk=row.pk).update(state=DeliveryState.FAILED)
    client.force_login(admin)
    client.post(
        "/admin/notifications/delivery/", {"action": "send_again", "_selected_action": [row.pk]}
    )
    row.refresh_from_db()
    assert row.state == DeliveryState.PENDING
    assert row.message_id == Delivery.objects.get(pk=row.pk).message_id


def test_demo_data_loads_once(settings):
    settings.EMBEDDED = True
    call_command("seed_demo")
    first = Notice.objects.count()
    assert first > 0
    call_command("seed_demo")
    assert Notice.objects.count() == first
    user = Notice.objects.filter(kind="alert").first().recipient
    assert Notice.objects.filter(recipient=user, kind="information").exists()


def test_expiry_and_retention(settings, owner):
    settings.NOTIFICATIONS_RETENTION_DAYS = 30
    settings.NOTIFICATIONS_DELIVERY_RETENTION_DAYS = 10
    past = timezone.now() - timedelta(hours=1)
    expiring = notify(recipients=[owner], kind="information", title="old", expires_at=past)[0]
    assert notices_expire() == 1
    assert Notice.objects.get(pk=expiring.pk).state == NoticeState.EXPIRED
    old = notify(recipients=[owner], kind="information", title="ancient")[0]
    Notice.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=31))
    mail_row = outbox_email(to="a@example.com", subject="s", text="t", enqueue=False)
    delivery_send(delivery_id=mail_row.pk)
    Delivery.objects.filter(pk=mail_row.pk).update(created_at=timezone.now() - timedelta(days=11))
    pending = outbox_email(to="b@example.com", subject="s", text="t", enqueue=False)
    Delivery.objects.filter(pk=pending.pk).update(created_at=timezone.now() - timedelta(days=11))
    result = notices_purge()
    assert result["notices"] >= 1
    assert not Notice.objects.filter(pk=old.pk).exists()
    assert not Delivery.objects.filter(pk=mail_row.pk).exists()
    assert Delivery.objects.filter(pk=pending.pk).exists()  # never sent: kept
    assert Notice.objects.filter(pk=expiring.pk).exists()
    assert ApiMessage.objects.count() == 0


def test_outbox_counters(owner):
    sent = outbox_email(to="a@example.com", subject="s", text="t", enqueue=False)
    delivery_send(delivery_id=sent.pk)
    waiting = outbox_email(to="b@example.com", subject="s", text="t", enqueue=False)
    Delivery.objects.filter(pk=waiting.pk).update(due_at=timezone.now() - timedelta(minutes=5))
    metrics = outbox_metrics()
    assert metrics["sent"] == 1
    assert metrics["pending"] == 1
    assert metrics["deliveries"]["email:sent"] == 1
    assert 290 <= metrics["queue_age_seconds"] <= 320
