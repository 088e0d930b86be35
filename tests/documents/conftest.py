import pytest

from documents.services import signoff_start

from .factories import DocumentFactory, UserFactory


@pytest.fixture
def originator(db):
    return UserFactory(username="originator")


@pytest.fixture
def signer_a(db):
    return UserFactory(username="signer_a")


@pytest.fixture
def signer_b(db):
    return UserFactory(username="signer_b")


@pytest.fixture
def signer_c(db):
    return UserFactory(username="signer_c")


@pytest.fixture
def document(db, originator):
    return DocumentFactory(registered_by=originator)


@pytest.fixture
def start(originator):
    """start(document, [(order, user), ...]) -> chain"""

    def run(document, plan):
        steps = [{"order": order, "user": person} for order, person in plan]
        return signoff_start(document=document, steps=steps, started_by=originator)

    return run


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def _plain_http(settings):
    """With DATABASE_URL set the settings switch HTTPS hardening on; the test client speaks
    plain HTTP."""
    settings.SECURE_SSL_REDIRECT = False


@pytest.fixture(autouse=True)
def _no_quiet_hours(settings):
    """Sign-off notices are mailed through the notifications outbox, which holds to-dos during
    quiet hours (tested in tests/notifications); here mail goes out whatever the hour."""
    settings.NOTIFICATIONS_QUIET_START = settings.NOTIFICATIONS_QUIET_END = "00:00"
