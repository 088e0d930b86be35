"""Escalation with frozen time: steps at their times, once each, acknowledgement by web and
signed link, maintenance and dependency suppression, mail through a real SMTP sink and SMS
through the file backend."""

from datetime import timedelta

import pytest
from django.utils import timezone
from freezegun import freeze_time

from monitoring.choices import CheckKind, CheckState, IncidentState
from monitoring.models import AlertSent, ContactRule, EscalationStep, Incident, MaintenanceWindow
from monitoring.services import alerts, runner, state
from monitoring.services import alerts as alert_service
from monitoring.services.incidents import incident_acknowledge
from notifications.models import Delivery
from notifications.services import deliveries_relay

pytestmark = pytest.mark.django_db

T0 = "2026-03-04 02:00:00+00:00"  # a Wednesday, 10:00 in Taipei (office hours)


def go_down(check, now):
    check.failures = check.failure_threshold
    return state.state_set(check=check, old=check.state, new=CheckState.DOWN, now=now, cause="boom")


def deliveries(kind="monitoring.alert"):
    return list(Delivery.objects.filter(kind=kind).order_by("pk"))


@pytest.fixture
def check(make_check, rule):
    return make_check(kind=CheckKind.TCP, host="127.0.0.1", port=9, failure_threshold=1)


def test_the_first_step_goes_out_when_the_incident_opens(check, owner):
    with freeze_time(T0):
        go_down(check, timezone.now())
    mails = deliveries()
    assert [d.to for d in mails] == [owner.email]
    assert "boom" in mails[0].text
    assert "/monitoring/ack/" in mails[0].text


def test_the_second_step_waits_its_minutes_then_sends_email_and_sms(check, colleague):
    with freeze_time(T0) as frozen:
        go_down(check, timezone.now())
        frozen.tick(timedelta(minutes=9))
        assert alerts.escalations_due() == 0
        frozen.tick(timedelta(minutes=1))
        assert alerts.escalations_due() == 1
    to = [(d.channel, d.to) for d in deliveries()[1:]]
    assert ("email", colleague.email) in to
    assert ("sms", "+886912345678") in to or any(c == "sms" for c, _ in to)


def test_the_rule_repeats_then_stops(check):
    with freeze_time(T0) as frozen:
        go_down(check, timezone.now())
        for _ in range(6):
            frozen.tick(timedelta(minutes=11))
            alerts.escalations_due()
    incident = Incident.objects.get(check_ref=check)
    assert AlertSent.objects.filter(incident=incident, kind="down").count() == 4  # 2 steps × 2
    assert incident.next_step_at is None


def test_a_step_run_twice_sends_once(check):
    with freeze_time(T0) as frozen:
        go_down(check, timezone.now())
        frozen.tick(timedelta(minutes=10))
        incident = Incident.objects.get(check_ref=check)
        Incident.objects.filter(pk=incident.pk).update(next_step=1)
        first = alert_service.step_send(incident_id=incident.pk)
        # A retried worker finds the step due again (as if the move on was lost).
        Incident.objects.filter(pk=incident.pk).update(
            next_step=1, round=0, next_step_at=timezone.now()
        )
        second = alert_service.step_send(incident_id=incident.pk)
    assert first is not None and second is None
    assert AlertSent.objects.filter(incident=incident, step_order=2).count() == 1
    assert len([d for d in deliveries() if d.channel == "email"]) == 2  # step 1 + step 2 once


def test_acknowledging_stops_the_escalation(check, operator):
    with freeze_time(T0) as frozen:
        go_down(check, timezone.now())
        incident = Incident.objects.get(check_ref=check)
        incident_acknowledge(actor=operator, incident=incident)
        frozen.tick(timedelta(minutes=30))
        assert alerts.escalations_due() == 0
    incident.refresh_from_db()
    assert incident.state == IncidentState.ACKNOWLEDGED
    assert incident.acknowledged_by == operator
    assert len(deliveries()) == 1


