"""Progress page, survey, statistics: only the right case, escaped, rate-limited."""

import pytest
from django.urls import reverse
from freezegun import freeze_time

from petitions.models import SatisfactionSurvey
from petitions.services.survey import petition_survey_invite
from tests.accounts.factories import UserFactory
from tests.accounts.mfa_support import force_login_verified

from .factories import QUERY_CODE, CategoryFactory, PetitionFactory, answer

pytestmark = pytest.mark.django_db
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def open_case(client, petition, code=QUERY_CODE, ip="127.0.0.1", email=""):
    return client.post(
        reverse("petitions:progress"),
        {"case_number": petition.case_number, "query_code": code, "email": email},
        REMOTE_ADDR=ip,
    )


def test_right_code_opens_the_case(client):
    petition = PetitionFactory()
    response = open_case(client, petition)
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert petition.subject in page


def test_wrong_query_code_is_refused_without_saying_which_part(client):
    petition = PetitionFactory()
    response = open_case(client, petition, code="WRONGCODE9")
    assert response.status_code == 400
    assert petition.subject not in response.content.decode()
    missing = client.post(
        reverse("petitions:progress"), {"case_number": "999-999999", "query_code": QUERY_CODE}
    )
    assert missing.content.decode().count("do not match") == response.content.decode().count(
        "do not match"
    )


def test_guessing_a_case_asks_for_the_senders_address_but_never_locks_its_owner(client, settings):
    settings.PETITIONS_LOOKUP_PER_CASE = 3
    petition = PetitionFactory()
    for n in range(3):
        open_case(client, petition, code="WRONGCODE9", ip=f"10.7.0.{n}")
    # The code alone no longer opens it (a guesser who found the code still needs more)...
    asked = open_case(client, petition)
    assert asked.status_code == 400
    assert "您寄出陳情時使用的電子郵件地址" in asked.content.decode()
    assert petition.subject not in asked.content.decode()
    wrong_mail = open_case(client, petition, email="someone@example.org")
    assert wrong_mail.status_code == 400
    # ...but its owner, who knows both, gets in at once: no lock, no waiting.
    owner = open_case(client, petition, email=petition.citizen_email.upper())
    assert owner.status_code == 302
    assert petition.subject in client.get(owner["Location"]).content.decode()


def test_guessing_from_one_address_meets_a_growing_delay(client, settings):
    settings.PETITIONS_LOOKUP_PER_IP = 3
    settings.PETITIONS_LOOKUP_DELAY_SECONDS = 10
    settings.PETITIONS_LOOKUP_PER_CASE = 100
    petition = PetitionFactory()
    with freeze_time("2026-03-02 09:00:00") as clock:
        for _n in range(3):
            assert open_case(client, petition, code="WRONGCODE9").status_code == 400
        waiting = open_case(client, petition)
        assert waiting.status_code == 400
        assert "請等候 10 秒後再試" in waiting.content.decode()
        # Another address (the owner at home) is not slowed down.
        assert open_case(client, petition, ip="10.8.0.1").status_code == 302
        clock.tick(11)
        assert open_case(client, petition, code="WRONGCODE9").status_code == 400  # 4th: 20 s
        clock.tick(11)
        assert "請等候 9 秒後再試" in open_case(client, petition).content.decode()
        clock.tick(10)
        assert open_case(client, petition).status_code == 302


def test_another_case_is_never_shown(client):
    mine, other = PetitionFactory(), PetitionFactory(body="其他民眾的秘密內容")
    open_case(client, mine)
    response = client.get(reverse("petitions:case", args=[other.case_number]))
    assert response.status_code == 302
    page = client.get(reverse("petitions:case", args=[mine.case_number])).content.decode()
    assert "其他民眾的秘密內容" not in page
    assert other.citizen_email not in page


def test_every_text_field_is_escaped_on_the_progress_page(client):
    petition = PetitionFactory(subject=XSS, body=XSS, citizen_name=XSS)
    answer(petition, text=XSS, note=XSS)
    open_case(client, petition)
    page = client.get(reverse("petitions:case", args=[petition.case_number])).content.decode()
    assert "<script>alert" not in page
    assert "<img src=x" not in page
    assert "&lt;script&gt;" in page


def test_reply_and_survey_after_the_answer(client):
    petition = answer(PetitionFactory())
    open_case(client, petition)
    page = client.get(reverse("petitions:case", args=[petition.case_number])).content.decode()
    assert petition.reply_text in page
    url = reverse("petitions:case_survey", args=[petition.case_number])
    assert client.post(url, {"rating": 4, "comment": "ok"}).status_code == 200
    assert client.post(url, {"rating": 1}).status_code == 200  # shows "already answered"
    survey = SatisfactionSurvey.objects.get(petition=petition)
    assert (survey.rating, survey.comment) == (4, "ok")  # the second answer changed nothing


def test_survey_link_from_the_e_mail_takes_one_answer(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    petition = answer(PetitionFactory())
    with django_capture_on_commit_callbacks(execute=True):
        token = petition_survey_invite(petition=petition, base_url="http://testserver")
    assert token in mailoutbox[0].body
    url = reverse("petitions:survey", args=[token])
    client.post(url, {"rating": 5})
    client.post(url, {"rating": 2})
    assert SatisfactionSurvey.objects.filter(petition=petition).count() == 1
    assert SatisfactionSurvey.objects.get(petition=petition).rating == 5


def test_survey_before_the_answer_is_refused(client):
    petition = PetitionFactory()
    open_case(client, petition)
    url = reverse("petitions:case_survey", args=[petition.case_number])
    assert client.post(url, {"rating": 4}).status_code == 400
    assert not SatisfactionSurvey.objects.exists()


def test_statistics_and_csv(client):
    answer(PetitionFactory())
    PetitionFactory()
    page = client.get(reverse("petitions:statistics"))
    assert page.status_code == 200
    csv = client.get(reverse("petitions:statistics_csv")).content.decode("utf-8-sig")
    assert csv.splitlines()[1].endswith(",2")


def test_statistics_escape_category_names(client):
    PetitionFactory(category=CategoryFactory(code="xss", name_zh=XSS, name_en=XSS))
    page = client.get(reverse("petitions:statistics")).content.decode()
    assert "<script>alert" not in page


def test_staff_facing_admin_list_escapes_text(client):
    administrator = UserFactory(username="boss", is_staff=True, is_superuser=True)
    force_login_verified(client, administrator)  # second factor done: the admin opens
    petition = PetitionFactory(subject=XSS, citizen_name=XSS)
    response = client.get("/admin/petitions/petition/")
    assert response.status_code == 200
    page = response.content.decode()
    assert petition.case_number in page
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;" in page
