"""The supplier library's pages as people use them: the directory's filters, search, empty
state and pagination; what a supplier sees of its application; the review queue's order, ages
and query count; decisions confirmed on their own page; uploads and downloads of scans."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from portal.testing.factories import member
from portal.testing.files import pdf_bytes, upload
from suppliers import selectors, services
from suppliers.choices import SupplierStatus as S
from suppliers.models import Certificate, Supplier

from .factories import CertificateFactory, SupplierFactory, SupplierOrganizationFactory, certified, kind

pytestmark = pytest.mark.django_db


def body(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


# --- The directory --------------------------------------------------------------------------


def test_the_directory_lists_approved_suppliers_and_never_suspended_or_revoked_ones(client):
    listed = SupplierFactory(status=S.APPROVED)
    hidden = {status: SupplierFactory(status=status) for status in (S.SUSPENDED, S.REVOKED, S.SUBMITTED, S.DRAFT)}
    page = body(client.get(reverse("suppliers:directory")))
    assert listed.organization.name in page
    for supplier in hidden.values():
        assert supplier.organization.name not in page


def test_the_directory_filters_by_category_country_and_province_and_searches_in_chinese(client):
    lawyers = SupplierFactory(status=S.APPROVED, categories=["legal"], countries=["KH"], products="跨境并购法律服务")
    taxes = SupplierFactory(status=S.APPROVED, categories=["tax"], countries=["MY"], products="国际税务筹划")
    taxes.organization.province = "湖南省"
    taxes.organization.save(update_fields=["province"])

    def names(**params):
        page = body(client.get(reverse("suppliers:directory"), params))
        return {s.organization.name for s in (lawyers, taxes) if s.organization.name in page}

    assert names(category="legal") == {lawyers.organization.name}
    assert names(country="MY") == {taxes.organization.name}
    assert names(province="湖南省") == {taxes.organization.name}
    assert names(search="并购") == {lawyers.organization.name}
    assert names() == {lawyers.organization.name, taxes.organization.name}


def test_an_empty_directory_and_an_empty_search_say_so(client):
    assert "名录中暂无供应商" in body(client.get(reverse("suppliers:directory")))
    SupplierFactory(status=S.APPROVED, products="塔吊")
    page = body(client.get(reverse("suppliers:directory"), {"search": "无人机"}))
    assert "没有符合条件的供应商" in page
    assert "清除筛选" in page


def test_the_directory_is_paginated_and_costs_the_same_queries_on_every_page(client, django_assert_num_queries):
    for _n in range(25):
        SupplierFactory(status=S.APPROVED, categories=["legal", "tax"], countries=["KH", "MY"])
    client.get(reverse("suppliers:directory"))  # the session and the choices' first load
    for page in (1, 2):
        # count; the page with organisations and review averages; their categories; their
        # countries; the scorecard's weights and standings; the filter bar's categories,
        # countries served and provinces (the session is in the cache)
        with django_assert_num_queries(9):
            response = client.get(reverse("suppliers:directory"), {"page": page, "category": "legal"})
        assert len(response.context["object_list"]) == (20 if page == 1 else 5)
    assert "第 1 / 2 页" in body(client.get(reverse("suppliers:directory")))


def test_a_suppliers_page_shows_its_contacts_to_signed_in_users_only(cast, client):
    supplier = SupplierFactory(status=S.APPROVED, contact_phone="027-12345678")
    url = reverse("suppliers:detail", kwargs={"pk": supplier.pk})
    assert "027-12345678" not in body(client.get(url))
    assert "登录后可查看联系方式" in body(client.get(url))
    client.force_login(cast.owner)
    assert "027-12345678" in body(client.get(url))


def test_the_english_directory_shows_english_names(client):
    supplier = SupplierFactory(status=S.APPROVED, categories=["legal"])
    page = body(client.get("/en/suppliers/"))
    assert supplier.organization.name_en in page
    assert "Legal services" in page


# --- The supplier's application -------------------------------------------------------------


def test_a_supplier_starts_its_application_and_is_taken_back_to_it_afterwards(cast, client):
    client.force_login(cast.supplier)
    assert client.get(reverse("suppliers:mine"))["Location"] == reverse("suppliers:apply")
    response = client.post(reverse("suppliers:apply"), {"countries_served": ["KH"], "contact_name": "王经理"})
    supplier = Supplier.objects.get(organization=cast.supplier_org)
    assert response["Location"] == reverse("suppliers:application", kwargs={"pk": supplier.pk})
    assert client.get(reverse("suppliers:apply"))["Location"] == response["Location"]
    assert client.get(reverse("suppliers:mine"))["Location"] == response["Location"]


def test_an_invalid_application_form_names_every_problem_and_keeps_what_was_typed(cast, client):
    client.force_login(cast.supplier)
    response = client.post(
        reverse("suppliers:apply"), {"contact_email": "不是邮箱", "countries_served": ["ZZ"], "products": "钢结构"}
    )
    page = body(response)
    assert "error-summary" in page
    assert set(response.context["form"].errors) == {"contact_email", "countries_served"}
    assert "钢结构" in page
    assert not Supplier.objects.exists()


def test_the_application_page_names_the_missing_certificates_and_the_officials_questions(cast, client):
    supplier = SupplierFactory(organization=cast.supplier_org, categories=["testing_certification"])
    client.force_login(cast.supplier)
    url = reverse("suppliers:application", kwargs={"pk": supplier.pk})
    assert "CMA" in body(client.get(url))
    response = client.post(reverse("suppliers:submit", kwargs={"pk": supplier.pk}))
    assert response["Location"] == url
    assert any("CMA" in str(m) for m in get_messages(response.wsgi_request))
    supplier.refresh_from_db()
    assert supplier.status == S.DRAFT

    CertificateFactory(supplier=supplier, kind=kind("cma"))
    client.post(reverse("suppliers:submit", kwargs={"pk": supplier.pk}))
    services.application_return(actor=cast.reviewer, supplier=supplier, comment="请补充 CNAS 认可范围。")
    page = body(client.get(url))
    assert "请补充 CNAS 认可范围。" in page
    assert "重新提交" in page


def test_a_certificate_is_uploaded_on_its_page_and_a_fake_pdf_is_refused(cast, client):
    supplier = SupplierFactory(organization=cast.supplier_org)
    client.force_login(cast.supplier)
    url = reverse("suppliers:certificate_add", kwargs={"pk": supplier.pk})
    form = {
        "kind": kind("green_material").pk,
        "number": "GM-2025-01",
        "issuer": "中国建材检验认证集团",
        "valid_from": "2025-01-01",
        "valid_until": (timezone.localdate() + dt.timedelta(days=200)).isoformat(),
    }
    refused = client.post(url, form | {"file": upload("证书.pdf", b"GIF89a not a pdf")})
    assert "仅接受 PDF、JPEG 或 PNG" in body(refused)
    assert "已选择的文件需要重新选择" in body(refused)
    assert not Certificate.objects.exists()
    done = client.post(url, form | {"file": upload("证书.pdf", pdf_bytes())})
    assert done["Location"] == reverse("suppliers:application", kwargs={"pk": supplier.pk})
    assert Certificate.objects.get().number == "GM-2025-01"


def test_a_scan_is_downloaded_by_its_supplier_and_officials_and_is_a_404_for_another_organisation(cast, client):
    certificate = CertificateFactory(supplier=SupplierFactory(organization=cast.supplier_org))
    url = reverse("suppliers:certificate_file", kwargs={"pk": certificate.pk})
    assert client.get(url)["Location"].startswith(reverse("portal:login"))
    for user in (cast.supplier, cast.reviewer, cast.trainer):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content).startswith(b"%PDF-")
    for user in (cast.owner, cast.outsider, cast.talent, member(SupplierOrganizationFactory())):
        client.force_login(user)
        assert client.get(url).status_code == 404


# --- The review queue and decisions ---------------------------------------------------------


def test_the_review_queue_is_oldest_first_with_ages_in_working_days(cast, client):
    now = timezone.now()
    young = certified(SupplierFactory(status=S.SUBMITTED))
    old = certified(SupplierFactory(status=S.UNDER_REVIEW))
    Supplier.objects.filter(pk=young.pk).update(submitted_at=now - dt.timedelta(days=1))
    Supplier.objects.filter(pk=old.pk).update(submitted_at=now - dt.timedelta(days=21))
    SupplierFactory(status=S.APPROVED)
    client.force_login(cast.reviewer)
    response = client.get(reverse("suppliers:review_queue"))
    rows = response.context["rows"]
    assert [row["supplier"].pk for row in rows] == [old.pk, young.pk]
    assert rows[0]["age"] == 15
    assert rows[0]["overdue"] is True
    assert rows[1]["overdue"] is False
    assert "已超时" in body(response)


def test_the_review_queue_costs_the_same_queries_at_any_length(cast, client, django_assert_num_queries):
    client.force_login(cast.reviewer)
    client.get(reverse("suppliers:review_queue"))
    for count in (1, 30):
        for _n in range(count - Supplier.objects.count()):
            SupplierFactory(status=S.SUBMITTED, categories=["legal", "tax"])
        # session; user; membership; count; the page with organisations; their categories; the
        # header's unread count; the filter bar's categories
        with django_assert_num_queries(8):
            response = client.get(reverse("suppliers:review_queue"))
        assert len(response.context["rows"]) == count


@pytest.mark.parametrize(
    ("start", "end", "days"),
    [
        (dt.date(2026, 1, 5), dt.date(2026, 1, 5), 0),  # the day it came in
        (dt.date(2026, 1, 5), dt.date(2026, 1, 9), 4),  # Monday to Friday
        (dt.date(2026, 1, 9), dt.date(2026, 1, 12), 1),  # Friday to Monday
        (dt.date(2026, 1, 5), dt.date(2026, 1, 19), 10),  # two weeks: the target
        (dt.date(2026, 1, 10), dt.date(2026, 1, 11), 0),  # a weekend
    ],
)
def test_working_days_skip_weekends(start, end, days):
    assert selectors.working_days_between(start, end) == days


def test_a_decision_is_confirmed_on_its_own_page_and_a_missing_reason_is_told_on_it(cast, client):
    supplier = certified(SupplierFactory(organization=cast.supplier_org, status=S.SUBMITTED))
    client.force_login(cast.reviewer)
    url = reverse("suppliers:decide", kwargs={"pk": supplier.pk, "decision": "reject"})
    page = body(client.get(url))
    assert "确认不予入库" in page
    response = client.post(url, {"comment": "  "})
    assert "不予入库时必须说明理由" in body(response)
    supplier.refresh_from_db()
    assert supplier.status == S.SUBMITTED
    done = client.post(url, {"comment": "非本省企业。"})
    assert done["Location"] == reverse("suppliers:application", kwargs={"pk": supplier.pk})
    supplier.refresh_from_db()
    assert supplier.status == S.REJECTED


def test_the_reinstatement_page_names_what_is_still_missing(cast, client):
    supplier = certified(SupplierFactory(organization=cast.supplier_org, status=S.SUSPENDED))
    Certificate.objects.filter(supplier=supplier).update(valid_until=timezone.localdate() - dt.timedelta(days=2))
    client.force_login(cast.reviewer)
    url = reverse("suppliers:decide", kwargs={"pk": supplier.pk, "decision": "reinstate"})
    assert "绿色建材产品认证证书" in body(client.get(url))
    assert "绿色建材产品认证证书" in body(client.post(url, {}))
    supplier.refresh_from_db()
    assert supplier.status == S.SUSPENDED


def test_an_unknown_decision_is_a_404(cast, client):
    supplier = SupplierFactory(organization=cast.supplier_org, status=S.SUBMITTED)
    client.force_login(cast.reviewer)
    assert client.get(reverse("suppliers:decide", kwargs={"pk": supplier.pk, "decision": "promote"})).status_code == 404
