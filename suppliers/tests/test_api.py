"""The supplier library's API: who may do what to an application in each role (another
organisation's records are 404s), the workflow over HTTP, certificates and their scans, the
directory and the reference data, and the lists' query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.testing.api import APIMatrix
from portal.testing.cast import Cast, roles
from portal.testing.factories import member
from portal.testing.files import pdf_bytes, upload
from suppliers.choices import SupplierStatus as S
from suppliers.models import Certificate, Supplier

from .factories import CertificateFactory, SupplierFactory, SupplierOrganizationFactory, certified

pytestmark = pytest.mark.django_db

OFFICIALS = ("reviewer", "publisher", "trainer", "official")
REVIEWERS = ("reviewer", "official")


def officials(value) -> dict:
    return dict.fromkeys(OFFICIALS, value)


def reviewers(value) -> dict:
    return dict.fromkeys(REVIEWERS, value)


def url(name: str, pk=None) -> str:
    return reverse(f"api:supplier-application-{name}", kwargs={"pk": pk} if pk else None)


# Outside the applicant and the officials an application does not exist (404); a signed-out
# caller is asked to sign in (401).
STRANGERS = {"owner": 404, "colleague": 404, "outsider": 404, "talent": 404, "anonymous": 401}


class ApplicationMatrix(APIMatrix):
    basename = "supplier-application"
    update_data = {"capacity": "年产能 80 万吨"}
    status = S.DRAFT
    expect = {
        "list": roles(False, officials(True), supplier=True, anonymous=401),
        "retrieve": roles(200, STRANGERS),
        "update": roles(403, STRANGERS, supplier=200),
        "action:submit": roles(403, STRANGERS, supplier=200),
        "action:start-review": roles(403, STRANGERS, reviewers(400)),
        "action:approve": roles(403, STRANGERS, reviewers(400)),
    }
    effects = {"action:submit": lambda s: s.status == S.SUBMITTED and s.history.filter(action="submitted").exists()}

    def make_record(self, cast):
        return certified(SupplierFactory(organization=cast.supplier_org, status=self.status))


class TestADraftApplication(ApplicationMatrix):
    pass


class TestASubmittedApplication(ApplicationMatrix):
    status = S.SUBMITTED
    expect = {
        **ApplicationMatrix.expect,
        "action:submit": roles(403, STRANGERS, supplier=400),
        "action:start-review": roles(403, STRANGERS, reviewers(200)),
        "action:approve": roles(403, STRANGERS, reviewers(200)),
    }
    effects = {
        "action:start-review": lambda s: s.status == S.UNDER_REVIEW,
        "action:approve": lambda s: s.status == S.APPROVED and s.approved_at is not None,
    }


class TestAnApplicationUnderReview(ApplicationMatrix):
    """The form is locked: the applicant's PATCH is refused with a message."""

    status = S.UNDER_REVIEW
    expect = {
        **ApplicationMatrix.expect,
        "update": roles(403, STRANGERS, supplier=400),
        "action:submit": roles(403, STRANGERS, supplier=400),
        "action:start-review": roles(403, STRANGERS, reviewers(400)),
        "action:approve": roles(403, STRANGERS, reviewers(200)),
    }


class TestAnApprovedSupplier(ApplicationMatrix):
    status = S.APPROVED
    expect = {
        **ApplicationMatrix.expect,
        "update": roles(403, STRANGERS, supplier=400),
        "action:submit": roles(403, STRANGERS, supplier=400),
        "action:start-review": roles(403, STRANGERS, reviewers(400)),
        "action:approve": roles(403, STRANGERS, reviewers(400)),
        "action:reinstate": roles(403, STRANGERS, reviewers(400)),
    }


class TestTheCreation(ApplicationMatrix):
    """Only a supplier organisation applies, once."""

    expect = {"create": roles(403, supplier=201, anonymous=401)}

    def make_record(self, cast):
        return SupplierFactory()  # another supplier's, so the cast's may still apply

    def create_data(self, cast):
        return {"categories": ["legal", "tax"], "countries_served": ["kh", "MY"], "contact_name": "李律师"}


