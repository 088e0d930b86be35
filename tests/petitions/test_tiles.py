import pytest

from petitions import roles

from .factories import grant

pytestmark = pytest.mark.django_db


def test_petition_handlers_see_the_petitions_tile_on_the_intranet_home(client, make_user, settings):
    settings.MFA_REQUIRED_FOR_STAFF = False
    handler = make_user(username="handler")
    client.force_login(handler)
    assert b'href="/petitions/staff/"' not in client.get("/intranet/").content
    grant(handler, roles.HANDLER, "IM")
    assert b'href="/petitions/staff/"' in client.get("/intranet/").content


def test_the_citizen_mailbox_tile_is_on_the_public_home(client):
    page = client.get("/")
    assert b'href="/petitions/"' in page.content
