"""The statistics with their CSV export, and the overseas map (海外图谱)."""

from __future__ import annotations

import csv
from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from portal.choices import Region
from portal.generic import filter_query as _filter_query
from portal.generic import join_query as _join_query
from portal.models import Country
from portal.permissions import is_official, require

from .. import selectors
from ..choices import FilingStatus
from ..forms import MapFilterSet, StatisticsFilterSet, country_label
from ..models import Project, figures_scope
from .base import render_section

# The filter of the list that each statistics dimension's rows link to.
DIMENSION_FILTERS = {
    "country": "country",
    "region": "region",
    "sector": "sector",
    "stage": "stage",
    "business_model": "business_model",
    "year": "year",
}
# Why the statistics pages refuse (the 403 page shows it).
OFFICIALS_ONLY = gettext_lazy("项目统计仅对主管部门工作人员开放。")
# How many rows of a dimension the bar chart shows (the table shows them all).
CHART_ROWS = 20


def _statistics(request):
    """The dimension and the rows of the statistics page (and its export)."""
    by = request.GET.get("by", "country")
    if by not in selectors.STAT_DIMENSIONS:
        by = "country"
    queryset = Project.objects.visible_to(request.user)
    filterset = StatisticsFilterSet(request.GET, queryset=queryset, request=request)
    queryset = filterset.qs
    if not request.GET.getlist("filing_status"):
        queryset = queryset.filter(filing_status=FilingStatus.APPROVED)  # as the API does
    rows = selectors.project_statistics(queryset, by)
    if by == "country" and (get_language() or "").startswith("en"):
        names = dict(Country.objects.filter(code__in=[r["key"] for r in rows]).values_list("code", "name_en"))
        for row in rows:
            row["label"] = names.get(row["key"], row["label"])
    return by, filterset, rows


@login_required
def statistics(request):
    """Counts, contract value in USD and staff by a dimension, for officials."""
    require(is_official(request.user), OFFICIALS_ONLY)
    by, filterset, rows = _statistics(request)
    query = _filter_query(request, "by")
    link_filter = DIMENSION_FILTERS[by]
    for row in rows:
        row["query"] = _join_query(_filter_query(request, "by", link_filter), f"{link_filter}={row['key']}")
    totals = {
        "count": sum(r["count"] for r in rows),
        "contract_value_usd": sum((r["contract_value_usd"] for r in rows), Decimal(0)),
        "chinese_staff": sum(r["chinese_staff"] for r in rows),
        "local_staff": sum(r["local_staff"] for r in rows),
    }
    chart = {
        "labels": [r["label"] for r in rows[:CHART_ROWS]],
        "count": [r["count"] for r in rows[:CHART_ROWS]],
        "value": [float(r["contract_value_usd"]) for r in rows[:CHART_ROWS]],
        "names": {"count": _("项目数"), "value": _("合同金额（美元）")},
    }
    dimensions = [
        {"key": key, "label": label, "query": _join_query(query, f"by={key}"), "current": key == by}
        for key, label in _dimension_labels().items()
    ]
    context = {
        "by": by,
        "by_label": _dimension_labels()[by],
        "filterset": filterset,
        "rows": rows,
        "totals": totals,
        "chart": chart,
        "dimensions": dimensions,
        "export_query": _join_query(query, f"by={by}"),
    }
    return render_section(request, "projects/statistics.html", context)


def _dimension_labels() -> dict[str, str]:
    return {
        "country": _("国家"),
        "region": _("地区"),
        "sector": _("行业"),
        "stage": _("阶段"),
        "business_model": _("业务模式"),
        "year": _("开工年度"),
    }


@login_required
def statistics_export(request):
    """The statistics table as CSV (UTF-8 with a byte-order mark, so spreadsheet programs read
    the Chinese names)."""
    require(is_official(request.user), OFFICIALS_ONLY)
    by, _filterset, rows = _statistics(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="project-statistics-{by}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(
        [_("代码"), _dimension_labels()[by], _("项目数"), _("合同金额（美元）"), _("中方人员"), _("外籍（当地）人员")]
    )
    for row in rows:
        writer.writerow(
            [
                row["key"],
                row["label"],
                row["count"],
                row["contract_value_usd"],
                row["chinese_staff"],
                row["local_staff"],
            ]
        )
    return response


def project_map(request):
    """The overseas map (海外图谱): approved projects by country, coloured by count (everyone) or
    contract value in USD (officials), each country linking to the filtered list."""
    user = request.user
    with_values = figures_scope(user) is True  # sums over every enterprise's figures
    metric = request.GET.get("metric", "count")
    if metric != "value" or not with_values:
        metric = "count"
    filterset = MapFilterSet(request.GET, queryset=Project.objects.visible_to(user), request=request)
    rows = selectors.project_map(filterset.qs, with_values=with_values)
    english = (get_language() or "").startswith("en")
    regions = dict(Region.choices)
    countries = Country.objects.values_list("code", "name_zh", "name_en")
    names = {code: country_label(zh, en) for code, zh, en in countries}
    filters = _filter_query(request, "metric")
    list_query = _join_query(filters, f"filing_status={FilingStatus.APPROVED}")
    data = []
    for row in rows:
        row["name"] = row["name_en"] if english else row["name_zh"]
        row["region_label"] = regions.get(row["region"], row["region"])
        row["query"] = _join_query(f"country={row['code']}", list_query)
        item = {"code": row["code"], "name": row["name"], "count": row["count"]}
        if with_values:
            item["value"] = float(row["value_usd"])
        data.append(item)
    context = {
        "filterset": filterset,
        "rows": sorted(rows, key=lambda r: (-r["count"], r["code"])),
        "map_data": data,
        "country_names": names,
        "map_labels": {
            "count": _("项目数"),
            "value": _("合同金额（美元）"),
            "none": _("暂无已备案项目"),
            "failed": _("地图加载失败，请查看下表。"),
            "high": _("多"),
            "low": _("少"),
        },
        "metric": metric,
        "with_values": with_values,
        "metric_links": [
            {"key": "count", "label": _("按项目数"), "query": _join_query(filters, "metric=count")},
            {"key": "value", "label": _("按合同金额"), "query": _join_query(filters, "metric=value")},
        ],
        "list_url": reverse("projects:list"),
        "list_query": list_query,
        "total": sum(r["count"] for r in rows),
    }
    return render_section(request, "projects/map.html", context)
