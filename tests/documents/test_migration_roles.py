"""The data migration from auth groups on sign-off steps to roles in units, both ways."""

import pytest

from tests.migration_support import migrate, migrate_to_latest

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = ("documents", "0002_chains_on_any_object_templates_roles")
AFTER = ("documents", "0004_drop_group_steps_targets_required")


def test_group_steps_become_roles_held_in_the_members_unit_and_back():
    old = migrate([BEFORE])
    Organization = old.get_model("core", "Organization")
    User = old.get_model("accounts", "User")
    Group = old.get_model("auth", "Group")
    Document = old.get_model("documents", "Document")
    Chain = old.get_model("documents", "SignOffChain")
    Step = old.get_model("documents", "SignOffStep")
    sec = Organization.objects.get(code="SEC")
    im = Organization.objects.get(code="IM")
    chief = Group.objects.create(name="科長")
    holder = User.objects.create(username="holder", organization=sec, password="!")
    holder.groups.add(chief)
    elsewhere = User.objects.create(username="elsewhere", organization=im, password="!")
    elsewhere.groups.add(chief)
    document = Document.objects.create(
        number="勞動秘字第1150000001號", roc_year=115, serial=1, unit=sec, subject="舊公文"
    )
    chain = Chain.objects.create(document=document, status="in_progress")
    step = Step.objects.create(
        chain=chain, order=1, role_unit=sec, role_group=chief, status="pending"
    )

    new = migrate([AFTER])
    Role = new.get_model("accounts", "Role")
    Assignment = new.get_model("accounts", "RoleAssignment")
    NewStep = new.get_model("documents", "SignOffStep")
    NewChain = new.get_model("documents", "SignOffChain")
    role = Role.objects.get(code=f"documents.group-{chief.pk}")
    assert role.name_zh == "科長"
    assert set(
        Assignment.objects.filter(role=role).values_list(
            "user__username", "scope__code", "include_subunits"
        )
    ) == {("holder", "SEC", False), ("elsewhere", "IM", False)}
    assert NewStep.objects.get(pk=step.pk).role_id == role.pk
    moved = NewChain.objects.get(pk=chain.pk)
    assert (moved.target_content_type.model, moved.target_object_id) == (
        "document",
        str(document.pk),
    )
    assert moved.subject == "舊公文"

    back = migrate([BEFORE])
    assert back.get_model("documents", "SignOffStep").objects.get(pk=step.pk).role_group_id == (
        chief.pk
    )
    assert (
        not back.get_model("accounts", "Role")
        .objects.filter(code__startswith="documents.group-")
        .exists()
    )
    migrate_to_latest()
