"""The API: the same visibility as the pages, the project's error shape, bounded queries."""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from meetings import services
from meetings.models import UnitReport
from tests.accounts.factories import unit

from .conftest import at


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def case(owner, meeting, secretary):
    with at(2026, 3, 12, 10, 0):
        return services.directive_record(
            meeting=meeting,
            actor=secretary,
            directive="建置資料治理平台",
            lead_unit=unit("IM"),
            due_date=dt.date(2026, 4, 1),
        )


def test_anonymous_calls_get_401(api, meeting):
    for url in (
        "/api/v1/meetings/",
        f"/api/v1/meetings/{meeting.pk}/",
        "/api/v1/meetings/cases/",
        "/api/v1/meetings/search/?q=x",
    ):
        answer = api.get(url)
        assert answer.status_code == 401
        assert answer.json()["error"]["status"] == 401


def test_list_and_detail_follow_the_pages_visibility(api, owner, outsider, make_user, meeting):
    api.force_authenticate(owner)
    assert [m["id"] for m in api.get("/api/v1/meetings/").json()["results"]] == [meeting.pk]
    detail = api.get(f"/api/v1/meetings/{meeting.pk}/").json()
    assert [r["unit"]["code"] for r in detail["reports"]] == ["IM"]  # its own only
    assert detail["books"] == []
    stranger = make_user(username="stranger", organization=unit("DLR"))
    api.force_authenticate(stranger)
    assert api.get("/api/v1/meetings/").json()["results"] == []
    answer = api.get(f"/api/v1/meetings/{meeting.pk}/")
    assert answer.status_code == 404
    assert answer.json()["error"]["status"] == 404


def test_executive_reads_every_report(api, chair, meeting):
    api.force_authenticate(chair)
    detail = api.get(f"/api/v1/meetings/{meeting.pk}/").json()
    assert [r["unit"]["code"] for r in detail["reports"]] == ["IM", "BLI"]


def test_cases_filtered_by_status_and_unit(api, chair, outsider, case):
    api.force_authenticate(chair)
    rows = api.get("/api/v1/meetings/cases/", {"status": "open", "unit": "IM"}).json()
    assert [r["number"] for r in rows["results"]] == [case.number]
    assert api.get("/api/v1/meetings/cases/", {"status": "closed"}).json()["results"] == []
    assert api.get("/api/v1/meetings/cases/", {"unit": "BLI"}).json()["results"] == []
    api.force_authenticate(outsider)
    assert api.get("/api/v1/meetings/cases/").json()["results"] == []


def test_bad_filters_answer_in_the_error_shape(api, chair):
    api.force_authenticate(chair)
    answer = api.get("/api/v1/meetings/cases/", {"status": "nonsense"})
    assert answer.status_code == 400
    assert "status" in answer.json()["error"]["fields"]
    answer = api.get("/api/v1/meetings/search/")
    assert answer.status_code == 400
    assert "q" in answer.json()["error"]["fields"]
    assert "unit" in api.get("/api/v1/meetings/cases/", {"unit": "NOPE"}).json()["error"]["fields"]


def test_search_finds_with_snippets_and_keeps_visibility(api, owner, outsider, chair, meeting):
    report = UnitReport.objects.get(meeting=meeting, unit=unit("IM"))
    with at(2026, 3, 5, 10, 0):
        services.report_save(report=report, actor=owner, summary="<p>完成零信任網路架構</p>")
    api.force_authenticate(chair)
    hits = api.get("/api/v1/meetings/search/", {"q": "零信任"}).json()
    assert len(hits) == 1
    assert hits[0]["kind"] == "material" and "<mark>零信任</mark>" in hits[0]["snippet"]
    api.force_authenticate(outsider)
    assert api.get("/api/v1/meetings/search/", {"q": "零信任"}).json() == []


def test_list_queries_are_bounded(api, chair, make_meeting, django_assert_max_num_queries):
    for day in range(1, 6):
        make_meeting(
            starts=(2026, 5, day + 10, 9, 30),
            deadline=(2026, 5, day + 5, 17, 0),
            now=(2026, 5, 1, 9, 0),
        )
    api.force_authenticate(chair)
    with django_assert_max_num_queries(8):
        assert len(api.get("/api/v1/meetings/").json()["results"]) == 5
    with django_assert_max_num_queries(10):
        api.get("/api/v1/meetings/cases/")
