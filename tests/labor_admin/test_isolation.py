"""Isolation from every entry point: the page lists, the detail page, the export, the board,
the admin and the API, with the unit's own staff, a sibling unit's staff, the county
authority above, and the ministry."""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from accounts.models import User
from labor_admin.models import Case
from labor_admin.selectors import board
from tests.accounts.mfa_support import force_login_verified

from .factories import make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(la_owner, la_outsider, office, sibling):
    return {
        "office": make_case(unit=office, actor=la_owner, subject="臺北案件"),
        "sibling": make_case(unit=sibling, actor=la_outsider, subject="新北案件"),
    }


def _login(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _staff_login(user) -> Client:
    User.objects.filter(pk=user.pk).update(is_staff=True)
    user = User.objects.get(pk=user.pk)
    user.user_permissions.add(Permission.objects.get(codename="view_case"))
    c = Client()
    force_login_verified(c, user)
    return c


def _seen(user) -> set[str]:
    return set(Case.objects.visible_to(user).values_list("subject", flat=True))


def test_queryset_rule(cases, la_owner, la_colleague, la_outsider, county_reader, ministry,
                       outsider):  # fmt: skip
    assert _seen(la_owner) == {"臺北案件"}
    assert _seen(la_colleague) == {"臺北案件"}
    assert _seen(la_outsider) == {"新北案件"}
    assert _seen(county_reader) == {"臺北案件"}  # the authority sees its offices
    assert _seen(ministry) == {"臺北案件", "新北案件"}


def test_writable_rule(cases, la_owner, county_reader, ministry):
    assert Case.objects.writable_by(la_owner).count() == 1
    assert Case.objects.writable_by(county_reader).count() == 0
    assert Case.objects.writable_by(ministry).count() == 0


def test_list_page(cases, la_owner, la_outsider, ministry):
    own = _login(la_owner).get("/labor-admin/")
    assert "臺北案件" in own.content.decode() and "新北案件" not in own.content.decode()
    other = _login(la_outsider).get("/labor-admin/")
    assert "新北案件" in other.content.decode() and "臺北案件" not in other.content.decode()
    everything = _login(ministry).get("/labor-admin/").content.decode()
    assert "臺北案件" in everything and "新北案件" in everything


def test_detail_page_is_404_for_a_sibling(cases, la_outsider, county_reader, ministry):
    url = f"/labor-admin/{cases['office'].pk}/"
    assert _login(la_outsider).get(url).status_code == 404
    assert _login(county_reader).get(url).status_code == 200
    assert _login(ministry).get(url).status_code == 200


def test_a_user_without_a_role_is_refused(cases, make_user):
    nobody = make_user(username="nobody")
    assert _login(nobody).get("/labor-admin/").status_code == 403
    assert _login(nobody).get(f"/labor-admin/{cases['office'].pk}/").status_code == 404
    assert _login(nobody).get("/labor-admin/export.csv").status_code == 403
    assert _login(nobody).get("/labor-admin/board/").status_code == 403


def test_export(cases, la_owner, ministry):
    own = b"".join(_login(la_owner).get("/labor-admin/export.csv").streaming_content).decode()
    assert cases["office"].number in own and cases["sibling"].number not in own
    assert "王小明" not in own  # applicants masked
    everything = b"".join(_login(ministry).get("/labor-admin/export.csv").streaming_content)
    assert cases["sibling"].number in everything.decode()


def test_search_does_not_cross_units(cases, la_owner):
    response = _login(la_owner).get("/labor-admin/", {"q": cases["sibling"].number})
    assert f">{cases['sibling'].number}</a>" not in response.content.decode()
    assert response.context["page"].paginator.count == 0
    hit = _login(la_owner).get("/labor-admin/", {"q": cases["office"].number})
    assert f">{cases['office'].number}</a>" in hit.content.decode()


def test_board(cases, la_owner, ministry):
    assert board(la_owner)["total"]["open"] == 1
    assert board(ministry)["total"]["open"] == 2


def test_admin_lists_only_visible_cases(cases, la_owner, ministry):
    own = _staff_login(la_owner)
    page = own.get("/admin/labor_admin/case/")
    assert page.status_code == 200
    assert cases["office"].number in page.content.decode()
    assert cases["sibling"].number not in page.content.decode()
    sibling_url = f"/admin/labor_admin/case/{cases['sibling'].pk}/change/"
    assert own.get(sibling_url).status_code in (302, 404)
    national = _staff_login(ministry).get("/admin/labor_admin/case/")
    assert cases["sibling"].number in national.content.decode()


def test_transition_page_post_by_a_sibling_is_404(cases, la_outsider):
    case = cases["office"]
    transition = case.status.transitions_out.first()
    response = _login(la_outsider).post(f"/labor-admin/{case.pk}/transitions/{transition.pk}/")
    assert response.status_code == 404
    case.refresh_from_db()
    assert case.status.code == "received"
