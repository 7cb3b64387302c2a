"""FilterSets of the supplier library, shared by the API and the pages."""

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from portal.filters import BooleanFilter, FilterBar, FilterSet, IntegerFilter

from .choices import EventStatus, SupplierStatus
from .models import MatchmakingEvent, Supplier

# Through tables of the two many-to-many fields: a filter is an EXISTS on them, so a supplier is
# listed once whatever it matches (no DISTINCT over every column of the page).
SupplierCategories = Supplier.categories.through
SupplierCountries = Supplier.countries_served.through


def search_suppliers(queryset, value: str):
    """Chinese (or English) substrings of the name, products, capacity and introduction."""
    terms = value.split()
    for term in terms[:5]:
        queryset = queryset.filter(
            Q(organization__name__icontains=term)
            | Q(organization__name_en__icontains=term)
            | Q(products__icontains=term)
            | Q(capacity__icontains=term)
            | Q(description__icontains=term)
        )
    return queryset


class SupplierFilterSet(FilterSet):
    """The directory's filters (and the applications list's, with `status`)."""

    category = django_filters.CharFilter(method="filter_category", label=_("类别"))
    country = django_filters.CharFilter(method="filter_country", label=_("服务国家"))
    province = django_filters.CharFilter(field_name="organization__province", label=_("省份"))
    stars_min = IntegerFilter(field_name="stars", lookup_expr="gte", min_value=1, max_value=5, label=_("最低星级"))
    search = django_filters.CharFilter(method="filter_search", label=_("搜索"))

    class Meta:
        model = Supplier
        fields = []

    def filter_category(self, queryset, name, value):
        codes = [c.strip() for c in value.split(",") if c.strip()]
        if not codes:
            return queryset
        return queryset.filter(
            Exists(SupplierCategories.objects.filter(supplier_id=OuterRef("pk"), category__code__in=codes))
        )

    def filter_country(self, queryset, name, value):
        codes = [c.strip().upper() for c in value.split(",") if c.strip()]
        if not codes:
            return queryset
        return queryset.filter(
            Exists(SupplierCountries.objects.filter(supplier_id=OuterRef("pk"), country_id__in=codes))
        )

    def filter_search(self, queryset, name, value):
        return search_suppliers(queryset, value)


class ApplicationFilterSet(SupplierFilterSet):
    status = django_filters.MultipleChoiceFilter(distinct=False, choices=SupplierStatus.choices, label=_("状态"))

    class Meta:
        model = Supplier
        fields = []


class MatchmakingEventFilterSet(FilterSet):
    country = django_filters.CharFilter(method="filter_country", label=_("国家"))
    category = django_filters.CharFilter(method="filter_category", label=_("类别"))
    status = django_filters.ChoiceFilter(
        field_name="status", choices=EventStatus.choices, label=_("状态"), empty_label=_("全部状态")
    )
    upcoming = BooleanFilter(method="filter_upcoming", label=_("只看未结束的"))
    search = django_filters.CharFilter(method="filter_search", label=_("搜索"))

    class Meta:
        model = MatchmakingEvent
        fields = []

    def filter_country(self, queryset, name, value):
        codes = [c.strip().upper() for c in value.split(",") if c.strip()]
        return queryset.filter(country_id__in=codes) if codes else queryset

    def filter_category(self, queryset, name, value):
        codes = [c.strip() for c in value.split(",") if c.strip()]
        if not codes:
            return queryset
        through = MatchmakingEvent.categories.through
        return queryset.filter(
            Exists(through.objects.filter(matchmakingevent_id=OuterRef("pk"), category__code__in=codes))
        )

    def filter_upcoming(self, queryset, name, value):
        from django.utils import timezone

        return queryset.filter(ends_at__gt=timezone.now()) if value else queryset

    def filter_search(self, queryset, name, value):
        for term in value.split()[:5]:
            queryset = queryset.filter(Q(title__icontains=term) | Q(city__icontains=term) | Q(venue__icontains=term))
        return queryset


class MatchmakingEventPageFilterSet(FilterBar, MatchmakingEventFilterSet):
    pass
