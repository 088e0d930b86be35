"""The e-papers' demo data (epaper/demo.py): sent issues of every newsletter in the archive,
one draft, demo editors with their roles, confirmed demo subscribers; nothing mailed and
nothing left for the sender to start; loading twice changes nothing."""

from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from accounts import authz
from accounts.models import User
from epaper.models import Issue, IssueState, Newsletter, Subscription, SubscriptionState
from epaper.roles import MANAGER, editor_role
from epaper.selectors_archive import may_edit
from epaper.services.issues import issue_create, issue_schedule

# serialized_rollback: each test starts with the migrations' reference data (units, the seven
# newsletters) whatever ran before it.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def demo(settings):
    settings.EMBEDDED = True
    call_command("seed_demo", stdout=StringIO())


def test_every_newsletter_has_sent_demo_issues_in_its_archive(demo, client):
    for newsletter in Newsletter.objects.all():
        sent = Issue.objects.filter(newsletter=newsletter, state=IssueState.SENT)
        assert sent.count() >= 2, newsletter.code
        assert list(sent.order_by("number").values_list("number", flat=True)) == list(
            range(1, sent.count() + 1)
        )
        assert all(issue.published_at and issue.text.strip() for issue in sent)
        latest = sent.order_by("-number").first()
        page = client.get(f"/epaper/archive/{newsletter.code}/{latest.number}/")
        assert page.status_code == 200
        assert latest.title in page.content.decode()
    assert Issue.objects.filter(state=IssueState.DRAFT).count() == 1
    assert not Issue.objects.filter(state__in=[IssueState.SCHEDULED, IssueState.SENDING]).exists()
    assert mail.outbox == []


def test_loading_twice_changes_nothing(demo):
    counts = (Issue.objects.count(), Subscription.objects.count())
    call_command("seed_demo", stdout=StringIO())
    assert (Issue.objects.count(), Subscription.objects.count()) == counts


def test_demo_editors_edit_their_newsletters_only(demo):
    lin = User.objects.get(username="lin.meihua")
    weekly = Newsletter.objects.get(code="weekly")
    assert authz.has_role(lin, editor_role("weekly"))
    assert may_edit(lin, weekly)
    assert not may_edit(lin, Newsletter.objects.get(code="wda"))
    assert may_edit(User.objects.get(username="lee.zhiwei"), Newsletter.objects.get(code="wda"))
    assert authz.has_role(User.objects.get(username="wang.jianguo"), MANAGER)


def test_demo_subscribers_are_confirmed(demo):
    subscriptions = Subscription.objects.filter(subscriber__email__startswith="demo.reader")
    assert subscriptions.count() >= 10
    assert set(subscriptions.values_list("state", flat=True)) == {SubscriptionState.CONFIRMED}


def test_an_issue_scheduled_after_the_demo_gets_the_next_number(demo):
    lin = User.objects.get(username="lin.meihua")
    weekly = Newsletter.objects.get(code="weekly")
    last = Issue.objects.filter(newsletter=weekly).exclude(number=None).order_by("-number")[0]
    issue = issue_create(newsletter=weekly, title="新", html="<p>新</p>", actor=lin)
    issue = issue_schedule(issue=issue, at=timezone.now(), actor=lin)
    assert issue.number == last.number + 1
