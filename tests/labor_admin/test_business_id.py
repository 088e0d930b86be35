"""The employer's business ID (統一編號) checksum."""

import pytest

from labor_admin.validators import business_id_is_valid


@pytest.mark.parametrize("value", ["10458575", "88117125", "53212539", "04595257"])
def test_valid_business_ids(value):
    assert business_id_is_valid(value)


@pytest.mark.parametrize("value", ["88117126", "1045857", "104585750", "1045857a", "", None])
def test_invalid_business_ids(value):
    assert not business_id_is_valid(value)


def test_seventh_digit_seven_accepts_the_sum_plus_one():
    # 1,0,4,5,8,5,7,4: digit sums 1+0+4+1+8+1+10+4 = 29; +1 = 30 is divisible by 5.
    assert business_id_is_valid("10458574")
    # the same with a 6 as seventh digit (sum 1+0+4+1+8+1+6+4 = 25) is valid on its own,
    # with 8 (sum 1+0+4+1+8+1+5+4 = 24... 8*4=32 -> 5) it is not:
    assert not business_id_is_valid("10458584")
