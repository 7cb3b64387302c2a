"""Demo organisations and accounts for `manage.py seed_demo` (idempotent)."""

from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext_noop

from . import services
from .choices import MembershipRole, NotificationKind, OrganizationKind
from .messages_i18n import Message
from .models import Membership, Organization, User
from .validators import credit_code_check_char

DEMO_PASSWORD = "portal-demo-2026"  # noqa: S105 - the documented demo password


def _code(first17: str) -> str:
    return first17 + credit_code_check_char(first17)


ORGANIZATIONS = {
    "agency": {
        "name": "湖北省商务厅",
        "name_en": "Department of Commerce of Hubei Province",
        "kind": OrganizationKind.AGENCY,
        "credit_code": _code("11420000MB1234560"),
        "province": "湖北省",
        "city": "武汉市",
        "contact_email": "zcq@commerce.hubei.example.cn",
    },
    "enterprise": {
        "name": "湖北楚天国际工程有限公司",
        "name_en": "Hubei Chutian International Engineering Co., Ltd.",
        "kind": OrganizationKind.ENTERPRISE,
        "credit_code": _code("91420100MA4K0001A"),
        "province": "湖北省",
        "city": "武汉市",
        "contact_email": "overseas@chutian-intl.example.cn",
    },
    "enterprise2": {
        "name": "长沙湘江海外建设集团有限公司",
        "name_en": "Changsha Xiangjiang Overseas Construction Group Co., Ltd.",
        "kind": OrganizationKind.ENTERPRISE,
        "credit_code": _code("91430100MA4L0002B"),
        "province": "湖南省",
        "city": "长沙市",
        "contact_email": "intl@xiangjiang-group.example.cn",
    },
    "supplier": {
        "name": "武汉绿建新材料有限公司",
        "name_en": "Wuhan Lvjian New Materials Co., Ltd.",
        "kind": OrganizationKind.SUPPLIER,
        "credit_code": _code("91420100MA4K0003C"),
        "province": "湖北省",
        "city": "武汉市",
        "contact_email": "sales@lvjian-materials.example.cn",
    },
}

USERS = {
    # username: (organisation key, display name, agency permissions)
    "official": ("agency", "周处长", {"can_review": True, "can_publish_risk": True, "can_organise_training": True}),
    "enterprise": ("enterprise", "李经理", {}),
    "enterprise2": ("enterprise2", "王总监", {}),
    "supplier": ("supplier", "陈经理", {}),
    "talent": (None, "张工程师", {}),
}


@dataclass
class DemoAccounts:
    """What the portal's seed made, handed to every part's demo.seed()."""

    organizations: dict[str, Organization] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)


def seed(*, stdout) -> DemoAccounts:
    accounts = DemoAccounts()
    for key, data in ORGANIZATIONS.items():
        org, _created = Organization.objects.update_or_create(
            credit_code=data["credit_code"], defaults={**data, "verified_at": timezone.now()}
        )
        accounts.organizations[key] = org
    for username, (org_key, display_name, perms) in USERS.items():
        user, created = User.objects.get_or_create(
            username=username, defaults={"email": f"{username}@demo.example.cn", "display_name": display_name}
        )
        if created or not user.check_password(DEMO_PASSWORD):
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        if org_key:
            role = MembershipRole.MEMBER if org_key == "agency" else MembershipRole.ADMIN
            Membership.objects.update_or_create(
                user=user, defaults={"organization": accounts.organizations[org_key], "role": role, **perms}
            )
        accounts.users[username] = user
    official = accounts.users["official"]
    if not official.is_staff:
        official.is_staff = official.is_superuser = True
        official.save(update_fields=["is_staff", "is_superuser"])
    services.notify(
        recipients=list(accounts.users.values()),
        kind=NotificationKind.ACCOUNT,
        title=Message(gettext_noop("欢迎使用走出去企业服务平台")),
        body=Message(
            gettext_noop("这是演示账户。平台汇集政策、市场、金融、项目、人才、风控、税务、法务等“走出去”信息与服务。")
        ),
        url="/",
        dedupe_key="demo:welcome",
    )
    stdout.write(f"  portal: {len(accounts.organizations)} organisations, {len(accounts.users)} demo accounts")
    return accounts
