"""The pages of ratings, supply chains and reviews: who opens them, what they show, what they
change."""

from __future__ import annotations

import pytest
from django.urls import reverse

from portal.testing.cast import roles
from portal.testing.pages import LOGIN, PageMatrix
from projects.choices import FilingStatus
from projects.tests.factories import ProjectFactory
from suppliers.choices import SupplierStatus as S
from suppliers.models import Category, PerformanceReview, RatingCriterion, SupplierRating, SupplyChainLink

from .factories import SupplierFactory

pytestmark = pytest.mark.django_db


def rating_form(cast, supplier) -> dict:
    return {f"score_{c.code}": "4" for c in RatingCriterion.objects.filter(active=True)} | {"comment": "良好"}


class TestTheRatingPage(PageMatrix):
    url_name = "suppliers:rate"
    watch = (SupplierRating,)
    expect = {
        "get": roles(403, reviewer=200, official=200, anonymous=LOGIN),
        "post": roles(403, reviewer="done", official="done", anonymous=LOGIN),
    }
    post_data = {"post": rating_form}
    effects = {"post": lambda s: s.stars == 4 and s.ratings.get().comment == "良好"}

    def make_record(self, cast):
        return SupplierFactory(organization=cast.supplier_org, status=S.APPROVED)


class ChainPages(PageMatrix):
    """A project's supply chain page (suppliers/projects/<project_pk>/)."""

    url_name = "suppliers:supply_chain"
    watch = (SupplyChainLink, PerformanceReview)
    filing_status = FilingStatus.APPROVED

    def make_record(self, cast):
        self.supplier = SupplierFactory(status=S.APPROVED, categories=["legal"], countries=["KE"])
        return ProjectFactory(organization=cast.enterprise, country_id="KE", filing_status=self.filing_status)

    def url_kwargs(self, project):
        return {"project_pk": project.pk}

    def data(self, operation, cast, record):
        return {"supplier": self.supplier.pk, "category": Category.objects.get(code="legal").pk, "scope": "合规审查"}


ENTERPRISE = {"owner": "done", "colleague": "done"}


class TestAnApprovedProjectsChain(ChainPages):
    """The project is public; its chain is its enterprise's (and the officials' to read)."""

    # Anyone else's post is refused by the service: the page again with its message (200),
    # nothing recorded.
    expect = {
        "get": roles(200, anonymous=LOGIN),
        "post": roles(200, ENTERPRISE, anonymous=LOGIN),
    }
    effects = {"post": lambda project: project.supply_chain.get().scope == "合规审查"}


class TestADraftProjectsChain(ChainPages):
    filing_status = FilingStatus.DRAFT
    expect = {
        "get": roles(
            404,
            {"owner": 200, "colleague": 200},
            dict.fromkeys(("reviewer", "publisher", "trainer", "official"), 200),
            anonymous=LOGIN,
        ),
    }


def test_another_enterprise_cannot_record_a_supplier_on_a_public_project(cast, client):
    supplier = SupplierFactory(status=S.APPROVED, categories=["legal"], countries=["KE"])
    project = ProjectFactory(organization=cast.enterprise, country_id="KE", filing_status=FilingStatus.APPROVED)
    client.force_login(cast.outsider)
    url = reverse("suppliers:supply_chain", kwargs={"project_pk": project.pk})
    page = client.get(url).content.decode()
    assert 'id="chain-add"' not in page
    response = client.post(url, {"supplier": supplier.pk, "category": Category.objects.get(code="legal").pk})
    assert not SupplyChainLink.objects.exists()
    assert response.status_code == 200
    assert "只能登记本企业项目的供应链" in " ".join(str(m) for m in response.context["messages"])


def test_the_chain_page_suggests_suppliers_with_reasons_and_leads_to_a_review(cast, client):
    project = ProjectFactory(organization=cast.enterprise, country_id="KH", filing_status=FilingStatus.APPROVED)
    recorded = SupplierFactory(status=S.APPROVED, categories=["legal"], countries=["KH"])
    suggested = SupplierFactory(status=S.APPROVED, categories=["tax"], countries=["KH"])
    suspended = SupplierFactory(status=S.SUSPENDED, categories=["tax"], countries=["KH"])
    SupplyChainLink.objects.create(project=project, supplier=recorded, category=Category.objects.get(code="legal"))
    client.force_login(cast.owner)
    url = reverse("suppliers:supply_chain", kwargs={"project_pk": project.pk})
    page = client.get(url).content.decode()
    assert suggested.organization.name in page
    assert "可补充类别：税务" in page
    assert suspended.organization.name not in page
    review = reverse("suppliers:review_create", kwargs={"project_pk": project.pk, "supplier_pk": recorded.pk})
    assert review in page
    done = client.post(review, {"quality": 5, "delivery": 4, "compliance": 5, "communication": 5, "comment": "好"})
    assert done["Location"] == url
    assert PerformanceReview.objects.get().organization == cast.enterprise
    assert "已评价" in client.get(url).content.decode()


