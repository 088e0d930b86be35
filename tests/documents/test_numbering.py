import re

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from freezegun import freeze_time

from core.models import Organization, Sequence
from documents import services
from documents.models import Document, DocumentSeries

from .factories import DocumentFactory, unit

pytestmark = pytest.mark.django_db

NUMBER_RE = re.compile(r"^勞動.+字第\d{3}\d{7}號$")


@freeze_time("2026-03-02 09:00:00+08:00")
def test_number_has_prefix_roc_year_and_seven_digit_serial():
    document = DocumentFactory(unit=unit("IM"))
    assert document.number == "勞動資字第1150000001號"
    assert NUMBER_RE.match(document.number)
    assert (document.roc_year, document.serial) == (115, 1)


@freeze_time("2026-03-02 09:00:00+08:00")
def test_serials_follow_each_other_per_unit():
    numbers = [DocumentFactory(unit=unit("IM")).number for _ in range(3)]
    assert numbers == [
        "勞動資字第1150000001號",
        "勞動資字第1150000002號",
        "勞動資字第1150000003號",
    ]


@freeze_time("2026-03-02 09:00:00+08:00")
def test_each_unit_has_its_own_series():
    DocumentFactory(unit=unit("IM"))
    other = DocumentFactory(unit=unit("SEC"))
    assert other.number == "勞動秘字第1150000001號"


def test_roc_year_comes_from_the_taipei_date():
    # 2026-12-31 16:30 UTC is already 2027-01-01 in Taipei: ROC year 116.
    with freeze_time("2026-12-31 15:30:00+00:00"):
        last = DocumentFactory(unit=unit("IM"))
    with freeze_time("2026-12-31 16:30:00+00:00"):
        first = DocumentFactory(unit=unit("IM"))
    assert last.number == "勞動資字第1150000001號"
    assert first.number == "勞動資字第1160000001號"


@freeze_time("2026-03-02 09:00:00+08:00")
def test_rollback_gives_the_serial_back():
    DocumentFactory(unit=unit("IM"))
    with pytest.raises(RuntimeError), transaction.atomic():
        DocumentFactory(unit=unit("IM"))
        raise RuntimeError("the caller fails after registering")
    assert Document.objects.count() == 1
    assert DocumentFactory(unit=unit("IM")).serial == 2


@freeze_time("2026-03-02 09:00:00+08:00")
def test_invalid_document_takes_no_number():
    with pytest.raises(ValidationError) as info:
        DocumentFactory(unit=unit("IM"), subject="")
    assert "subject" in info.value.message_dict
    assert not Sequence.objects.filter(scope__startswith="documents:", last_value__gt=0).exists()
    assert DocumentFactory(unit=unit("IM")).serial == 1


def test_database_refuses_a_duplicate_serial():
    document = DocumentFactory(unit=unit("IM"))
    clone = Document(
        number=document.number + "x",
        roc_year=document.roc_year,
        serial=document.serial,
        unit=document.unit,
        subject="dup",
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        clone.save()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_allocation_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError):
        services.allocate_serial(unit=unit("IM"), year=115)


@pytest.mark.parametrize(
    ("code", "prefix"),
    [
        ("IM", "勞動資"),
        ("DLR", "勞動關"),
        ("DLSEE", "勞動條"),
        ("WDA", "勞動發"),
        ("OSHA", "勞動職"),
    ],
)
def test_default_prefix_uses_the_unit_name(code, prefix):
    assert services.default_prefix(unit(code)) == prefix


def test_default_prefix_avoids_another_units_prefix():
    # 勞動保險司 and 勞工保險局 both start with 保.
    first = services.document_series_for_unit(unit=unit("DLI"))
    second = services.document_series_for_unit(unit=unit("BLI"))
    assert first.prefix == "勞動保"
    assert second.prefix == "勞動保險"
    assert DocumentSeries.objects.count() == 2


def test_changed_prefix_applies_to_new_numbers_only():
    old = DocumentFactory(unit=unit("IM"))
    series = DocumentSeries.objects.get(unit=unit("IM"))
    services.document_series_set_prefix(series=series, prefix="勞動資1")
    new = DocumentFactory(unit=unit("IM"))
    old.refresh_from_db()
    assert old.number.startswith("勞動資字第")
    assert new.number.startswith("勞動資1字第")
    assert new.serial == old.serial + 1


def test_the_same_external_reference_returns_the_first_document():
    first = DocumentFactory(external_system="appeals", external_id="A-1")
    again = DocumentFactory(external_system="appeals", external_id="A-1", subject="other")
    assert first.created and not again.created
    assert again.pk == first.pk
    assert Document.objects.count() == 1


def test_counter_is_per_unit_and_year():
    DocumentFactory(unit=unit("IM"))
    DocumentFactory(unit=unit("SEC"))
    counters = Sequence.objects.filter(scope__startswith="documents:")
    assert set(counters.values_list("scope", "last_value")) == {
        (f"documents:{unit('IM').pk}", 1),
        (f"documents:{unit('SEC').pk}", 1),
    }
    assert Organization.objects.get(code="IM").document_series.prefix == "勞動資"
