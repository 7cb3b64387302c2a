"""factory_boy factories for the portal's models."""

import itertools

import factory
from django.contrib.auth.hashers import make_password

from portal.choices import MembershipRole, OrganizationKind
from portal.models import Membership, Notification, Organization, User
from portal.validators import CREDIT_CODE_CHARSET, credit_code_check_char

TEST_PASSWORD = "Portal-test-2026!"
_HASHED = make_password(TEST_PASSWORD)
_serial = itertools.count(1)


def valid_credit_code(seed: int | None = None) -> str:
    """A credit code with a correct GB 32100-2015 check character."""
    n = next(_serial) if seed is None else seed
    body = "".join(CREDIT_CODE_CHARSET[(n // 31**i) % 31] for i in range(9))
    first17 = "91" + "420100" + body
    return first17 + credit_code_check_char(first17)


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"测试企业{n}有限公司")
    name_en = factory.Sequence(lambda n: f"Test Enterprise {n} Co., Ltd.")
    kind = OrganizationKind.ENTERPRISE
    credit_code = factory.LazyFunction(valid_credit_code)
    province = "湖北省"
    city = "武汉市"
    contact_email = factory.Sequence(lambda n: f"contact{n}@example.cn")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.Sequence(lambda n: f"user{n}@example.cn")
    display_name = factory.Sequence(lambda n: f"用户{n}")
    password = _HASHED


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = MembershipRole.MEMBER


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    recipient = factory.SubFactory(UserFactory)
    kind = "system"
    title = factory.Sequence(lambda n: f"通知{n}")
    body = "正文"
    dedupe_key = factory.Sequence(lambda n: f"test:{n}")


def member(org: Organization, role: str = MembershipRole.MEMBER, **perms) -> User:
    """A user who is a member of `org` with `role` (and agency permissions for officials)."""
    return MembershipFactory(organization=org, role=role, **perms).user
