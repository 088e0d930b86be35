import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from core.constants import COUNTIES, ORGANIZATION_CHART
from core.models import County, Organization
from core.selectors import organization_tree

pytestmark = pytest.mark.django_db


def test_twenty_two_counties_with_official_codes():
    assert County.objects.count() == 22
    taipei = County.objects.get(code="63000")
    assert (taipei.name_zh, taipei.name_en, taipei.letter) == ("臺北市", "Taipei City", "A")
    assert County.objects.get(code="09007").name_zh == "連江縣"
    assert County.objects.filter(kind="special_municipality").count() == 6


def test_organization_chart_from_the_seed():
    ministry = Organization.objects.get(code="MOL")
    assert ministry.parent is None
    hq = Organization.objects.get(code="MOL-HQ")
    assert hq.children.filter(kind="department").count() == 6
    assert hq.children.filter(kind="support_office").count() == 6
    assert ministry.children.filter(kind="administration").count() == 2
    assert ministry.children.filter(kind="bureau").count() == 2
    assert ministry.children.filter(kind="institute").count() == 1
    assert Organization.objects.count() == len(ORGANIZATION_CHART)
    assert len(COUNTIES) == 22


def test_tree_order_and_depth(django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        tree = organization_tree()
    assert tree[0][0].code == "MOL" and tree[0][1] == 0
    depth = {unit.code: d for unit, d in tree}
    assert depth["MOL-HQ"] == 1 and depth["IM"] == 2 and depth["WDA"] == 1


def test_descendants_and_ancestors():
    ministry = Organization.objects.get(code="MOL")
    assert len(ministry.descendant_ids()) == Organization.objects.count()
    im = Organization.objects.get(code="IM")
    assert [o.code for o in im.ancestors()] == ["MOL", "MOL-HQ"]


def test_unit_cannot_be_moved_under_its_own_child():
    hq = Organization.objects.get(code="MOL-HQ")
    hq.parent = Organization.objects.get(code="IM")
    with pytest.raises(ValidationError) as err:
        hq.full_clean()
    assert "parent" in err.value.message_dict


def test_bilingual_name_follows_language():
    unit = Organization.objects.get(code="IM")
    with translation.override("en"):
        assert str(unit) == "Department of Information Management"
    with translation.override("zh-hant"):
        assert str(unit) == "資訊處"
