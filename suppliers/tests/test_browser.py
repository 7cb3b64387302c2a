"""The supplier library in a real browser: a supplier applies with a certificate, an official
returns it with a question, the supplier answers and resubmits, the official approves and rates
it, it appears in the public directory, and an enterprise records it on a project and reviews it."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from portal.choices import MembershipRole, OrganizationKind
from portal.testing.factories import TEST_PASSWORD, OrganizationFactory, member
from portal.testing.files import pdf_bytes
from projects.choices import FilingStatus
from projects.tests.factories import ProjectFactory
from suppliers.choices import SupplierStatus
from suppliers.models import PerformanceReview, Supplier

pytestmark = pytest.mark.browser


def sign_in(page, user, then: str, lands: str | None = None) -> None:
    """Sign in through the login page, which then opens `then` (or where it leads, `lands`)."""
    page.context.clear_cookies()
    page.goto(f"/login/?next={then}")
    page.fill("#id_username", user.username)
    page.fill("#id_password", TEST_PASSWORD)
    page.locator("main").get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(re.escape(lands or then) + "$"))


def test_a_supplier_is_applied_for_returned_resubmitted_approved_rated_listed_recorded_and_reviewed(
    browser_page, tmp_path
):
    page = browser_page
    supplier_org = OrganizationFactory(name="武汉江城绿色建材有限公司", kind=OrganizationKind.SUPPLIER)
    applicant = member(supplier_org, MembershipRole.ADMIN)
    agency = OrganizationFactory(name="湖北省商务厅", kind=OrganizationKind.AGENCY)
    reviewer = member(agency, can_review=True)
    enterprise = OrganizationFactory(name="湖北楚天国际工程有限公司", kind=OrganizationKind.ENTERPRISE)
    buyer = member(enterprise, MembershipRole.ADMIN)
    project = ProjectFactory(organization=enterprise, country_id="KH", filing_status=FilingStatus.APPROVED)

    # The supplier applies.
    sign_in(page, applicant, "/suppliers/mine/", lands="/suppliers/apply/")
    page.get_by_label("绿色建材").check()
    page.select_option("#id_countries_served", ["KH", "MY"])
    page.fill("#id_products", "蒸压加气混凝土砌块")
    page.fill("#id_contact_name", "王经理")
    page.fill("#id_contact_email", "sales@jiangcheng.example.cn")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_test_id("missing-certificates")).to_contain_text("绿色建材产品认证证书")

    # ... attaches its certificate and submits.
    page.get_by_role("link", name="上传证书").click()
    page.select_option("#id_kind", label="绿色建材产品认证证书")
    page.fill("#id_number", "GM-2025-0001")
    page.fill("#id_issuer", "中国建材检验认证集团")
    page.fill("#id_valid_from", "2025-01-01")
    page.fill("#id_valid_until", f"{timezone.localdate().year + 2}-12-31")
    scan = tmp_path / "绿色建材认证.pdf"
    scan.write_bytes(pdf_bytes())
    page.set_input_files("#id_file", str(scan))
    page.get_by_role("button", name="上传").click()
    expect(page.get_by_test_id("certificates")).to_contain_text("GM-2025-0001")
    page.get_by_test_id("submit-application").click()
    expect(page.get_by_test_id("supplier-status")).to_have_text("已提交")
    supplier = Supplier.objects.get(organization=supplier_org)

    # The official returns it with a question.
    sign_in(page, reviewer, "/suppliers/review/")
    page.get_by_test_id("review-queue").get_by_role("link", name=supplier_org.name).click()
    page.get_by_role("link", name="退回补正").click()
    page.fill("#id_comment", "请补充在柬埔寨的供货业绩。")
    page.get_by_test_id("confirm-decision").click()
    expect(page.get_by_test_id("supplier-status")).to_have_text("退回补正")

    # The supplier answers and resubmits.
    sign_in(page, applicant, f"/suppliers/applications/{supplier.pk}/")
    expect(page.get_by_test_id("return-questions")).to_contain_text("请补充在柬埔寨的供货业绩。")
    page.get_by_role("link", name="修改申请").click()
    page.fill("#id_references", "2024 年为金边—西哈努克港高速公路服务区供应墙板 3 万平方米。")
    page.get_by_role("button", name="保存").click()
    page.get_by_test_id("submit-application").click()
    expect(page.get_by_test_id("supplier-status")).to_have_text("已提交")

    # The official approves and rates it.
    sign_in(page, reviewer, f"/suppliers/applications/{supplier.pk}/")
    page.get_by_role("link", name="批准入库").click()
    page.get_by_test_id("confirm-decision").click()
    expect(page.get_by_test_id("supplier-status")).to_have_text("已入库")
    page.goto(f"/suppliers/{supplier.pk}/rate/")
    for radio in page.locator("input[type=radio][value='4']").all():
        radio.check()
    page.select_option("#id_stars", "4")
    page.fill("#id_comment", "资质齐全，海外业绩良好。")
    page.get_by_role("button", name="保存评定").click()
    expect(page.locator(".stars")).to_have_attribute("aria-label", "4 星")

    # It is in the public directory.
    page.context.clear_cookies()
    page.goto("/suppliers/?search=江城")
    expect(page.get_by_test_id("directory")).to_contain_text(supplier_org.name)

    # An enterprise records it on its project and reviews it.
    sign_in(page, buyer, f"/suppliers/projects/{project.pk}/")
    expect(page.get_by_test_id("suggestions")).to_contain_text(supplier_org.name)
    page.select_option("#id_supplier", label=supplier_org.name)
    page.select_option("#id_category", label="绿色建材")
    page.fill("#id_scope", "服务区墙板供应")
    page.get_by_role("button", name="登记", exact=True).click()
    expect(page.get_by_test_id("supply-chain")).to_contain_text(supplier_org.name)
    page.get_by_test_id("supply-chain").get_by_role("link", name="评价").click()
    for name in ("quality", "delivery", "compliance", "communication"):
        page.check(f"input[name={name}][value='5']")
    page.fill("#id_comment", "按期交付。")
    page.get_by_role("button", name="提交评价").click()
    expect(page.get_by_test_id("supply-chain")).to_contain_text("已评价")
    assert PerformanceReview.objects.get().supplier_id == supplier.pk
    supplier.refresh_from_db()
    assert (supplier.status, supplier.stars) == (SupplierStatus.APPROVED, 4)