def test_another_supplier_organisation_sees_nothing_of_an_application(cast, api):
    supplier = certified(SupplierFactory(organization=cast.supplier_org, status=S.SUBMITTED))
    stranger = member(SupplierOrganizationFactory())
    client = api.as_user(stranger)
    assert client.get(url("detail", supplier.pk)).status_code == 404
    assert client.get(url("certificates", supplier.pk)).status_code == 404
    assert client.post(url("submit", supplier.pk)).status_code == 404
    certificate = supplier.certificates.first()
    download = reverse("api:supplier-certificate-download", kwargs={"pk": certificate.pk})
    assert client.get(download).status_code == 404
    assert client.get(url("list")).json()["results"] == []


# --- The workflow over HTTP -----------------------------------------------------------------


def test_the_whole_application_over_http(cast, api):
    """create → certificate → submit → return with a question → answer → resubmit → approve → suspend → reinstate."""
    applicant = api.as_user(cast.supplier)
    created = applicant.post(
        url("list"),
        {
            "categories": ["testing_certification"],
            "countries_served": ["KH", "MY"],
            "contact_name": "陈主任",
            "contact_email": "lab@example.cn",
            "products": "建材检测、钢结构检测",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert created.json()["status"] == "draft"

    refused = applicant.post(url("submit", pk))
    assert refused.status_code == 400
    assert "CMA" in " ".join(refused.json()["certificates"])
    detail = applicant.get(url("detail", pk)).json()
    assert "submit" in detail["allowed_actions"]
    assert len(detail["missing_certificates"]) == 1

    uploaded = applicant.post(
        url("certificates", pk),
        {
            "kind": "cma",
            "number": "CMA-2024-420100",
            "issuer": "湖北省市场监督管理局",
            "valid_from": "2024-01-01",
            "valid_until": (timezone.localdate() + dt.timedelta(days=500)).isoformat(),
            "file": upload("CMA证书.pdf", pdf_bytes()),
        },
        format="multipart",
    )
    assert uploaded.status_code == 201, uploaded.content
    assert uploaded.json()["file"].endswith(f"/api/v1/supplier-certificates/{uploaded.json()['id']}/download/")
    assert applicant.post(url("submit", pk)).json()["status"] == "submitted"

    reviewer = type(api)().as_user(cast.reviewer)
    returned = reviewer.post(url("return", pk), {"comment": "请补充CNAS认可范围。"}, format="json")
    assert returned.json()["status"] == "returned"
    assert applicant.patch(url("detail", pk), {"capacity": "CNAS 认可 120 项"}, format="json").status_code == 200
    assert applicant.post(url("submit", pk)).json()["status"] == "submitted"
    assert reviewer.post(url("start-review", pk), {}, format="json").json()["status"] == "under_review"
    assert applicant.patch(url("detail", pk), {"capacity": "改"}, format="json").status_code == 400
    assert reviewer.post(url("approve", pk), {"comment": "同意入库"}, format="json").json()["status"] == "approved"
    public = type(api)().as_user(None)
    listed = public.get(reverse("api:supplier-list")).json()["results"]
    assert [row["id"] for row in listed] == [pk]

    suspended = reviewer.post(
        url("suspend", pk),
        {"comment": "投诉调查", "period_from": "2026-01-01", "period_until": "2026-03-31"},
        format="json",
    )
    assert suspended.json()["status"] == "suspended", suspended.content
    assert suspended.json()["sanction_until"] == "2026-03-31"
    assert public.get(reverse("api:supplier-list")).json()["results"] == []
    assert reviewer.post(url("reinstate", pk), {}, format="json").json()["status"] == "approved"

    history = applicant.get(url("history", pk)).json()
    assert [step["action"] for step in history] == [
        "submitted",
        "returned",
        "submitted",
        "review_started",
        "approved",
        "suspended",
        "reinstated",
    ]
    assert history[1]["comment"] == "请补充CNAS认可范围。"
    assert history[5]["period_until"] == "2026-03-31"


def test_a_rejection_without_a_reason_is_a_400_and_changes_nothing(cast, api):
    supplier = certified(SupplierFactory(organization=cast.supplier_org, status=S.SUBMITTED))
    response = api.as_user(cast.reviewer).post(url("reject", supplier.pk), {"comment": ""}, format="json")
    assert response.status_code == 400
    assert "comment" in response.json()
    supplier.refresh_from_db()
    assert supplier.status == S.SUBMITTED


def test_a_suspension_period_that_is_not_a_date_is_a_400(cast, api):
    supplier = SupplierFactory(organization=cast.supplier_org, status=S.APPROVED)
    response = api.as_user(cast.reviewer).post(
        url("suspend", supplier.pk), {"comment": "x", "period_until": "下个月"}, format="json"
    )
    assert response.status_code == 400
    assert "period_until" in response.json()


@pytest.mark.parametrize("role", ["publisher", "supplier", "owner"])
def test_without_review_a_decision_is_refused_before_its_input_is_read(role, cast, api):
    supplier = SupplierFactory(organization=cast.supplier_org, status=S.SUBMITTED)
    response = api.as_user(cast.user(role)).post(url("reject", supplier.pk), {"comment": ""}, format="json")
    assert response.status_code == (404 if role == "owner" else 403)


# --- Certificates and scans -----------------------------------------------------------------


def certificate_form(**overrides) -> dict:
    return {
        "kind": "green_material",
        "number": "GM-1",
        "issuer": "中国建材检验认证集团",
        "valid_from": "2024-01-01",
        "valid_until": (timezone.localdate() + dt.timedelta(days=100)).isoformat(),
        "file": upload("绿色建材.pdf", pdf_bytes()),
    } | overrides


def test_a_file_that_claims_to_be_a_pdf_but_is_not_is_refused_over_http(cast, api):
    supplier = SupplierFactory(organization=cast.supplier_org)
    response = api.as_user(cast.supplier).post(
        url("certificates", supplier.pk),
        certificate_form(file=upload("证书.pdf", b"<html>not a pdf</html>")),
        format="multipart",
    )
    assert response.status_code == 400
    assert "file" in response.json()
    assert not Certificate.objects.exists()


def test_an_unknown_kind_and_a_backwards_validity_are_told_together(cast, api):
    supplier = SupplierFactory(organization=cast.supplier_org)
    response = api.as_user(cast.supplier).post(
        url("certificates", supplier.pk),
        certificate_form(kind="nope", valid_from="2025-05-01", valid_until="2025-01-01"),
        format="multipart",
    )
    assert response.status_code == 400
    assert "kind" in response.json()


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        *((r, 404) for r in ("owner", "colleague", "outsider", "talent")),
        ("supplier", 200),
        *((r, 200) for r in OFFICIALS),
    ],
)
def test_a_scan_is_served_to_its_supplier_and_officials_only(role, expected, cast, api):
    certificate = CertificateFactory(supplier=SupplierFactory(organization=cast.supplier_org, status=S.APPROVED))
    response = api.as_user(cast.user(role)).get(
        reverse("api:supplier-certificate-download", kwargs={"pk": certificate.pk})
    )
    assert response.status_code == expected
    if expected == 200:
        assert b"".join(response.streaming_content).startswith(b"%PDF-")
        assert response["Content-Type"] == "application/pdf"
        assert response["Cache-Control"] == "private, no-store"


