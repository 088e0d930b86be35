import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from core.registry import Tile, tiles
from documents.choices import ActionKind, SecurityLevel, StepStatus
from documents.models import Document, SignOffAction
from documents.services import delegation_create

from .factories import DocumentFactory, UserFactory, unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def test_pages_need_a_login(client):
    response = client.get(reverse("documents:pending"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_pending_lists_my_steps_and_delegated_ones(signed_in, start, signer_a, signer_b):
    mine = DocumentFactory(subject="我的待簽")
    theirs = DocumentFactory(subject="代理的待簽")
    start(mine, [(1, signer_b)])
    start(theirs, [(1, signer_a)])
    today = timezone.localdate()
    delegation_create(
        delegator=signer_a,
        delegate=signer_b,
        start_date=today - datetime.timedelta(days=1),
        end_date=today + datetime.timedelta(days=1),
        reason="公假",
        created_by=signer_a,
    )
    response = signed_in(signer_b).get(reverse("documents:pending"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "我的待簽" in body and "代理的待簽" in body
    assert signer_a.display_name in body  # "on behalf of ..."


def test_pending_page_query_count_is_bounded(
    signed_in, start, signer_a, django_assert_max_num_queries
):
    for n in range(15):
        start(DocumentFactory(subject=f"文 {n}"), [(1, signer_a)])
    client = signed_in(signer_a)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("documents:pending"))
    assert response.content.decode().count("文 ") >= 15


def test_unit_list_query_count_is_bounded(signed_in, owner, django_assert_max_num_queries):
    for n in range(20):
        DocumentFactory(subject=f"清單 {n}", unit=unit("IM"))
    client = signed_in(owner)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("documents:list"), {"subject": "清單"})
    assert response.status_code == 200
    assert response.content.decode().count("清單 ") == 20


def test_search_by_number_subject_and_dates(signed_in, owner):
    with freeze_time("2026-03-02 10:00:00+08:00"):
        march = DocumentFactory(subject="三月的公文")
    with freeze_time("2026-04-15 10:00:00+08:00"):
        april = DocumentFactory(subject="四月的公文")
        client = signed_in(owner)
        by_number = client.get(reverse("documents:list"), {"number": april.number[-9:-1]})
        by_subject = client.get(reverse("documents:list"), {"subject": "三月"})
        by_date = client.get(
            reverse("documents:list"),
            {"registered_from": "2026-04-01", "registered_to": "2026-04-30"},
        )
    assert april.number in by_number.content.decode()
    assert march.number not in by_number.content.decode()
    assert march.number in by_subject.content.decode()
    assert april.number not in by_subject.content.decode()
    assert april.number in by_date.content.decode()
    assert march.number not in by_date.content.decode()


def test_list_shows_only_my_units_documents(signed_in, owner):
    mine = DocumentFactory(unit=unit("IM"), subject="資訊處的")
    other = DocumentFactory(unit=unit("BLI"), subject="勞保局的")
    body = signed_in(owner).get(reverse("documents:list")).content.decode()
    assert mine.number in body
    assert other.number not in body


def test_bad_date_range_names_the_field(signed_in, owner):
    response = signed_in(owner).get(
        reverse("documents:list"), {"registered_from": "2026-05-01", "registered_to": "2026-04-01"}
    )
    assert response.status_code == 200
    assert 'id="id_registered_to_error"' in response.content.decode()


def test_outsider_gets_404_on_detail(signed_in, outsider):
    document = DocumentFactory(unit=unit("IM"))
    response = signed_in(outsider).get(document.get_absolute_url())
    assert response.status_code == 404


def test_outsider_cannot_download_an_attachment(signed_in, outsider, media_root):
    pdf = SimpleUploadedFile("a.pdf", b"%PDF-1.7\n%test\n", content_type="application/pdf")
    document = DocumentFactory(unit=unit("IM"), attachments=[pdf])
    attachment = document.attachments.get()
    assert signed_in(outsider).get(attachment.get_absolute_url()).status_code == 404


def test_owner_downloads_an_attachment(signed_in, owner, media_root):
    pdf = SimpleUploadedFile("公文.pdf", b"%PDF-1.7\n%test\n", content_type="application/pdf")
    document = DocumentFactory(unit=unit("IM"), attachments=[pdf])
    response = signed_in(owner).get(document.attachments.get().get_absolute_url())
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_subject_with_markup_is_escaped(signed_in, owner):
    document = DocumentFactory(subject='<script>alert("x")</script><b>粗</b>')
    for url in (document.get_absolute_url(), reverse("documents:list")):
        body = signed_in(owner).get(url).content.decode()
        assert "<script>alert" not in body
        assert "&lt;script&gt;alert" in body
        assert "<b>粗</b>" not in body


@freeze_time("2026-06-10 09:00:00+08:00")
def test_overdue_deadline_is_red_and_says_so_in_text(signed_in, owner):
    DocumentFactory(subject="已逾期", deadline=datetime.date(2026, 6, 9))
    DocumentFactory(subject="未逾期", deadline=datetime.date(2026, 6, 11))
    body = signed_in(owner).get(reverse("documents:list")).content.decode()
    assert body.count('class="doc-overdue"') == 1
    assert body.count('class="doc-overdue-marker"') == 1
    marker = body.split('class="doc-overdue-marker">')[1].split("<")[0]
    assert marker.strip()  # a word, not only a colour


def test_detail_shows_timeline_and_action_form(signed_in, start, signer_a):
    document = DocumentFactory(subject="時間軸")
    chain = start(document, [(1, signer_a)])
    body = signed_in(signer_a).get(document.get_absolute_url()).content.decode()
    step = chain.steps.get()
    for name in ("documents:approve", "documents:return", "documents:forward"):
        assert reverse(name, args=[chain.pk, step.pk]) in body
    assert f'for="id_step{step.pk}-comment"' in body


def test_approve_through_the_page(signed_in, start, signer_a):
    document = DocumentFactory()
    chain = start(document, [(1, signer_a)])
    step = chain.steps.get()
    url = reverse("documents:approve", args=[chain.pk, step.pk])
    client = signed_in(signer_a)
    data = {f"step{step.pk}-comment": "同意"}
    response = client.post(url, data)
    assert response.status_code == 302
    step.refresh_from_db()
    assert step.status == StepStatus.APPROVED
    # The same form posted again (double click) does nothing harmful.
    again = client.post(url, data, follow=True)
    assert again.status_code == 200
    assert SignOffAction.objects.filter(kind=ActionKind.APPROVE).count() == 1


def test_return_without_comment_names_the_field(signed_in, start, signer_a):
    document = DocumentFactory()
    chain = start(document, [(1, signer_a)])
    step = chain.steps.get()
    response = signed_in(signer_a).post(
        reverse("documents:return", args=[chain.pk, step.pk]),
        {f"step{step.pk}-comment": ""},
    )
    assert response.status_code == 400
    assert f'id="id_step{step.pk}-comment_error"' in response.content.decode()
    step.refresh_from_db()
    assert step.status == StepStatus.PENDING


def test_forward_through_the_page(signed_in, start, signer_a, signer_b):
    document = DocumentFactory()
    chain = start(document, [(1, signer_a)])
    step = chain.steps.get()
    response = signed_in(signer_a).post(
        reverse("documents:forward", args=[chain.pk, step.pk]),
        {f"step{step.pk}-forward_to": signer_b.username},
    )
    assert response.status_code == 302
    assert chain.steps.get(status=StepStatus.PENDING).assignee == signer_b


def test_someone_else_cannot_act(signed_in, start, signer_a, signer_b):
    document = DocumentFactory()
    chain = start(document, [(1, signer_a)])
    step = chain.steps.get()
    response = signed_in(signer_b).post(
        reverse("documents:approve", args=[chain.pk, step.pk]),
        {},
    )
    assert response.status_code == 403


def test_register_page_creates_a_document_with_a_chain(signed_in, owner, signer_a, signer_b):
    response = signed_in(owner).post(
        reverse("documents:register"),
        {
            "unit": unit("IM").pk,
            "subject": "網站改版簽呈",
            "category": "memo",
            "security_level": "ordinary",
            "signers": f"{signer_a.username}, {signer_b.username}\n",
        },
    )
    assert response.status_code == 302
    document = Document.objects.get(subject="網站改版簽呈")
    chain = document.signoff_chains.get()
    assert set(chain.steps.values_list("order", flat=True)) == {1}
    assert chain.steps.filter(status=StepStatus.PENDING).count() == 2


def test_register_page_names_unknown_signers(signed_in, owner):
    response = signed_in(owner).post(
        reverse("documents:register"),
        {
            "unit": unit("IM").pk,
            "subject": "x",
            "category": "memo",
            "security_level": "ordinary",
            "signers": "nobody-here",
        },
    )
    assert response.status_code == 400
    assert 'id="id_signers_error"' in response.content.decode()
    assert not Document.objects.exists()


def test_delegation_page_creates_a_delegation(signed_in, owner, signer_b):
    response = signed_in(owner).post(
        reverse("documents:delegations"),
        {
            "delegate": signer_b.username,
            "start_date": "2026-05-04",
            "end_date": "2026-05-08",
            "reason": "特休",
        },
    )
    assert response.status_code == 302
    assert owner.delegations_given.get().delegate == signer_b


def test_my_signoffs_tile_is_registered(owner):
    keys = [t.key for t in tiles.for_surface(Tile.INTRANET, owner)]
    assert "documents.signoffs" in keys


def test_english_page(signed_in, owner):
    client = signed_in(owner)
    client.cookies["mol_language"] = "en"
    body = client.get(reverse("documents:pending")).content.decode()
    assert "My sign-offs" in body


def test_classified_document_hidden_from_parent_unit(signed_in):
    head = UserFactory(username="hq-head", organization=unit("MOL-HQ"))
    secret = DocumentFactory(unit=unit("IM"), security_level=SecurityLevel.CONFIDENTIAL)
    assert signed_in(head).get(secret.get_absolute_url()).status_code == 404
