"""The supplier library's pages as a permission matrix (portal/testing/pages.py): for each page
and each member of the cast, what they get. "login" is the sign-in page, "done" a write made and
confirmed by a success message, "refused" a redirect with a warning or an error instead."""

from __future__ import annotations

import pytest
from django.urls import reverse

from portal.testing.cast import roles
from portal.testing.pages import LOGIN, PageMatrix
from suppliers.choices import SupplierStatus as S
from suppliers.models import Category, Certificate, Supplier, SupplierReview

from .factories import SupplierFactory, certified

pytestmark = pytest.mark.django_db

OFFICIALS = ("reviewer", "publisher", "trainer", "official")
REVIEWERS = ("reviewer", "official")
# Another organisation's application does not exist for them (404); the signed-out sign in.
STRANGERS = {"owner": 404, "colleague": 404, "outsider": 404, "talent": 404, "anonymous": LOGIN}


def officials(value) -> dict:
    return dict.fromkeys(OFFICIALS, value)


def reviewers(value) -> dict:
    return dict.fromkeys(REVIEWERS, value)


def application_form(supplier: Supplier, **changes) -> dict:
    data = {
        "categories": [c.pk for c in supplier.categories.all()],
        "countries_served": [c.pk for c in supplier.countries_served.all()],
        "description": supplier.description,
        "capacity": supplier.capacity,
        "references": supplier.references,
        "products": supplier.products,
        "contact_name": supplier.contact_name,
        "contact_phone": supplier.contact_phone,
        "contact_email": supplier.contact_email,
    }
    return data | changes


class ApplicationPages(PageMatrix):
    """An application's page and the pages and steps hanging off it (`applications/<pk>/...`)."""

    url_name = "suppliers:application"
    status = S.DRAFT
    watch = (SupplierReview, Certificate)
    post_data = {
        "post:edit": lambda cast, supplier: application_form(supplier, capacity="年产能 90 万吨"),
        "post:decide-return": {"comment": "请补充海外业绩。"},
        "post:decide-reject": {"comment": "资质不符。"},
        "post:decide-approve": {"comment": ""},
        "post:decide-start-review": {},
        "post:decide-suspend": {"comment": "投诉调查中。", "period_until": "2030-01-01"},
        "post:decide-revoke": {"comment": "伪造材料。"},
        "post:decide-reinstate": {},
    }
    effects = {
        "post:edit": lambda s: s.capacity == "年产能 90 万吨",
        "post:submit": lambda s: s.status == S.SUBMITTED,
        "post:decide-start-review": lambda s: s.status == S.UNDER_REVIEW,
        "post:decide-return": lambda s: s.status == S.RETURNED and s.history.get().comment == "请补充海外业绩。",
        "post:decide-approve": lambda s: s.status == S.APPROVED,
        "post:decide-reject": lambda s: s.status == S.REJECTED,
        "post:decide-suspend": lambda s: s.status == S.SUSPENDED and str(s.sanction_until) == "2030-01-01",
        "post:decide-reinstate": lambda s: s.status == S.APPROVED,
        "post:decide-revoke": lambda s: s.status == S.REVOKED,
    }

    def make_record(self, cast):
        return certified(SupplierFactory(organization=cast.supplier_org, status=self.status))

    def url(self, operation, record):
        _method, _, name = operation.partition(":")
        if name.startswith("decide-"):
            return reverse("suppliers:decide", kwargs={"pk": record.pk, "decision": name.removeprefix("decide-")})
        return super().url(operation, record)


class TestADraftApplication(ApplicationPages):
    expect = {
        "get": roles(200, STRANGERS),
        "get:edit": roles(403, STRANGERS, supplier=200),
        "post:edit": roles(403, STRANGERS, supplier="done"),
        "get:certificate_add": roles(403, STRANGERS, supplier=200),
        "post:submit": roles("refused", STRANGERS, supplier="done"),
        "get:decide-approve": roles(403, STRANGERS, reviewers("refused")),
    }


