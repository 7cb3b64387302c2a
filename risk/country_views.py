"""The country pages at /risk/countries/ (namespace `risk`): the world map of the portal's risk
levels with the table beside it, and one country's page (国别画像): its level with the history
as a chart, the reference ratings with their changes, the negative cases there, the province's
exposure (projects, Chinese staff, suppliers, talents) and the trainings that cover it."""

from __future__ import annotations

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from portal.choices import Region
from portal.generic import PortalView, filter_query
from portal.models import Country
from portal.permissions import has_agency_permission, is_official

from . import cases, selectors
from .choices import RiskLevel
from .filtersets import CountryRiskPageFilterSet
from .models import CountryRisk, CountryRiskChange, ReferenceRating, ReferenceRatingChange, RiskBulletin

#: The map's colour for each level, as the travel advisories colour them (also in risk.css).
LEVEL_COLOURS = {1: "#3f8f5a", 2: "#e0b12e", 3: "#e07b28", 4: "#c0392b"}


def _english() -> bool:
    return (get_language() or "").startswith("en")


def country_name(country: Country) -> str:
    return country.name_en if _english() else country.name_zh


class RiskSection(PortalView):
    def section_context(self):
        return {"section": {"publisher": has_agency_permission(self.request.user, "publish_risk")}}


class CountryLevelsView(RiskSection):
    """The world map of levels (everyone), filtered by level and region, with the table."""

    template_name = "risk/countries/map.html"

    def get(self, request):
        queryset = CountryRisk.objects.select_related("country")
        filterset = CountryRiskPageFilterSet(request.GET, queryset=queryset, request=request)
        rows = list(filterset.qs.order_by("-level", "country__code"))
        regions = dict(Region.choices)
        names = {
            code: (en if _english() else zh)
            for code, zh, en in Country.objects.values_list("code", "name_zh", "name_en")
        }
        levels = dict(RiskLevel.choices)
        return self.render(
            {
                "filterset": filterset,
                "filter_query": filter_query(request),
                "rows": [
                    {
                        "risk": row,
                        "name": country_name(row.country),
                        "region": regions.get(row.country.region, row.country.region),
                    }
                    for row in rows
                ],
                "map_data": [
                    {"code": row.country_id, "level": row.level, "label": str(levels[row.level])} for row in rows
                ],
                "country_names": names,
                "map_labels": {
                    "levels": {str(level): str(label) for level, label in RiskLevel.choices},
                    "colours": {str(level): colour for level, colour in LEVEL_COLOURS.items()},
                    "none": _("未评估"),
                    "failed": _("地图加载失败，请查看下表。"),
                    "page": reverse("risk:country", kwargs={"code": "XX"}),
                },
                "counts": {level: sum(1 for r in rows if r.level == level) for level in RiskLevel.values},
                "level_choices": RiskLevel.choices,
            }
        )


class CountryPageView(RiskSection):
    """国别画像: everything the portal holds about one country, for everyone; the names of
    those who changed the level only for officials."""

    template_name = "risk/countries/detail.html"

    def get(self, request, code):
        country = get_object_or_404(Country, code=code.upper())
        risk = (
            CountryRisk.objects.filter(country=country)
            .select_related("reviewed_by")
            .prefetch_related(
                Prefetch(
                    "history", queryset=CountryRiskChange.objects.select_related("actor").order_by("created_at", "id")
                ),
                Prefetch(
                    "ratings",
                    queryset=ReferenceRating.objects.prefetch_related(
                        Prefetch("history", queryset=ReferenceRatingChange.objects.order_by("-created_at", "-id"))
                    ),
                ),
            )
            .first()
        )
        history = list(risk.history.all()) if risk else []
        talents = selectors.talents_with_experience(country)
        return self.render(
            {
                "country": country,
                "name": country_name(country),
                "risk": risk,
                "history": list(reversed(history)),
                "chart": [{"at": change.created_at.isoformat(), "level": change.new_level} for change in history]
                + ([{"at": risk.reviewed_at.isoformat(), "level": risk.level}] if risk else []),
                "chart_labels": {
                    "levels": {str(level): str(label) for level, label in RiskLevel.choices},
                    "title": _("风险等级变化"),
                },
                "ratings": list(risk.ratings.all()) if risk else [],
                "bulletins": list(
                    RiskBulletin.objects.in_force().filter(countries=country).order_by("-published_at", "-id")[:10]
                ),
                "cases": cases.cases_for_country(country.code),
                "exposure": selectors.exposure(country),
                "talents": talents,
                "trainings": selectors.upcoming_trainings(country),
                "show_actors": is_official(request.user),
            }
        )