def test_an_anonymous_caller_is_asked_to_sign_in_for_a_scan(cast, api):
    certificate = CertificateFactory(supplier=SupplierFactory(organization=cast.supplier_org, status=S.APPROVED))
    response = api.as_user(None).get(reverse("api:supplier-certificate-download", kwargs={"pk": certificate.pk}))
    assert response.status_code == 401


def test_a_certificate_is_removed_before_review_only(cast, api):
    supplier = certified(SupplierFactory(organization=cast.supplier_org, status=S.DRAFT))
    certificate = supplier.certificates.get()
    detail = reverse("api:supplier-certificate-detail", kwargs={"pk": certificate.pk})
    assert api.as_user(cast.outsider).delete(detail).status_code == 404
    assert api.as_user(cast.reviewer).delete(detail).status_code == 403
    Supplier.objects.filter(pk=supplier.pk).update(status=S.UNDER_REVIEW)
    assert api.as_user(cast.supplier).delete(detail).status_code == 400
    Supplier.objects.filter(pk=supplier.pk).update(status=S.RETURNED)
    assert api.as_user(cast.supplier).delete(detail).status_code == 204
    assert not Certificate.objects.exists()


# --- The directory and the reference data ---------------------------------------------------


def test_the_directory_lists_approved_suppliers_only_with_contacts_for_signed_in_users(cast, api):
    listed = SupplierFactory(status=S.APPROVED, categories=["equipment"], countries=["KH"])
    for status in (S.DRAFT, S.SUBMITTED, S.RETURNED, S.REJECTED, S.SUSPENDED, S.REVOKED, S.UNDER_REVIEW):
        SupplierFactory(status=status)
    for role in Cast.ROLES:
        rows = api.as_user(cast.user(role)).get(reverse("api:supplier-list")).json()["results"]
        assert [row["id"] for row in rows] == [listed.pk], role
        assert rows[0]["categories"] == ["equipment"]
        assert (rows[0]["contact"] is None) is (role == "anonymous")


