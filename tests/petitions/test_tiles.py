import pytest

pytestmark = pytest.mark.django_db


def test_unit_staff_see_the_petitions_tile_on_the_intranet_home(client, make_user, settings):
    settings.MFA_REQUIRED_FOR_STAFF = False
    client.force_login(make_user(username="handler"))
    page = client.get("/intranet/")
    assert b'href="/petitions/staff/"' in page.content


def test_the_citizen_mailbox_tile_is_on_the_public_home(client):
    page = client.get("/")
    assert b'href="/petitions/"' in page.content
