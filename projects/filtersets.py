"""FilterSets of the project library, shared by the API and the pages."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.choices import Region

from .choices import INVESTMENT_MODELS, LIBRARY_STAGES, BusinessModel, FilingStatus, Library, Sector, Stage
from .models import Project, ProjectReport
from .search import search_projects


class ProjectFilterSet(django_filters.FilterSet):
    country = django_filters.CharFilter(field_name="country_id", method="filter_country", label=_("国家"))
    region = django_filters.ChoiceFilter(field_name="country__region", choices=Region.choices, label=_("地区"))
    sector = django_filters.MultipleChoiceFilter(choices=Sector.choices, label=_("行业"))
    stage = django_filters.MultipleChoiceFilter(choices=Stage.choices, label=_("阶段"))
    business_model = django_filters.MultipleChoiceFilter(choices=BusinessModel.choices, label=_("业务模式"))
    filing_status = django_filters.MultipleChoiceFilter(choices=FilingStatus.choices, label=_("备案状态"))
    library = django_filters.ChoiceFilter(choices=Library.choices, method="filter_library", label=_("项目库"))
    organization = django_filters.NumberFilter(field_name="organization_id", label=_("企业"))
    value_min = django_filters.NumberFilter(
        field_name="contract_value_usd", lookup_expr="gte", label=_("金额下限（美元）")
    )
    value_max = django_filters.NumberFilter(
        field_name="contract_value_usd", lookup_expr="lte", label=_("金额上限（美元）")
    )
    start_after = django_filters.DateFilter(field_name="start_date", lookup_expr="gte", label=_("开工不早于"))
    start_before = django_filters.DateFilter(field_name="start_date", lookup_expr="lte", label=_("开工不晚于"))
    year = django_filters.NumberFilter(field_name="start_date", lookup_expr="year", label=_("开工年度"))
    search = django_filters.CharFilter(method="filter_search", label=_("搜索"))

    class Meta:
        model = Project
        fields = []

    def filter_country(self, queryset, name, value):
        codes = [c.strip().upper() for c in value.split(",") if c.strip()]
        return queryset.filter(country_id__in=codes) if codes else queryset

    def filter_library(self, queryset, name, value):
        condition = Q(stage__in=LIBRARY_STAGES[value])
        if value == Library.OPERATING:
            condition |= Q(business_model__in=INVESTMENT_MODELS)
        return queryset.filter(condition)

    def filter_search(self, queryset, name, value):
        return search_projects(queryset, value)


class ProjectReportFilterSet(django_filters.FilterSet):
    class Meta:
        model = ProjectReport
        fields = ["year", "half"]