def test_the_directory_filters_by_category_country_province_and_chinese_search(api):
    a = SupplierFactory(status=S.APPROVED, categories=["legal"], countries=["KH"], products="跨境并购法律服务")
    b = SupplierFactory(status=S.APPROVED, categories=["legal", "tax"], countries=["MY"], products="税务筹划")
    SupplierFactory(status=S.APPROVED, categories=["equipment"], countries=["KH"], products="塔吊")
    Supplier.objects.filter(pk=b.pk).update()
    b.organization.province = "湖南省"
    b.organization.save(update_fields=["province"])

    def ids(**params):
        response = api.get(reverse("api:supplier-list"), params)
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["results"]}

    assert ids(category="legal") == {a.pk, b.pk}
    assert ids(category="legal", country="kh") == {a.pk}
    assert ids(province="湖南省") == {b.pk}
    assert ids(search="并购") == {a.pk}
    assert ids(search="税务 筹划") == {b.pk}
    assert api.get(reverse("api:supplier-list"), {"stars_min": 9}).status_code == 400


def test_the_directory_page_costs_the_same_queries_at_any_size(api, django_assert_num_queries):
    for _n in range(30):
        SupplierFactory(status=S.APPROVED, categories=["legal", "tax"], countries=["KH", "MY"])
    for size in (1, 30):
        # the page of suppliers with their organisations; their category codes; their country
        # codes; their reviews' averages; the scorecard's weights and its standings
        with django_assert_num_queries(6):
            response = api.get(reverse("api:supplier-list"), {"page_size": size, "category": "legal", "country": "KH"})
        assert len(response.json()["results"]) == size


def test_the_applications_list_costs_the_same_queries_at_any_size(cast, api, django_assert_num_queries):
    for _n in range(30):
        SupplierFactory(status=S.SUBMITTED, categories=["legal"])
    client = api.as_user(cast.reviewer)
    client.get(url("list"))  # the user's membership is cached on the user after the first request
    for size in (1, 30):
        # the count; the page of applications with organisations; their categories; their countries
        with django_assert_num_queries(4):
            response = client.get(url("list"), {"page_size": size, "status": "submitted"})
        assert len(response.json()["results"]) == size


def test_certificate_kinds_say_which_categories_require_them(api):
    rows = {
        row["code"]: row for row in api.get(reverse("api:certificate-kind-list"), {"page_size": 100}).json()["results"]
    }
    assert rows["safety_production"]["required_by"] == ["labour_subcontracting", "specialist_contracting"]
    assert rows["cma"]["required_by"] == ["testing_certification"]
    categories = {
        row["code"]: row for row in api.get(reverse("api:supplier-category-list"), {"page_size": 100}).json()["results"]
    }
    assert categories["testing_certification"]["requirements"] == [["cma", "cnas"]]
    assert set(categories) >= {
        "specialist_contracting",
        "green_materials",
        "equipment",
        "labour_subcontracting",
        "legal",
        "tax",
    }
