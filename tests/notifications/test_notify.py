"""notify(): recipients by person, unit (with or without sub-units), role in a unit and unit
officers; the recipient's language; mail per preferences; to-dos that close themselves."""

import pytest
from django.core import mail

from accounts.models import UnitOfficer
from notifications.choices import Channel, DeliveryState, NoticeKind, NoticeState
from notifications.models import Delivery, MessageTemplate, Notice, Preference
from notifications.recipients import RoleHolders, UnitMembers, UnitOfficers
from notifications.services import notice_resolve, notices_mark, notify
from tests.accounts.factories import OrganizationFactory, RoleAssignmentFactory, RoleFactory, unit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_quiet_hours(settings):
    """Quiet hours have their own tests (frozen time); here mail goes out at once."""
    settings.NOTIFICATIONS_QUIET_START = settings.NOTIFICATIONS_QUIET_END = "00:00"


@pytest.fixture
def section(db):
    return OrganizationFactory(parent=unit("IM"), code="IMS1", name_zh="一科", name_en="Section 1")


def _titles(notices):
    return sorted(n.recipient.username for n in notices)


def test_persons_get_one_notice_each_however_often_named(owner, colleague):
    notices = notify(
        recipients=[owner, colleague, owner],
        kind=NoticeKind.INFORMATION,
        title="Hello",
        body="World",
    )
    assert _titles(notices) == ["colleague", "owner"]
    assert Notice.objects.count() == 2
    assert all(n.state == NoticeState.UNREAD for n in notices)


def test_a_unit_without_and_with_sub_units(make_user, owner, colleague, outsider, section):
    below = make_user(username="below", organization=section)
    plain = notify(recipients=[unit("IM")], kind=NoticeKind.INFORMATION, title="t")
    assert _titles(plain) == ["colleague", "owner"]
    deep = notify(
        recipients=[UnitMembers(unit("IM"), include_subunits=True)],
        kind=NoticeKind.INFORMATION,
        title="t",
    )
    assert _titles(deep) == ["below", "colleague", "owner"]
    assert "outsider" not in _titles(deep) and below.pk


def test_a_role_in_a_unit_reaches_its_holders_only(make_user, owner, colleague, outsider, section):
    role = RoleFactory(code="tests.approver")
    RoleAssignmentFactory(user=owner, role=role, scope=unit("IM"))  # IM and below
    RoleAssignmentFactory(user=colleague, role=role, scope=section, include_subunits=False)
    RoleAssignmentFactory(user=outsider, role=role, scope=unit("BLI"))
    in_section = notify(
        recipients=[RoleHolders("tests.approver", section)], kind=NoticeKind.TODO, title="t"
    )
    assert _titles(in_section) == ["colleague", "owner"]
    in_im = notify(
        recipients=[RoleHolders("tests.approver", unit("IM"))], kind=NoticeKind.TODO, title="t"
    )
    assert _titles(in_im) == ["owner"]
    anywhere = notify(recipients=[RoleHolders("tests.approver")], kind=NoticeKind.TODO, title="t")
    assert _titles(anywhere) == ["colleague", "outsider", "owner"]


def test_unit_officers(owner, colleague):
    UnitOfficer.objects.create(unit=unit("IM"), user=colleague, kind="head")
    notices = notify(recipients=[UnitOfficers(unit("IM"))], kind=NoticeKind.TODO, title="t")
    assert _titles(notices) == ["colleague"]


def test_inactive_people_get_nothing(owner, colleague):
    colleague.is_active = False
    colleague.save()
    assert _titles(notify(recipients=[unit("IM"), colleague], kind="information", title="t")) == [
        "owner"
    ]


def test_each_person_reads_it_in_their_language(owner, colleague):
    Preference.objects.create(user=colleague, language="en")
    notices = notify(
        recipients=[owner, colleague],
        kind=NoticeKind.INFORMATION,
        title={"zh-hant": "會議通知", "en": "Meeting notice"},
        body={"zh-hant": "明天開會", "en": "Meeting tomorrow"},
    )
    by_user = {n.recipient.username: n for n in notices}
    assert by_user["owner"].title == "會議通知"
    assert by_user["colleague"].title == "Meeting notice"
    assert by_user["colleague"].body == "Meeting tomorrow"


