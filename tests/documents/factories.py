"""factory_boy factories for the document register. Documents are registered through the
service (a model factory could not allocate a number)."""

import factory

from documents import services
from documents.choices import DocumentCategory, SecurityLevel
from documents.models import Delegation
from tests.accounts import factories as accounts
from tests.accounts.factories import unit

__all__ = ["DelegationFactory", "DocumentFactory", "RoleFactory", "UserFactory", "unit"]


class UserFactory(accounts.UserFactory):
    """The shared user factory, with signer names."""

    username = factory.Sequence(lambda n: f"signer{n}")
    employee_number = factory.Sequence(lambda n: f"S{n:05d}")
    name_zh = factory.Sequence(lambda n: f"簽核員{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.gov.tw")
    # Tests sign in with force_login; skipping the Argon2 hash keeps them fast.
    password = "!"


class RoleFactory(accounts.RoleFactory):
    """A portal-wide role (held in units through ``RoleAssignment``)."""

    code = factory.Sequence(lambda n: f"documents.role_{n}")
    name_zh = factory.Sequence(lambda n: f"角色{n}")
    name_en = ""


class DocumentFactory(factory.Factory):
    """``DocumentFactory(unit=..., subject=...)`` calls ``services.document_register``."""

    class Meta:
        model = dict

    unit = factory.LazyFunction(lambda: unit("IM"))
    subject = factory.Sequence(lambda n: f"測試公文 {n}")
    sender = "勞動部資訊處"
    receiver = "本部各單位"
    category = DocumentCategory.INCOMING
    security_level = SecurityLevel.ORDINARY
    deadline = None
    registered_by = None

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return services.document_register(**kwargs)

    @classmethod
    def _build(cls, model_class, *args, **kwargs):
        return services.document_register(**kwargs)


class DelegationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Delegation

    delegator = factory.SubFactory(UserFactory)
    delegate = factory.SubFactory(UserFactory)
    start_date = factory.Faker("date_this_year")
    end_date = factory.LazyAttribute(lambda o: o.start_date)
    reason = "休假"
