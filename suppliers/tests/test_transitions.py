"""The supplier workflow, step by step, from every status (portal/testing/workflow.py), called
through the services as the views call them. The statuses are written out here rather than read
from suppliers.workflow, so that a change there shows up as a failing test to be decided on."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from portal.testing.workflow import assert_transitions
from suppliers import services
from suppliers.choices import SupplierStatus as S
from suppliers.models import Certificate, SupplierReview

from .factories import certificate_data

pytestmark = pytest.mark.django_db

EVERY = S.values
WATCH = (SupplierReview, Certificate)


def steps(cast):
    return {
        "submit": lambda s: services.application_submit(actor=cast.supplier, supplier=s),
        "review": lambda s: services.application_start_review(actor=cast.reviewer, supplier=s),
        "return": lambda s: services.application_return(actor=cast.reviewer, supplier=s, comment="请补充业绩。"),
        "approve": lambda s: services.application_approve(actor=cast.reviewer, supplier=s),
        "reject": lambda s: services.application_reject(actor=cast.reviewer, supplier=s, comment="资质不符。"),
        "suspend": lambda s: services.supplier_suspend(actor=cast.reviewer, supplier=s, comment="证书失效。"),
        "reinstate": lambda s: services.supplier_reinstate(actor=cast.reviewer, supplier=s),
        "revoke": lambda s: services.supplier_revoke(actor=cast.official, supplier=s, comment="提供虚假材料。"),
    }


CASES = [
    # step, allowed statuses, where they go, the audit action
    ("submit", [S.DRAFT, S.RETURNED], S.SUBMITTED, "supplier_application.submit"),
    ("review", [S.SUBMITTED], S.UNDER_REVIEW, "supplier_application.review"),
    ("return", [S.SUBMITTED, S.UNDER_REVIEW], S.RETURNED, "supplier_application.return"),
    ("approve", [S.SUBMITTED, S.UNDER_REVIEW], S.APPROVED, "supplier_application.approve"),
    ("reject", [S.SUBMITTED, S.UNDER_REVIEW], S.REJECTED, "supplier_application.reject"),
    ("suspend", [S.APPROVED], S.SUSPENDED, "supplier.suspend"),
    ("reinstate", [S.SUSPENDED], S.APPROVED, "supplier.reinstate"),
    ("revoke", [S.APPROVED, S.SUSPENDED], S.REVOKED, "supplier.revoke"),
]


@pytest.mark.parametrize(("step", "allowed", "target", "audit"), CASES, ids=[c[0] for c in CASES])
def test_each_step_goes_from_its_statuses_only(step, allowed, target, audit, cast, make):
    assert_transitions(
        make=make,
        action=steps(cast)[step],
        allowed=allowed,
        forbidden=[s for s in EVERY if s not in allowed],
        expect_status=target,
        audit=audit,
        statuses=EVERY,
        raises=ValidationError,
        watch=WATCH,
        status_field="status",
    )


def test_the_form_is_open_in_draft_submitted_and_returned_only(cast, make):
    assert_transitions(
        make=make,
        action=lambda s: services.application_update(
            actor=cast.supplier, supplier=s, data={"capacity": "年产 80 万吨"}
        ),
        allowed=[S.DRAFT, S.SUBMITTED, S.RETURNED],
        forbidden=[S.UNDER_REVIEW, S.APPROVED, S.REJECTED, S.SUSPENDED, S.REVOKED],
        statuses=EVERY,
        raises=ValidationError,
        watch=WATCH,
        audit="supplier_application.update",
        status_field="status",
    )


def test_certificates_are_kept_current_after_approval_but_not_under_review_or_after_a_final_no(cast, make):
    def add(supplier):
        return services.certificate_add(actor=cast.supplier, supplier=supplier, data=certificate_data())

    assert_transitions(
        make=make,
        action=add,
        allowed=[S.DRAFT, S.SUBMITTED, S.RETURNED, S.APPROVED, S.SUSPENDED],
        forbidden=[S.UNDER_REVIEW, S.REJECTED, S.REVOKED],
        statuses=EVERY,
        raises=ValidationError,
        watch=WATCH,
        status_field="status",
    )


@pytest.mark.parametrize("step", [c[0] for c in CASES])
@pytest.mark.parametrize("role", ["owner", "outsider", "talent", "publisher", "trainer"])
def test_people_without_the_right_role_are_refused_every_step_in_every_status(step, role, cast, make):
    """Officials' steps need `review`; the applicant's own steps need its membership."""
    actor = cast.user(role)
    call = {
        "submit": lambda s: services.application_submit(actor=actor, supplier=s),
        "review": lambda s: services.application_start_review(actor=actor, supplier=s),
        "return": lambda s: services.application_return(actor=actor, supplier=s, comment="x"),
        "approve": lambda s: services.application_approve(actor=actor, supplier=s),
        "reject": lambda s: services.application_reject(actor=actor, supplier=s, comment="x"),
        "suspend": lambda s: services.supplier_suspend(actor=actor, supplier=s, comment="x"),
        "reinstate": lambda s: services.supplier_reinstate(actor=actor, supplier=s),
        "revoke": lambda s: services.supplier_revoke(actor=actor, supplier=s, comment="x"),
    }[step]
    assert_transitions(
        make=make,
        action=call,
        allowed=[],
        forbidden=EVERY,
        raises=PermissionError,
        watch=WATCH,
        status_field="status",
    )


def test_the_supplier_cannot_decide_on_its_own_application(cast, make):
    with pytest.raises(PermissionError):
        services.application_approve(actor=cast.supplier, supplier=make(S.SUBMITTED))
