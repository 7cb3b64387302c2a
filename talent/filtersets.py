"""FilterSets of the talent pool, shared by the API and the search page. The score that ranks
what they leave is in talent/selectors.py (`with_match`)."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.filters import FilterBar, FilterSet
from portal.models import Country

from . import selectors
from .choices import CefrLevel, CertificateKind, LanguageCode
from .models import Opening, TalentProfile


def country_choices() -> list[tuple[str, str]]:
    return list(Country.objects.order_by("code").values_list("code", "name_zh"))


class TalentProfileFilterSet(FilterSet):
    """Experience country, language with a minimum level, a valid certificate, availability,
    desired country and a free-text search."""

    # A country by its ISO 3166-1 code (any case); an unknown code finds nobody, as on the
    # other parts' lists. The search page offers the countries as a select.
    country = django_filters.CharFilter(method="filter_country", label=_("海外经历国家"))
    language = django_filters.ChoiceFilter(
        choices=LanguageCode.choices, method="filter_language", label=_("语言"), empty_label=_("全部语言")
    )
    level = django_filters.ChoiceFilter(
        choices=CefrLevel.choices, method="filter_language", label=_("最低语言水平"), empty_label=_("不限水平")
    )
    certificate = django_filters.ChoiceFilter(
        choices=CertificateKind.choices, method="filter_certificate", label=_("有效证书"), empty_label=_("全部证书")
    )
    available_by = django_filters.DateFilter(field_name="available_from", lookup_expr="lte", label=_("最晚到岗日期"))
    desired_country = django_filters.CharFilter(method="filter_desired_country", label=_("意向国家"))
    search = django_filters.CharFilter(method="filter_search", label=_("搜索"))

    class Meta:
        model = TalentProfile
        fields = ["country", "language", "level", "certificate", "available_by", "desired_country", "search"]

    def filter_country(self, queryset, name, value: str):
        return queryset.filter(selectors.has_experience_in(value.strip().upper()))

    def filter_language(self, queryset, name, value):
        # `language` and `level` are one condition: the same language row at that level.
        if name == "level" and self.form.cleaned_data.get("language"):
            return queryset  # applied with the language
        language = self.form.cleaned_data.get("language") or ""
        level = self.form.cleaned_data.get("level") or ""
        return queryset.filter(selectors.speaks(language, level))

    def filter_certificate(self, queryset, name, value):
        return queryset.filter(selectors.holds_valid(value))

    def filter_desired_country(self, queryset, name, value: str):
        return queryset.filter(selectors.wishes_to_go_to(value.strip().upper()))

    def filter_search(self, queryset, name, value):
        for term in value.split()[:5]:
            queryset = queryset.filter(
                Q(full_name__icontains=term)
                | Q(occupation__icontains=term)
                | Q(current_employer__icontains=term)
                | Q(skills__icontains=term)
            )
        return queryset

    def criteria(self) -> selectors.Criteria:
        """What the search asked for, for the match score (nothing for an invalid form)."""
        if not self.is_bound or not self.form.is_valid():
            return selectors.Criteria()
        return selectors.Criteria.from_filters(self.form.cleaned_data)


class TalentSearchFilterSet(FilterBar, TalentProfileFilterSet):
    """The search page's filter bar."""

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        countries = [("", _("全部国家")), *country_choices()]
        for name, filter_ in self.filters.items():
            filter_.__dict__.pop("_field", None)
            if name in ("country", "desired_country"):
                filter_.extra["widget"] = forms.Select(choices=countries)
            elif name == "available_by":
                filter_.extra["widget"] = forms.DateInput(attrs={"type": "date"})
            elif name == "search":
                filter_.extra["widget"] = forms.TextInput(
                    attrs={"type": "search", "placeholder": _("姓名、职业、工作单位或技能")}
                )


class OpeningFilterSet(FilterSet):
    """The openings' filters: country (ISO codes, comma-separated), language, certificate, the
    enterprise's own (`mine`) and the search over the title and requirements."""

    country = django_filters.CharFilter(method="filter_country", label=_("工作国家"))
    language = django_filters.ChoiceFilter(choices=LanguageCode.choices, label=_("语言要求"), empty_label=_("全部语言"))
    certificate = django_filters.ChoiceFilter(
        choices=CertificateKind.choices, label=_("所需证书"), empty_label=_("全部证书")
    )
    search = django_filters.CharFilter(method="filter_search", label=_("搜索"))

    class Meta:
        model = Opening
        fields = []

    def filter_country(self, queryset, name, value):
        codes = [c.strip().upper() for c in value.split(",") if c.strip()]
        return queryset.filter(country_id__in=codes) if codes else queryset

    def filter_search(self, queryset, name, value):
        for term in value.split()[:5]:
            queryset = queryset.filter(
                Q(title__icontains=term) | Q(requirements__icontains=term) | Q(organization__name__icontains=term)
            )
        return queryset


class OpeningPageFilterSet(FilterBar, OpeningFilterSet):
    pass
