"""The launcher: applications the access policy admits, most used first, counted through a
redirect; personal quick links."""

import pytest
from django.urls import reverse

from accounts.models import (
    Application,
    DirectoryGroup,
    LauncherUsage,
    QuickLink,
    Role,
    RoleAssignment,
)
from core.models import Organization
from core.registry import Tile, tiles

from .mfa_support import (
    english,
    mfa_policy,  # noqa: F401  (autouse: the shipped 2FA policy)
)


@pytest.fixture
def client(client):
    return english(client)


@pytest.fixture
def make_app(db):
    counter = {"n": 0}

    def make(name, **kw):
        counter["n"] += 1
        kw.setdefault("launch_url", f"https://app{counter['n']}.example.gov.tw/")
        return Application.objects.create(
            name=name,
            client_type=Application.CLIENT_CONFIDENTIAL,
            authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
            redirect_uris=kw["launch_url"] + "cb",
            **kw,
        )

    return make


@pytest.fixture
def section(db):
    return Organization.objects.create(
        parent=Organization.objects.get(code="IM"), kind="section", code="IM-S1", name_zh="系統科"
    )


def names(response):
    return [app.name for app in response.context["applications"]]


def test_launcher_shows_what_the_access_policy_admits(client, make_user, make_app, section):
    user = make_user(organization=section)
    make_app("公文系統")
    by_unit = make_app("資訊處系統")
    by_unit.allowed_units.add(Organization.objects.get(code="IM"))  # the user's unit is below
    other_unit = make_app("勞保局系統")
    other_unit.allowed_units.add(Organization.objects.get(code="BLI"))
    by_role = make_app("人事系統")
    role = Role.objects.create(code="hr-clerk", name_zh="人事承辦")
    by_role.allowed_roles.add(role)
    RoleAssignment.objects.create(user=user, role=role)
    by_group = make_app("研究所系統")
    group = DirectoryGroup.objects.create(directory="ilosh", dn="cn=r,dc=x", name="researchers")
    by_group.allowed_directory_groups.add(group)
    group.members.add(user)
    make_app("隱藏系統", show_in_launcher=False)
    make_app("無網址系統", launch_url="")
    client.force_login(user)

    response = client.get(reverse("accounts:launcher"))

    assert response.status_code == 200
    assert sorted(names(response)) == sorted(["公文系統", "資訊處系統", "人事系統", "研究所系統"])


def test_opening_counts_and_puts_the_most_used_first(client, make_user, make_app):
    user = make_user()
    first, second = make_app("甲系統"), make_app("乙系統")
    client.force_login(user)
    assert names(client.get(reverse("accounts:launcher"))) == ["乙系統", "甲系統"]  # by name

    for _ in range(2):
        response = client.get(reverse("accounts:launcher_open", args=[first.pk]))
        assert response.status_code == 302
        assert response["Location"] == first.launch_url
    client.get(reverse("accounts:launcher_open", args=[second.pk]))

    assert LauncherUsage.objects.get(user=user, application=first).open_count == 2
    assert names(client.get(reverse("accounts:launcher"))) == ["甲系統", "乙系統"]


def test_application_outside_the_policy_cannot_be_opened(client, make_user, make_app):
    closed = make_app("勞保局系統")
    closed.allowed_units.add(Organization.objects.get(code="BLI"))
    client.force_login(make_user())
    assert client.get(reverse("accounts:launcher_open", args=[closed.pk])).status_code == 404
    assert not LauncherUsage.objects.exists()


def test_launcher_page_query_count_does_not_grow_with_applications(
    client, make_user, make_app, django_assert_max_num_queries
):
    user = make_user()
    for n in range(12):
        make_app(f"系統{n:02d}")
    QuickLink.objects.create(user=user, title="Intranet wiki", url="https://wiki.example.gov.tw/")
    client.force_login(user)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("accounts:launcher"))
    assert len(response.context["applications"]) == 12


def test_launcher_is_the_first_intranet_tile(make_user):
    first = tiles.for_surface(Tile.INTRANET, make_user())[0]
    assert first.key == "accounts.launcher"
    assert first.href() == reverse("accounts:launcher")


def test_launcher_needs_a_login(client):
    response = client.get(reverse("accounts:launcher"))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


# --- Quick links ---------------------------------------------------------------------------


def add(client, title, url):
    return client.post(reverse("accounts:quick_link_create"), {"title": title, "url": url})


def test_add_quick_links_in_order(client, make_user):
    user = make_user()
    client.force_login(user)
    assert add(client, "差勤", "https://leave.example.gov.tw/").status_code == 302
    assert add(client, "Wiki", "http://wiki.intra/").status_code == 302
    assert [link.title for link in QuickLink.objects.filter(user=user)] == ["差勤", "Wiki"]
    body = client.get(reverse("accounts:launcher")).content.decode()
    assert 'href="https://leave.example.gov.tw/"' in body


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "ftp://files.example.gov.tw/", "data:text/html,hi", "not a url"]
)
def test_only_http_and_https_links_are_accepted(client, make_user, url):
    user = make_user()
    client.force_login(user)
    response = add(client, "Bad", url)
    assert response.status_code == 400
    assert "Enter a web address starting with http:// or https://." in response.content.decode()
    assert not QuickLink.objects.filter(user=user).exists()


def test_missing_title_is_named_in_the_error(client, make_user):
    client.force_login(make_user())
    response = add(client, "", "https://x.example.gov.tw/")
    assert "Enter a title for the link." in response.content.decode()


def test_reorder_and_remove_quick_links(client, make_user):
    user = make_user()
    client.force_login(user)
    for title in ("A", "B", "C"):
        add(client, title, f"https://{title.lower()}.example.gov.tw/")
    c = QuickLink.objects.get(user=user, title="C")

    client.post(reverse("accounts:quick_link_move", args=[c.pk]), {"direction": "up"})
    assert [link.title for link in QuickLink.objects.filter(user=user)] == ["A", "C", "B"]
    client.post(reverse("accounts:quick_link_move", args=[c.pk]), {"direction": "up"})
    client.post(reverse("accounts:quick_link_move", args=[c.pk]), {"direction": "up"})
    assert [link.title for link in QuickLink.objects.filter(user=user)] == ["C", "A", "B"]

    client.post(reverse("accounts:quick_link_delete", args=[c.pk]))
    assert [link.title for link in QuickLink.objects.filter(user=user)] == ["A", "B"]


def test_someone_elses_quick_link_cannot_be_touched(client, make_user):
    other_link = QuickLink.objects.create(
        user=make_user(), title="Theirs", url="https://t.example.gov.tw/"
    )
    client.force_login(make_user())
    assert (
        client.post(reverse("accounts:quick_link_delete", args=[other_link.pk])).status_code == 404
    )
    assert (
        client.post(
            reverse("accounts:quick_link_move", args=[other_link.pk]), {"direction": "up"}
        ).status_code
        == 404
    )
    assert QuickLink.objects.filter(pk=other_link.pk).exists()