def test_the_signed_link_acknowledges_as_the_person_alerted(client, check, operator):
    with freeze_time(T0):
        go_down(check, timezone.now())
        incident = Incident.objects.get(check_ref=check)
        url = alerts.ack_url(incident, operator.pk).split("://", 1)[1].split("/", 1)[1]
        page = client.get("/" + url)
        assert page.status_code == 200
        incident.refresh_from_db()
        assert incident.state == IncidentState.OPEN  # a GET (mail scanner) changes nothing
        client.post("/" + url)
    incident.refresh_from_db()
    assert incident.state == IncidentState.ACKNOWLEDGED
    assert incident.acknowledged_by == operator


def test_a_tampered_link_is_a_404(client, check, operator):
    with freeze_time(T0):
        go_down(check, timezone.now())
        incident = Incident.objects.get(check_ref=check)
        token = alerts.ack_token(incident, operator.pk)
    assert client.get(f"/monitoring/ack/{token}x/").status_code == 404


def test_maintenance_shows_and_opens_no_incident(check, target, make_check):
    http = make_check(name="web", url=target.url, failure_threshold=1)
    now = timezone.now()
    window = MaintenanceWindow.objects.create(
        title="Patch night", starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=1)
    )
    window.checks.add(http)
    target.mode = "fail"
    runner.run_due()
    http.refresh_from_db()
    assert http.state == CheckState.MAINTENANCE
    assert not Incident.objects.filter(check_ref=http).exists()


def test_a_weekly_window_covers_the_next_week():
    start = timezone.now().replace(microsecond=0)
    window = MaintenanceWindow(
        title="w", starts_at=start, ends_at=start + timedelta(hours=2), repeat="weekly"
    )
    assert window.occurrence_at(start + timedelta(days=7, hours=1))
    assert window.occurrence_at(start + timedelta(days=7, hours=3)) is None


def test_a_dependant_of_a_down_parent_is_suppressed_and_listed_under_it(make_check, rule):
    network = make_check(name="network", kind=CheckKind.TCP, host="127.0.0.1", port=9)
    app = make_check(name="app", kind=CheckKind.TCP, host="127.0.0.1", port=9)
    app.depends_on.add(network)
    with freeze_time(T0):
        go_down(network, timezone.now())
        go_down(app, timezone.now())
    parent = Incident.objects.get(check_ref=network)
    child = Incident.objects.get(check_ref=app)
    assert child.suppressed_by == parent
    assert list(parent.suppressed.all()) == [child]
    assert not AlertSent.objects.filter(incident=child).exists()
    assert AlertSent.objects.filter(incident=parent).count() == 1


def test_the_alert_mail_reaches_a_real_smtp_server_and_sms_the_file(
    check, smtp_sink, sms_file, colleague
):
    with freeze_time(T0) as frozen:
        go_down(check, timezone.now())
        frozen.tick(timedelta(minutes=10))
        alerts.escalations_due()
    deliveries_relay()
    recipients = sorted(r for m in smtp_sink.messages for r in m.rcpt_tos)
    assert colleague.email in recipients
    assert len(recipients) == 2
    texts = [line["text"] for line in sms_file()]
    assert len(texts) == 1 and "Target" in texts[0]


def test_recovery_tells_the_people_alerted(check, owner):
    with freeze_time(T0) as frozen:
        go_down(check, timezone.now())
        frozen.tick(timedelta(minutes=3))
        check.refresh_from_db()
        state.state_set(check=check, old=check.state, new=CheckState.UP, now=timezone.now())
    resolved = [d for d in deliveries() if "RESOLVED" in d.subject or "恢復" in d.subject]
    assert [d.to for d in resolved] == [owner.email]
    incident = Incident.objects.get(check_ref=check)
    assert incident.state == IncidentState.RESOLVED
    assert incident.duration == timedelta(minutes=3)


def test_a_night_rule_is_chosen_outside_office_hours(check, rule, group, colleague):
    rule.hours = "office"
    rule.save()
    night = ContactRule.objects.create(name="night", hours="night")
    step = EscalationStep.objects.create(rule=night, order=1, sms=True, email=False)
    step.users.set([colleague])
    group.contact_rules.add(night)
    with freeze_time("2026-03-04 15:00:00+00:00"):  # 23:00 in Taipei
        go_down(check, timezone.now())
    incident = Incident.objects.get(check_ref=check)
    assert incident.contact_rule == night
    assert [d.channel for d in deliveries()] == ["sms"]
