"""FilterSets of the risk part, used by the API and the pages' filter bars alike."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.choices import Region
from portal.filters import BooleanFilter, FilterBar, FilterSet, IntegerFilter
from projects.choices import Sector

from .cases import search_cases
from .choices import BulletinCategory, BulletinStatus, CaseCategory, RiskLevel, Severity
from .models import CountryRisk, Follow, NegativeCase, RiskBulletin


class CountryRiskFilterSet(FilterSet):
    level = django_filters.MultipleChoiceFilter(choices=RiskLevel.choices, label=_("风险等级"))
    region = django_filters.ChoiceFilter(field_name="country__region", choices=Region.choices, label=_("地区"))

    class Meta:
        model = CountryRisk
        fields = ["level", "region"]


class NegativeCaseFilterSet(FilterSet):
    """The cases' filters: country (codes, comma-separated), category, sector, the year it
    happened, recorded since a date, and the search."""

    country = django_filters.CharFilter(method="filter_country", label=_("国家"))
    category = django_filters.MultipleChoiceFilter(choices=CaseCategory.choices, distinct=False, label=_("案例类别"))
    sector = django_filters.ChoiceFilter(choices=Sector.choices, label=_("行业"), empty_label=_("全部行业"))
    year = IntegerFilter(
        field_name="occurred_on", lookup_expr="year", min_value=1949, max_value=2100, label=_("发生年份")
    )
    since = django_filters.DateFilter(field_name="created_at", lookup_expr="date__gte", label=_("录入日期起"))
    search = django_filters.CharFilter(method="filter_search", label=_("搜索"))

    class Meta:
        model = NegativeCase
        fields = []

    def filter_country(self, queryset, name, value):
        codes = [c.strip().upper() for c in value.split(",") if c.strip()]
        return queryset.filter(country_id__in=codes) if codes else queryset

    def filter_search(self, queryset, name, value):
        return search_cases(queryset, value)


class NegativeCasePageFilterSet(FilterBar, NegativeCaseFilterSet):
    pass


class CountryRiskPageFilterSet(FilterBar, CountryRiskFilterSet):
    pass


class BulletinFilterSet(FilterSet):
    country = django_filters.CharFilter(method="filter_country", label=_("国家代码"))
    category = django_filters.MultipleChoiceFilter(choices=BulletinCategory.choices, label=_("类别"))
    severity = django_filters.MultipleChoiceFilter(choices=Severity.choices, label=_("严重程度"))
    status = django_filters.ChoiceFilter(choices=BulletinStatus.choices, label=_("状态"))
    in_force = BooleanFilter(method="filter_in_force", label=_("现行有效"))

    class Meta:
        model = RiskBulletin
        fields = ["country", "category", "severity", "status", "in_force"]

    def filter_country(self, queryset, name, value):
        return queryset.filter(countries=value.strip().upper()) if value.strip() else queryset

    def filter_in_force(self, queryset, name, value):
        if value is None:
            return queryset
        in_force = RiskBulletin.objects.in_force().values("pk")
        return queryset.filter(pk__in=in_force) if value else queryset.exclude(pk__in=in_force)


class FollowFilterSet(FilterSet):
    class Meta:
        model = Follow
        fields = ["category"]


class BulletinPageFilterSet(FilterBar, BulletinFilterSet):
    """The bulletin list page: in force unless a status is chosen (drafts for officials)."""

    search = django_filters.CharFilter(method="filter_search", label=_("搜索"))

    class Meta:
        model = RiskBulletin
        fields = ["country", "category", "severity", "status", "search"]

    def filter_search(self, queryset, name, value):
        for term in value.split()[:5]:
            queryset = queryset.filter(Q(title__icontains=term) | Q(body__icontains=term))
        return queryset

    @property
    def qs(self):
        queryset = super().qs
        if self.is_bound and not (self.data.get("status") or ""):
            queryset = queryset.filter(pk__in=RiskBulletin.objects.in_force().values("pk"))
        return queryset
