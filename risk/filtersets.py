"""FilterSets of the risk part, used by the API and the pages' filter bars alike."""

import django_filters
from django.utils.translation import gettext_lazy as _

from portal.choices import Region
from portal.filters import FilterSet

from .choices import RiskLevel
from .models import CountryRisk


class CountryRiskFilterSet(FilterSet):
    level = django_filters.MultipleChoiceFilter(choices=RiskLevel.choices, label=_("风险等级"))
    region = django_filters.ChoiceFilter(field_name="country__region", choices=Region.choices, label=_("地区"))

    class Meta:
        model = CountryRisk
        fields = ["level", "region"]
