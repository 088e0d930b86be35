"""Procurement requests through their services: the threshold picks the chain, an official
document with its number is registered, the outcome reaches the requester, and the refusals."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from documents.choices import StepStatus
from documents.models import Document
from documents.services import signoff_approve, signoff_return
from notifications.models import Notice
from portal.models import ProcurementRequest, ProcurementStatus, ProcurementThreshold
from portal.selectors import procurement as selectors
from portal.services import procurement as services
from tests.accounts.factories import unit


@pytest.fixture
def request_for(clock, owner, thresholds):
    def make(amount=80_000, **kwargs):
        kwargs.setdefault("actor", owner)
        kwargs.setdefault("item", "筆記型電腦")
        kwargs.setdefault("quantity", 2)
        kwargs.setdefault("budget_code", "5101-02")
        kwargs.setdefault("justification", "汰換逾齡設備")
        return services.procurement_request_create(estimated_amount=amount, **kwargs)

    return make


def pending_step(request):
    chain = selectors.chain(request)
    return chain.steps.get(status=StepStatus.PENDING)


@pytest.mark.parametrize(
    ("amount", "code", "steps"),
    [(149_999, "small", 1), (150_000, "public", 2), (10_000_000, "huge", 2)],
)
def test_the_amount_picks_the_threshold_and_its_chain(request_for, amount, code, steps):
    request = request_for(amount)
    assert request.threshold.code == code
    assert selectors.chain(request).steps.count() == steps


def test_a_request_registers_an_official_document_with_a_number(request_for, owner):
    request = request_for()
    assert request.number.startswith("P115-")
    document = Document.objects.get(pk=request.document_id)
    assert document.number and document.unit == unit("IM")
    assert request.number in document.subject


def test_approval_along_the_chain_is_told_to_the_requester(request_for, owner, im_head, acc_head):
    request = request_for(2_000_000)
    signoff_approve(step=pending_step(request), actor=im_head)
    request.refresh_from_db()
    assert request.status == ProcurementStatus.PENDING
    signoff_approve(step=pending_step(request), actor=acc_head)
    request.refresh_from_db()
    assert request.status == ProcurementStatus.APPROVED
    assert Notice.objects.filter(
        recipient=owner, source="portal", target_id=str(request.pk)
    ).exists()


def test_returned_request_is_not_approved(request_for, im_head):
    request = request_for()
    signoff_return(step=pending_step(request), actor=im_head, comment="預算不足", to="originator")
    request.refresh_from_db()
    assert request.status == ProcurementStatus.RETURNED


def test_no_threshold_for_the_amount_saves_nothing(request_for, thresholds):
    ProcurementThreshold.objects.filter(code="huge").update(is_active=False)
    with pytest.raises(ValidationError) as exc:
        request_for(20_000_000)
    assert "estimated_amount" in exc.value.message_dict
    assert not ProcurementRequest.objects.exists() and not Document.objects.exists()


def test_threshold_must_name_a_procurement_template_that_registers(thresholds, other_template):
    wrong = ProcurementThreshold(code="x", name_zh="x", min_amount=0, template=other_template)
    with pytest.raises(ValidationError) as exc:
        wrong.full_clean()
    assert "template" in exc.value.message_dict


def test_overlapping_thresholds_are_refused(thresholds):
    overlap = ProcurementThreshold(
        code="x",
        name_zh="x",
        min_amount=100_000,
        max_amount=200_000,
        template=thresholds[0].template,
    )
    with pytest.raises(ValidationError) as exc:
        overlap.full_clean()
    assert "min_amount" in exc.value.message_dict


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("estimated_amount", "abc"),
        ("estimated_amount", "-5"),
        ("estimated_amount", "1.5"),
        ("quantity", "0"),
        ("budget_code", "<b>x</b>"),
        ("item", "  "),
    ],
)
def test_bad_input_names_the_field(request_for, field, value):
    kwargs = {"amount": value} if field == "estimated_amount" else {field: value}
    with pytest.raises(ValidationError) as exc:
        request_for(**kwargs)
    assert field in exc.value.message_dict


def test_visibility_owner_head_approver_not_colleague_or_outsider(
    request_for, owner, im_head, colleague, outsider
):
    request = request_for()
    for user in (owner, im_head):
        assert selectors.request_get(user, request.pk) == request
    for user in (colleague, outsider):
        with pytest.raises(Http404):
            selectors.request_get(user, request.pk)


def test_requester_withdraws_a_pending_request(request_for, owner, colleague):
    request = request_for()
    with pytest.raises(PermissionDenied):
        services.procurement_request_withdraw(request=request, actor=colleague)
    request = services.procurement_request_withdraw(request=request, actor=owner)
    assert request.status == ProcurementStatus.CANCELLED
