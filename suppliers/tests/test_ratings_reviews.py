"""Star ratings, project supply chains, performance reviews, the scorecard standing and the
suppliers suggested for a project: the rules through the services and the API."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.urls import reverse

from portal.models import AuditEvent, Notification
from portal.testing.cast import Cast, roles
from projects.choices import FilingStatus
from projects.tests.factories import ProjectFactory
from suppliers import selectors, services
from suppliers.choices import SupplierStatus as S
from suppliers.models import (
    Category,
    PerformanceReview,
    RatingCriterion,
    ScorecardCriterion,
    Supplier,
    SupplierRating,
    SupplyChainLink,
)

from .factories import SupplierFactory

pytestmark = pytest.mark.django_db

SCORES = {"qualification": 5, "product_quality": 4, "capacity": 4, "overseas_experience": 3, "compliance_credit": 5}
GOOD = {"quality": 5, "delivery": 4, "compliance": 5, "communication": 4, "comment": "按期交付，质量稳定。"}
BAD = {"quality": 1, "delivery": 1, "compliance": 2, "communication": 1, "comment": "多次延误。"}


@pytest.fixture
def listed(cast):
    return SupplierFactory(
        organization=cast.supplier_org, status=S.APPROVED, categories=["labour_subcontracting"], countries=["KH"]
    )


@pytest.fixture
def project(cast):
    return ProjectFactory(organization=cast.enterprise, country_id="KH", filing_status=FilingStatus.APPROVED)


def link(project, supplier, code="labour_subcontracting", **extra):
    return SupplyChainLink.objects.create(
        project=project, supplier=supplier, category=Category.objects.get(code=code), **extra
    )


# --- Star rating ----------------------------------------------------------------------------


def test_an_official_rates_a_listed_supplier_from_per_criterion_scores(cast, listed):
    rating = services.supplier_rate(actor=cast.reviewer, supplier=listed, scores=SCORES, stars=4, comment="资质齐全。")
    listed.refresh_from_db()
    assert listed.stars == 4
    assert rating.scores == SCORES
    assert AuditEvent.objects.filter(action="supplier.rate", target_id=str(listed.pk)).exists()
    note = Notification.objects.get(recipient=cast.supplier)
    assert "4 星" in note.title
    assert note.body == "资质齐全。"
    services.supplier_rate(actor=cast.official, supplier=listed, scores=SCORES | {"capacity": 1}, stars=3)
    listed.refresh_from_db()
    assert listed.stars == 3
    assert SupplierRating.objects.filter(supplier=listed).count() == 2  # the earlier rating stays


def test_without_stars_the_scores_average_is_taken(cast, listed):
    assert services.supplier_rate(actor=cast.reviewer, supplier=listed, scores=SCORES).stars == 4  # 4.2


def test_every_active_criterion_must_be_scored_1_to_5(cast, listed):
    with pytest.raises(ValidationError) as error:
        services.supplier_rate(actor=cast.reviewer, supplier=listed, scores={"qualification": 9, "nope": 3}, stars=7)
    messages = " ".join(error.value.message_dict["scores"])
    assert "nope" in messages
    assert "product_quality" in messages
    assert "stars" in error.value.message_dict
    RatingCriterion.objects.exclude(code="qualification").update(active=False)
    assert services.supplier_rate(actor=cast.reviewer, supplier=listed, scores={"qualification": 2}).stars == 2


@pytest.mark.parametrize("status", [S.DRAFT, S.SUBMITTED, S.SUSPENDED, S.REVOKED, S.REJECTED])
def test_only_a_listed_supplier_is_rated(status, cast):
    supplier = SupplierFactory(status=status)
    with pytest.raises(ValidationError):
        services.supplier_rate(actor=cast.reviewer, supplier=supplier, scores=SCORES, stars=5)


RATE = roles(403, reviewer=201, official=201, anonymous=401)


@pytest.mark.parametrize("role", Cast.ROLES)
def test_only_reviewers_set_the_rating_over_http(role, cast, api, listed):
    response = api.as_user(cast.user(role)).post(
        reverse("api:supplier-rating", kwargs={"pk": listed.pk}), {"stars": 5, "scores": SCORES}, format="json"
    )
    assert response.status_code == RATE[role], response.content
    listed.refresh_from_db()
    assert (listed.stars == 5) is (RATE[role] == 201)


# --- Supply chains --------------------------------------------------------------------------


def chain_url(project) -> str:
    return reverse("api:supply-chain-list", kwargs={"project_pk": project.pk})


def test_an_enterprise_records_a_listed_supplier_on_its_project(cast, api, listed, project):
    response = api.as_user(cast.colleague).post(
        chain_url(project),
        {
            "supplier": listed.pk,
            "category": "labour_subcontracting",
            "scope": "钢筋工、木工劳务分包",
            "contract_value": "1200000.00",
            "currency": "usd",
            "start_date": "2025-03-01",
            "end_date": "2026-02-28",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    saved = SupplyChainLink.objects.get()
    assert (saved.project, saved.supplier, saved.currency) == (project, listed, "USD")
    assert AuditEvent.objects.filter(action="supply_link.add", organization=cast.enterprise).exists()
    rows = api.as_user(cast.owner).get(chain_url(project)).json()["results"]
    assert [(row["supplier"], row["category"]) for row in rows] == [(listed.pk, "labour_subcontracting")]


def test_a_supply_chain_refuses_an_unlisted_supplier_a_category_it_lacks_and_a_repeat(cast, listed, project):
    pending = SupplierFactory(status=S.SUBMITTED, categories=["legal"])
    labour = Category.objects.get(code="labour_subcontracting")
    with pytest.raises(ValidationError, match="名录中的供应商"):
        services.supply_link_add(actor=cast.owner, project=project, data={"supplier": pending, "category": labour})
    with pytest.raises(ValidationError, match="未入库此类别"):
        services.supply_link_add(
            actor=cast.owner, project=project, data={"supplier": listed, "category": Category.objects.get(code="legal")}
        )
    services.supply_link_add(actor=cast.owner, project=project, data={"supplier": listed, "category": labour})
    with pytest.raises(ValidationError, match="已按此类别登记"):
        services.supply_link_add(actor=cast.owner, project=project, data={"supplier": listed, "category": labour})
    assert SupplyChainLink.objects.count() == 1


def test_another_organisation_cannot_see_or_change_a_projects_supply_chain(cast, api, listed):
    draft = ProjectFactory(organization=cast.enterprise, country_id="KH")
    link(draft, listed)
    outsider = api.as_user(cast.outsider)
    assert outsider.get(chain_url(draft)).status_code == 404
    body = {"supplier": listed.pk, "category": "labour_subcontracting"}
    assert outsider.post(chain_url(draft), body, format="json").status_code == 404
    approved = ProjectFactory(organization=cast.enterprise, country_id="KH", filing_status=FilingStatus.APPROVED)
    link(approved, listed)
    assert outsider.get(chain_url(approved)).json()["results"] == []  # the project is public, its chain is not
    assert outsider.post(chain_url(approved), body, format="json").status_code == 403
    assert api.as_user(None).get(chain_url(approved)).status_code == 401


def test_the_supplier_sees_the_links_that_name_it(cast, api, listed, project):
    link(project, listed)
    rows = api.as_user(cast.supplier).get(chain_url(project)).json()["results"]
    assert [row["supplier"] for row in rows] == [listed.pk]


def test_the_supply_chain_list_costs_the_same_queries_at_any_length(cast, api, project, django_assert_num_queries):
    client = api.as_user(cast.owner)
    client.get(chain_url(project))
    for count in (1, 20):
        while SupplyChainLink.objects.count() < count:
            link(project, SupplierFactory(status=S.APPROVED, categories=["legal"]), code="legal")
        # the project; the count; the page of links with suppliers, organisations and categories
        with django_assert_num_queries(3):
            response = client.get(chain_url(project), {"page_size": 50})
        assert len(response.json()["results"]) == count


# --- Performance reviews --------------------------------------------------------------------


def reviews_url(supplier) -> str:
    return reverse("api:supplier-reviews", kwargs={"pk": supplier.pk})


def test_an_enterprise_that_never_recorded_a_supplier_on_a_project_cannot_review_it(cast, api, listed, project):
    response = api.as_user(cast.owner).post(reviews_url(listed), {"project": project.pk, **GOOD}, format="json")
    assert response.status_code == 400
    assert "供应链" in response.json()["project"][0]
    assert not PerformanceReview.objects.exists()


def test_one_review_per_supplier_and_project_by_the_projects_enterprise(cast, api, listed, project):
    link(project, listed)
    owner = api.as_user(cast.owner)
    created = owner.post(reviews_url(listed), {"project": project.pk, **GOOD}, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["organization"] == cast.enterprise.pk
    again = owner.post(reviews_url(listed), {"project": project.pk, **GOOD}, format="json")
    assert again.status_code == 400
    assert PerformanceReview.objects.count() == 1
    rows = type(api)().as_user(cast.supplier).get(reviews_url(listed)).json()["results"]
    assert [row["project"] for row in rows] == [project.pk]


@pytest.mark.parametrize(
    ("role", "expected"), [("outsider", 403), ("supplier", 403), ("reviewer", 403), ("anonymous", 401)]
)
def test_nobody_but_the_projects_enterprise_reviews_for_it(role, expected, cast, api, listed, project):
    link(project, listed)
    response = api.as_user(cast.user(role)).post(reviews_url(listed), {"project": project.pk, **GOOD}, format="json")
    assert response.status_code == expected
    assert not PerformanceReview.objects.exists()


def test_scores_outside_1_to_5_are_refused(cast, api, listed, project):
    link(project, listed)
    response = api.as_user(cast.owner).post(
        reviews_url(listed), {"project": project.pk, **GOOD, "quality": 6, "delivery": 0}, format="json"
    )
    assert response.status_code == 400
    assert {"quality", "delivery"} <= set(response.json())


# --- The scorecard --------------------------------------------------------------------------


def test_the_directory_shows_the_average_review_and_the_standing(cast, api, listed, project):
    link(project, listed)
    services.review_create(actor=cast.owner, supplier=listed, project=project, data=GOOD)
    row = api.get(reverse("api:supplier-list")).json()["results"][0]
    assert row["review_count"] == 1
    assert row["average_review"] == 4.5
    # quality 5 → 100 × 40, delivery 4 → 75 × 25, compliance 5 → 100 × 20, communication 4 → 75 × 15
    assert row["score"] == 90.0
    assert row["standing"] == "excellent"


def test_a_very_poor_standing_is_flagged_to_reviewers(cast, listed, project):
    link(project, listed)
    services.review_create(actor=cast.owner, supplier=listed, project=project, data=BAD)
    flagged = Notification.objects.filter(recipient=cast.reviewer, title__contains="很差")
    assert flagged.count() == 1


def test_the_weights_are_data(cast, listed, project):
    link(project, listed)
    services.review_create(actor=cast.owner, supplier=listed, project=project, data=GOOD)
    ScorecardCriterion.objects.update(weight=0)
    ScorecardCriterion.objects.filter(code="delivery").update(weight=100)
    card = selectors.Scorecard.load()
    annotated = selectors.with_scorecard(Supplier.objects.filter(pk=listed.pk)).get()
    assert selectors.scorecard_of(annotated, card)["score"] == 75.0


# --- Suggested suppliers --------------------------------------------------------------------


def test_suggestions_serve_the_country_fill_missing_categories_are_ranked_with_reasons_and_exclude_suspended(
    cast, listed, project
):
    link(project, listed)  # labour subcontracting is covered
    both = SupplierFactory(status=S.APPROVED, categories=["legal", "tax"], countries=["KH"])
    one = SupplierFactory(status=S.APPROVED, categories=["legal"], countries=["KH"])
    Supplier.objects.filter(pk=one.pk).update(stars=5)
    SupplierFactory(status=S.APPROVED, categories=["legal"], countries=["MY"])  # another country
    SupplierFactory(status=S.APPROVED, categories=["labour_subcontracting"], countries=["KH"])  # covered already
    SupplierFactory(status=S.SUSPENDED, categories=["legal", "tax", "equipment"], countries=["KH"])
    SupplierFactory(status=S.REVOKED, categories=["legal", "tax", "equipment"], countries=["KH"])
    rows = selectors.suggested_suppliers(project)
    assert [row["supplier"].pk for row in rows] == [both.pk, one.pk]
    assert "服务柬埔寨" in rows[0]["reasons"]
    assert any("法务" in reason and "税务" in reason for reason in rows[0]["reasons"])
    assert "5 星供应商" in rows[1]["reasons"]


def test_the_scorecard_weights_are_changed_together_in_the_admin_and_must_sum_to_100(admin_client):
    rows = list(ScorecardCriterion.objects.order_by("id"))
    url = reverse("admin:suppliers_scorecardcriterion_changelist")
    data = {"form-TOTAL_FORMS": "4", "form-INITIAL_FORMS": "4", "_save": "1"}
    for i, row in enumerate(rows):
        data[f"form-{i}-id"] = str(row.pk)
        data[f"form-{i}-weight"] = "30"
    refused = admin_client.post(url, data)
    assert "各项权重之和必须为 100" in refused.content.decode()
    assert ScorecardCriterion.objects.aggregate(total=Sum("weight"))["total"] == 100
    for i in range(4):
        data[f"form-{i}-weight"] = "25"
    assert admin_client.post(url, data).status_code == 302
    assert set(ScorecardCriterion.objects.values_list("weight", flat=True)) == {25}