def test_a_supplier_never_recorded_on_the_project_cannot_be_reviewed_on_its_page(cast, client):
    project = ProjectFactory(organization=cast.enterprise, country_id="KH", filing_status=FilingStatus.APPROVED)
    stranger = SupplierFactory(status=S.APPROVED)
    client.force_login(cast.owner)
    url = reverse("suppliers:review_create", kwargs={"project_pk": project.pk, "supplier_pk": stranger.pk})
    response = client.post(url, {"quality": 5, "delivery": 4, "compliance": 5, "communication": 5})
    assert "只能评价登记在本项目供应链中的供应商" in response.content.decode()
    assert not PerformanceReview.objects.exists()


def test_the_project_page_links_to_its_supply_chain(cast, client):
    project = ProjectFactory(organization=cast.enterprise, filing_status=FilingStatus.APPROVED)
    client.force_login(cast.owner)
    page = client.get(reverse("projects:detail", kwargs={"pk": project.pk})).content.decode()
    assert reverse("suppliers:supply_chain", kwargs={"project_pk": project.pk}) in page


def test_the_directory_and_the_suppliers_page_show_the_standing(cast, client):
    from suppliers import services

    supplier = SupplierFactory(status=S.APPROVED, categories=["legal"], countries=["KH"])
    project = ProjectFactory(organization=cast.enterprise, country_id="KH", filing_status=FilingStatus.APPROVED)
    SupplyChainLink.objects.create(project=project, supplier=supplier, category=Category.objects.get(code="legal"))
    services.review_create(
        actor=cast.owner,
        supplier=supplier,
        project=project,
        data={"quality": 5, "delivery": 5, "compliance": 5, "communication": 5},
    )
    assert "履约优秀（100.0 分）" in client.get(reverse("suppliers:directory")).content.decode()
    client.force_login(cast.outsider)
    page = client.get(reverse("suppliers:detail", kwargs={"pk": supplier.pk})).content.decode()
    assert "履约优秀" in page
    assert project.name in page


def test_the_project_page_shows_its_enterprise_suggested_suppliers_with_reasons(cast, client):
    project = ProjectFactory(organization=cast.enterprise, country_id="KH", filing_status=FilingStatus.APPROVED)
    suggested = SupplierFactory(status=S.APPROVED, categories=["tax"], countries=["KH"])
    suspended = SupplierFactory(status=S.SUSPENDED, categories=["tax"], countries=["KH"])
    url = reverse("projects:detail", kwargs={"pk": project.pk})
    client.force_login(cast.owner)
    page = client.get(url).content.decode()
    assert suggested.organization.name in page
    assert "服务柬埔寨" in page
    assert suspended.organization.name not in page
    client.force_login(cast.outsider)  # the project is public; the suggestions are its enterprise's
    assert 'data-testid="project-suggestions"' not in client.get(url).content.decode()


def test_a_very_poor_standing_is_flagged_on_the_application_page(cast, client):
    from suppliers import services

    supplier = SupplierFactory(
        organization=cast.supplier_org, status=S.APPROVED, categories=["legal"], countries=["KH"]
    )
    project = ProjectFactory(organization=cast.enterprise, country_id="KH", filing_status=FilingStatus.APPROVED)
    SupplyChainLink.objects.create(project=project, supplier=supplier, category=Category.objects.get(code="legal"))
    url = reverse("suppliers:application", kwargs={"pk": supplier.pk})
    client.force_login(cast.reviewer)
    assert 'data-testid="standing-flag"' not in client.get(url).content.decode()
    services.review_create(
        actor=cast.owner,
        supplier=supplier,
        project=project,
        data={"quality": 1, "delivery": 1, "compliance": 1, "communication": 2},
    )
    page = client.get(url).content.decode()
    assert 'data-testid="standing-flag"' in page
    assert "履约很差" in page
