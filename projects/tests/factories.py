"""factory_boy factories of the project library, and helpers that walk a project through the
filing workflow with the real services (so history, stage changes and notifications exist)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone

from portal.models import Country
from portal.testing.factories import OrganizationFactory, UserFactory
from projects import services
from projects.choices import BusinessModel, FilingStatus, Sector, Stage
from projects.models import IntendedProjectSurvey, Project, ProjectReport
from projects.search import search_text


def _usd(project) -> Decimal | None:
    if project.contract_value is None:
        return None
    return services.to_usd(Decimal(project.contract_value), project.currency)


class ProjectFactory(factory.django.DjangoModelFactory):
    """A project row as stored, without going through the services (fast; no history).

    `contract_value_usd` and `search_text` are derived the way the services derive them.
    Traits: `submitted`, `approved`, `returned`, `withdrawn`.
    """

    class Meta:
        model = Project

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"蒙巴萨港第{n}号泊位扩建工程")
    name_en = factory.Sequence(lambda n: f"Mombasa Port Berth {n} Expansion")
    country_id = "KE"
    location = "蒙巴萨"
    sector = Sector.TRANSPORT
    business_model = BusinessModel.EPC
    stage = Stage.UNDER_CONSTRUCTION
    contract_value = Decimal("1000000.00")
    currency = "USD"
    contract_value_usd = factory.LazyAttribute(_usd)
    start_date = dt.date(2024, 3, 1)
    planned_completion = dt.date(2027, 6, 30)
    chinese_staff = 120
    local_staff = 860
    filing_status = FilingStatus.DRAFT
    search_text = factory.LazyAttribute(lambda p: search_text(p.name, p.name_en, p.location))

    class Params:
        submitted = factory.Trait(filing_status=FilingStatus.SUBMITTED, submitted_at=factory.LazyFunction(timezone.now))
        approved = factory.Trait(
            filing_status=FilingStatus.APPROVED,
            submitted_at=factory.LazyFunction(timezone.now),
            approved_at=factory.LazyFunction(timezone.now),
        )
        returned = factory.Trait(filing_status=FilingStatus.RETURNED, submitted_at=factory.LazyFunction(timezone.now))
        withdrawn = factory.Trait(filing_status=FilingStatus.WITHDRAWN, submitted_at=factory.LazyFunction(timezone.now))


class ProjectReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProjectReport

    project = factory.SubFactory(ProjectFactory, approved=True)
    year = 2024
    half = 1
    revenue_usd = Decimal("1000000.00")
    new_contracts_usd = Decimal(0)
    chinese_staff = 100
    local_staff = 500


class SurveyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IntendedProjectSurvey
        django_get_or_create = ("year",)

    year = factory.LazyFunction(lambda: timezone.localdate().year)
    opens_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=20))
    closes_on = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=20))
    opened_by = factory.SubFactory(UserFactory)


def project_data(**overrides) -> dict:
    """Valid input for services.project_create (model values, not JSON)."""
    data = {
        "name": "亚的斯亚贝巴环城公路二期",
        "name_en": "Addis Ababa Ring Road Phase II",
        "country": Country.objects.get(code="ET"),
        "location": "亚的斯亚贝巴",
        "sector": Sector.TRANSPORT,
        "business_model": BusinessModel.EPC,
        "stage": Stage.SIGNED,
        "contract_value": Decimal("5600000000.00"),
        "currency": "ETB",
        "start_date": dt.date(2025, 1, 15),
        "planned_completion": dt.date(2028, 12, 31),
        "chinese_staff": 80,
        "local_staff": 1200,
    }
    data.update(overrides)
    return data


def project_payload(**overrides) -> dict:
    """Valid JSON for POST /api/v1/projects/."""
    payload = {
        "name": "亚的斯亚贝巴环城公路二期",
        "name_en": "Addis Ababa Ring Road Phase II",
        "country": "ET",
        "location": "亚的斯亚贝巴",
        "sector": "transport",
        "business_model": "epc",
        "stage": "signed",
        "contract_value": "5600000000.00",
        "currency": "ETB",
        "start_date": "2025-01-15",
        "planned_completion": "2028-12-31",
        "chinese_staff": 80,
        "local_staff": 1200,
        "embassy_registered": False,
        "description": "",
    }
    payload.update(overrides)
    return payload


def filed_project(*, owner, reviewer, status: str = FilingStatus.APPROVED, **overrides) -> Project:
    """A project created by `owner` and taken to `status` through the services."""
    project = services.project_create(actor=owner, data=project_data(**overrides))
    if status == FilingStatus.DRAFT:
        return project
    project = services.project_submit(actor=owner, project=project)
    if status == FilingStatus.APPROVED:
        return services.project_approve(actor=reviewer, project=project, comment="材料齐全，同意备案。")
    if status == FilingStatus.RETURNED:
        return services.project_return(actor=reviewer, project=project, comment="请补充合同金额证明。")
    if status == FilingStatus.WITHDRAWN:
        return services.project_withdraw(actor=owner, project=project)
    return project
