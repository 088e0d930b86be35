import pytest

from core import masking


@pytest.mark.parametrize(
    ("value", "expected"),
    [("王小明", "王*明"), ("歐陽小明", "歐**明"), ("林一", "林*"), ("A", "A"), ("", "")],
)
def test_mask_name(value, expected):
    assert masking.mask_name(value) == expected


def test_mask_email_keeps_domain():
    assert masking.mask_email("citizen@example.com") == "c******@example.com"


def test_mask_phone_keeps_prefix_and_last_three():
    assert masking.mask_phone("0912345678") == "0912***678"


def test_mask_id_number():
    assert masking.mask_id_number("A123456789") == "A12****789"


def test_unknown_field_is_fully_masked():
    assert masking.mask_value("salary", 123456) == "******"