def test_templates_from_the_admin_win_over_the_files(owner, colleague):
    Preference.objects.create(user=colleague, language="en")
    files = notify(
        recipients=[owner, colleague],
        kind="information",
        template="notifications.test",
        context={"subject": "X"},
    )
    by_user = {n.recipient.username: n for n in files}
    assert by_user["colleague"].title == "Test notice: X"
    assert by_user["colleague"].body == "This is a test notice about X."
    MessageTemplate.objects.create(
        code="notifications.test",
        language="zh-hant",
        title="測試 {{ subject }}",
        body="內容 {{ subject }}",
    )
    rows = notify(
        recipients=[owner],
        kind="information",
        template="notifications.test",
        context={"subject": "Y"},
    )
    assert (rows[0].title, rows[0].body) == ("測試 Y", "內容 Y")


def test_mail_is_queued_per_preferences_and_sent_after_commit(
    owner, colleague, django_capture_on_commit_callbacks
):
    Preference.objects.create(user=colleague, channels={"information": [], "todo": ["email"]})
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            recipients=[owner, colleague],
            kind=NoticeKind.INFORMATION,
            title="Info",
            body="Text",
            link="/documents/1/",
        )
    assert [m.to for m in mail.outbox] == [[owner.email]]
    delivery = Delivery.objects.get()
    assert delivery.channel == Channel.EMAIL
    assert delivery.state == DeliveryState.SENT
    assert delivery.notice.recipient == owner
    assert "/documents/1/" in mail.outbox[0].body
    assert mail.outbox[0].alternatives[0][1] == "text/html"


def test_links_in_mail_are_absolute(settings, owner, django_capture_on_commit_callbacks):
    settings.NOTIFICATIONS_SITE_URL = "https://portal.example.gov.tw"
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[owner], kind="todo", title="Sign", link="/documents/7/")
    assert "https://portal.example.gov.tw/documents/7/" in mail.outbox[0].body
    assert 'href="https://portal.example.gov.tw/documents/7/"' in mail.outbox[0].alternatives[0][0]


def test_a_todo_closes_itself_when_the_work_is_done(owner, colleague, outsider):
    item = unit("BLI")  # any model instance stands for "the item"
    notify(recipients=[owner, colleague], kind=NoticeKind.TODO, title="Sign it", obj=item)
    info = notify(recipients=[outsider], kind=NoticeKind.INFORMATION, title="FYI", obj=item)
    other = notify(recipients=[owner], kind=NoticeKind.TODO, title="Other", obj=unit("IM"))
    assert notice_resolve(obj=item) == 2
    assert set(Notice.objects.filter(title="Sign it").values_list("state", flat=True)) == {"done"}
    assert Notice.objects.get(pk=info[0].pk).state == NoticeState.UNREAD
    assert Notice.objects.get(pk=other[0].pk).state == NoticeState.UNREAD
    assert notice_resolve(obj=item) == 0


def test_resolving_for_one_recipient(owner, colleague):
    item = unit("BLI")
    notify(recipients=[owner, colleague], kind=NoticeKind.TODO, title="Sign it", obj=item)
    assert notice_resolve(obj=item, recipient=owner) == 1
    assert Notice.objects.get(recipient=colleague).state == NoticeState.UNREAD


def test_people_mark_only_their_own_notices(owner, colleague):
    mine = notify(recipients=[owner], kind="todo", title="mine")[0]
    theirs = notify(recipients=[colleague], kind="todo", title="theirs")[0]
    assert notices_mark(actor=owner, ids=[mine.pk, theirs.pk], state="read") == 1
    assert Notice.objects.get(pk=theirs.pk).state == NoticeState.UNREAD
    assert notices_mark(actor=owner, ids=[mine.pk], state="done") == 1
    assert Notice.objects.get(pk=mine.pk).state == NoticeState.DONE


def test_obj_gives_the_source_and_link(owner):
    notice = notify(recipients=[owner], kind="information", title="t", obj=unit("BLI"))[0]
    assert notice.source == "core"
    assert notice.target == unit("BLI")
