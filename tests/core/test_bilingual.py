import pytest
from django.utils import translation

from core.i18n import bilingual, is_english
from core.models import County, Organization

pytestmark = pytest.mark.django_db


def test_english_text_in_english_chinese_otherwise():
    assert bilingual("資訊處", "Information Management", language="en") == "Information Management"
    assert bilingual("資訊處", "Information Management", language="zh-hant") == "資訊處"
    with translation.override("en"):
        assert bilingual("資訊處", "Information Management") == "Information Management"
        assert is_english()


def test_an_empty_text_falls_back_to_the_other_language():
    assert bilingual("資訊處", "", language="en") == "資訊處"
    assert bilingual("", "Information Management", language="zh-hant") == "Information Management"


def test_models_with_the_mixin_name_themselves_in_the_active_language():
    taipei = County.objects.get(code="63000")
    unit = Organization(code="X1", kind=Organization.objects.first().kind, name_zh="測試科")
    with translation.override("en"):
        assert (taipei.name, str(taipei)) == ("Taipei City", "Taipei City")
        assert unit.name == "測試科"  # no English name: the Chinese one
    with translation.override("zh-hant"):
        assert taipei.name == "臺北市"
