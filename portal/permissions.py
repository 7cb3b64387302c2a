"""Who may do what: the role predicates, and the same predicates as DRF permission classes and
page guards, so that the API and the HTML pages ask one question in one way.

    is_enterprise(user)                       # a member of an enterprise organisation
    is_official(user)                         # a member of an agency
    has_agency_permission(user, "review")     # an official holding that permission

    class ReviewQueue(viewsets.GenericViewSet):
        permission_classes = [HasAgencyPermission("review")]

    @login_required
    def review_queue(request):
        require(has_agency_permission(request.user, "review"), _("审核队列仅对具有审核权限的主管部门人员开放。"))

A refused API request answers 401 to the anonymous and 403 to everyone else; a refused page is
a 403 (PermissionDenied). Scope (what records a user may see or change) is not decided here but
by each model's `visible_to` / `editable_by` (portal/models.py).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework import permissions
from rest_framework.exceptions import NotAuthenticated

from .choices import AgencyPermission, OrganizationKind

#: The refusal of a step that only officials with `review` may take (filings, applications).
REVIEWERS_ONLY = _("需要审核权限。")


def membership_of(user):
    """The user's membership (with its organisation), or None for the anonymous and talents."""
    if user is None or not user.is_authenticated:
        return None
    return user.org_membership


def is_member_of_kind(user, kind: str) -> bool:
    membership = membership_of(user)
    return bool(membership and membership.organization.kind == kind)


def is_enterprise(user) -> bool:
    """A member of an enterprise organisation (对外承包工程、境外投资企业)."""
    return is_member_of_kind(user, OrganizationKind.ENTERPRISE)


def is_supplier(user) -> bool:
    return is_member_of_kind(user, OrganizationKind.SUPPLIER)


def is_official(user) -> bool:
    """A member of an agency (主管部门)."""
    return is_member_of_kind(user, OrganizationKind.AGENCY)


def has_agency_permission(user, permission: str) -> bool:
    """An official holding `permission` (AgencyPermission: review, publish_risk, organise_training)."""
    if permission not in AgencyPermission.values:
        raise ValueError(f"unknown agency permission {permission!r}")
    return is_official(user) and permission in user.org_membership.permissions


def is_owner(user, obj) -> bool:
    """A member of the organisation that owns `obj` (a record with `organization_id`)."""
    membership = membership_of(user)
    return membership is not None and membership.organization_id == obj.organization_id


def is_reviewer(user, obj=None) -> bool:
    """An official holding `review`. Takes the record for workflow predicates' signature."""
    return has_agency_permission(user, "review")


def require(allowed: bool, reason: str = "") -> None:
    """For pages: a 403 unless `allowed`. The 403 page shows `reason` (why, in the user's words)."""
    if not allowed:
        raise PermissionDenied(reason)


class _RolePermission(permissions.BasePermission):
    """A DRF permission over a role predicate: 401 for the anonymous, 403 for the rest."""

    predicate = staticmethod(lambda user: False)

    def has_permission(self, request, view) -> bool:
        if not request.user.is_authenticated:
            raise NotAuthenticated
        return self.predicate(request.user)


class IsOfficial(_RolePermission):
    message = _("仅限主管部门工作人员。")
    predicate = staticmethod(is_official)


class IsEnterprise(_RolePermission):
    message = _("仅限企业用户。")
    predicate = staticmethod(is_enterprise)


def HasAgencyPermission(permission: str) -> type[permissions.BasePermission]:
    """A permission class for officials holding `permission`, e.g. HasAgencyPermission("review")."""
    label = AgencyPermission(permission).label  # a typo fails at import, not at request time

    class _HasAgencyPermission(_RolePermission):
        predicate = staticmethod(lambda user: has_agency_permission(user, permission))

        @property
        def message(self) -> str:
            return gettext("需要“%(permission)s”权限。") % {"permission": label}

    _HasAgencyPermission.__name__ = f"HasAgencyPermission_{permission}"
    return _HasAgencyPermission
