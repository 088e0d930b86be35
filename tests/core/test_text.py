"""core.text: the one normaliser of typed names, subjects, e-mail addresses and phones."""

import pytest
from django import forms
from django.core.exceptions import ValidationError

from core.text import (
    BIDI_CONTROLS,
    LineField,
    NormalisedEmailField,
    PhoneField,
    clean_line,
    normalise_email,
    normalise_phone,
    phone_validate,
    strip_bidi_controls,
)

HOSTILE = [
    "\u202egnp.exe",  # RIGHT-TO-LEFT OVERRIDE
    "\u202d王小明\u202c",  # LRO ... PDF
    "\u202a\u202b加班費\u202c",  # LRE RLE ... PDF
    "\u2066\u2067\u2068欠薪\u2069",  # isolates
    "\u200e\u200f\u061cname",  # marks
]


def test_every_listed_bidi_control_is_known():
    for code in [*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C]:
        assert chr(code) in BIDI_CONTROLS


@pytest.mark.parametrize("value", HOSTILE)
def test_clean_line_removes_bidi_controls(value):
    cleaned = clean_line(value)
    assert not set(cleaned) & BIDI_CONTROLS
    assert cleaned in {"gnp.exe", "王小明", "加班費", "欠薪", "name"}


def test_clean_line_collapses_space_and_drops_controls_but_keeps_joiners():
    assert clean_line("  a\tb\r\n c\x00\x1b d\ufeff ") == "a b c d"
    assert clean_line("می\u200cخواهم") == "می\u200cخواهم"  # ZWNJ stays (Persian)
    assert strip_bidi_controls("第一行\u202e\n第二行") == "第一行\n第二行"


def test_full_width_email_and_phone_are_normalised():
    assert normalise_email(" ｃｈｅｎ＠ＥＸＡＭＰＬＥ．ｃｏｍ ") == "chen@example.com"
    assert normalise_email("\u202echen@example.com") == "chen@example.com"
    assert normalise_phone("０２－８５９０－２５６７") == "02-8590-2567"
    assert normalise_phone("＋８８６　２　８５９０　２５６７") == "+886 2 8590 2567"


@pytest.mark.parametrize(
    "phone",
    [
        "02-8590-2567",
        "0912-345-678",
        "+886 2 8590 2567",
        "(02)8590-2567#123",
        "02 85902567 分機 12",
    ],
)
def test_phone_numbers_accepted(phone):
    phone_validate(phone)


@pytest.mark.parametrize(
    "phone",
    [
        "=1+1<b>",
        "<script>",
        "12345",
        "+",
        "1+2345678",
        "02-8590-2567; DROP",
        "a0912345678",
        "1234567890123456789",
        "++886285902567",
    ],
)
def test_phone_numbers_refused(phone):
    with pytest.raises(ValidationError) as err:
        phone_validate(normalise_phone(phone))
    assert err.value.code == "phone"


class Sample(forms.Form):
    name = LineField(max_length=10)
    email = NormalisedEmailField()
    phone = PhoneField(required=False)


def test_the_form_fields_apply_the_normaliser_before_validation():
    form = Sample(
        {
            "name": "\u202e王小明\u202c",
            "email": "ｌｉｎ＠ｅｘａｍｐｌｅ．ｃｏｍ",
            "phone": "０９１２３４５６７８",
        }
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {
        "name": "王小明",
        "email": "lin@example.com",
        "phone": "0912345678",
    }
    refused = Sample({"name": "x", "email": "a@example.com", "phone": "=1+1<b>"})
    assert not refused.is_valid()
    assert list(refused.errors) == ["phone"]
    blank = Sample({"name": "\u202e\u202c", "email": "a@example.com"})
    assert not blank.is_valid() and "name" in blank.errors  # only controls: empty, required
