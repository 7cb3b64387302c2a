"""The cast every test shares (after healthchecks' hc/test.py).

enterprise owner and colleague (one enterprise), an outsider enterprise's owner, a supplier's
admin, a talent professional without an organisation, officials: a reviewer, a risk
publisher, a trainer and one with every permission; and the anonymous public (None).
"""

from dataclasses import dataclass

from portal.choices import MembershipRole, OrganizationKind
from portal.models import Organization, User

from .factories import OrganizationFactory, UserFactory, member


@dataclass
class Cast:
    enterprise: Organization
    outsider_org: Organization
    supplier_org: Organization
    agency: Organization
    owner: User
    colleague: User
    outsider: User
    supplier: User
    talent: User
    reviewer: User
    publisher: User
    trainer: User
    official: User
    anonymous: None = None

    ROLES = (
        "owner",
        "colleague",
        "outsider",
        "supplier",
        "talent",
        "reviewer",
        "publisher",
        "trainer",
        "official",
        "anonymous",
    )

    def user(self, role: str) -> User | None:
        return getattr(self, role)


def roles(default, *groups: dict, **overrides) -> dict:
    """Every role of the cast mapped to `default`, except those in `groups` and `overrides`
    (later ones win): a row of a permission matrix's `expect`."""
    table = dict.fromkeys(Cast.ROLES, default)
    for group in (*groups, overrides):
        unknown = set(group) - set(Cast.ROLES)
        assert not unknown, unknown
        table.update(group)
    return table


def make_cast() -> Cast:
    enterprise = OrganizationFactory(name="湖北楚天国际工程有限公司", kind=OrganizationKind.ENTERPRISE)
    outsider_org = OrganizationFactory(name="长沙湘江海外建设集团有限公司", kind=OrganizationKind.ENTERPRISE)
    supplier_org = OrganizationFactory(name="武汉绿建新材料有限公司", kind=OrganizationKind.SUPPLIER)
    agency = OrganizationFactory(name="湖北省商务厅", kind=OrganizationKind.AGENCY)
    return Cast(
        enterprise=enterprise,
        outsider_org=outsider_org,
        supplier_org=supplier_org,
        agency=agency,
        owner=member(enterprise, MembershipRole.ADMIN),
        colleague=member(enterprise),
        outsider=member(outsider_org, MembershipRole.ADMIN),
        supplier=member(supplier_org, MembershipRole.ADMIN),
        talent=UserFactory(),
        reviewer=member(agency, can_review=True),
        publisher=member(agency, can_publish_risk=True),
        trainer=member(agency, can_organise_training=True),
        official=member(agency, can_review=True, can_publish_risk=True, can_organise_training=True),
    )
