"""core.actions.service_action: a service's outcome as messages."""

import pytest
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.test import RequestFactory

from core.actions import service_action


@pytest.fixture
def request_():
    request = RequestFactory().post("/")
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def _texts(request):
    return [(m.level_tag, m.message) for m in get_messages(request)]


def test_success_message_may_use_what_the_service_returned(request_):
    assert service_action(request_, lambda: [1, 2], success=lambda done: f"{len(done)} done")
    assert _texts(request_) == [("success", "2 done")]


def test_validation_errors_become_error_messages_and_no_success(request_):
    def fail():
        raise ValidationError({"quantity": ["Too many.", "Not in stock."]})

    assert not service_action(request_, fail, success="never")
    assert _texts(request_) == [("error", "Too many."), ("error", "Not in stock.")]


def test_denied_is_a_404_unless_the_reader_may_see_the_object(request_):
    def deny():
        raise PermissionDenied

    with pytest.raises(Http404):
        service_action(request_, deny, success="never")
    with pytest.raises(PermissionDenied):
        service_action(request_, deny, success="never", hide_denied=False)
    assert _texts(request_) == []