class TestASubmittedApplication(ApplicationPages):
    status = S.SUBMITTED
    expect = {
        "get": roles(200, STRANGERS),
        "get:edit": roles(403, STRANGERS, supplier=200),
        "post:submit": roles("refused", STRANGERS),
        "get:decide-start-review": roles(403, STRANGERS, reviewers(200)),
        "post:decide-start-review": roles(403, STRANGERS, reviewers("done")),
        "get:decide-return": roles(403, STRANGERS, reviewers(200)),
        "post:decide-return": roles(403, STRANGERS, reviewers("done")),
        "post:decide-approve": roles(403, STRANGERS, reviewers("done")),
        "post:decide-reject": roles(403, STRANGERS, reviewers("done")),
        "get:decide-suspend": roles(403, STRANGERS, reviewers("refused")),
    }


class TestAnApplicationUnderReview(ApplicationPages):
    """The form is locked: the applicant is sent back to the application with the reason."""

    status = S.UNDER_REVIEW
    expect = {
        "get": roles(200, STRANGERS),
        "get:edit": roles(403, STRANGERS, supplier="refused"),
        "post:edit": roles(403, STRANGERS, supplier="refused"),
        "get:certificate_add": roles(403, STRANGERS, supplier="refused"),
        "post:decide-approve": roles(403, STRANGERS, reviewers("done")),
    }


class TestAnApprovedSupplier(ApplicationPages):
    status = S.APPROVED
    expect = {
        "get": roles(200, STRANGERS),
        "get:edit": roles(403, STRANGERS, supplier="refused"),
        "get:certificate_add": roles(403, STRANGERS, supplier=200),
        "get:decide-suspend": roles(403, STRANGERS, reviewers(200)),
        "post:decide-suspend": roles(403, STRANGERS, reviewers("done")),
        "post:decide-revoke": roles(403, STRANGERS, reviewers("done")),
        "post:decide-reinstate": roles(403, STRANGERS, reviewers("refused")),
    }


class TestASuspendedSupplier(ApplicationPages):
    status = S.SUSPENDED
    expect = {
        "get": roles(200, STRANGERS),
        "get:decide-reinstate": roles(403, STRANGERS, reviewers(200)),
        "post:decide-reinstate": roles(403, STRANGERS, reviewers("done")),
    }


# --- The directory, a supplier's page, the queue, the entry point ---------------------------


class TestTheDirectory(PageMatrix):
    url_name = "suppliers:directory"
    expect = {"get": roles(200), "get:review_queue": roles(403, reviewers(200), anonymous=LOGIN)}


class TestAListedSuppliersPage(PageMatrix):
    url_name = "suppliers:detail"
    expect = {"get": roles(200)}

    def make_record(self, cast):
        return SupplierFactory(status=S.APPROVED)


@pytest.mark.parametrize("status", [S.DRAFT, S.SUBMITTED, S.RETURNED, S.REJECTED, S.SUSPENDED, S.REVOKED])
def test_an_unlisted_supplier_has_no_directory_page(status, cast, client):
    supplier = SupplierFactory(organization=cast.supplier_org, status=status)
    client.force_login(cast.supplier)
    assert client.get(reverse("suppliers:detail", kwargs={"pk": supplier.pk})).status_code == 404


class TestTheApplicationForm(PageMatrix):
    """A supplier without an application starts one; nobody else may."""

    url_name = "suppliers:apply"
    expect = {
        "get": roles(403, supplier=200, anonymous=LOGIN),
        "post": roles(403, supplier="done", anonymous=LOGIN),
    }
    post_data = {
        "post": lambda cast, record: {
            "categories": [Category.objects.get(code="legal").pk],
            "countries_served": ["KH"],
            "contact_name": "李律师",
        }
    }
    effects = {"post": lambda record: True}

    def make_record(self, cast):
        return None

    def test_page_matrix(self, operation, role, cast, client):
        super().test_page_matrix(operation, role, cast, client)
        if operation == "post" and role == "supplier":
            supplier = Supplier.objects.get(organization=cast.supplier_org)
            assert list(supplier.countries_served.values_list("code", flat=True)) == ["KH"]
