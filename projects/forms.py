"""Forms and filter bars of the project library's pages.

Forms check the shape of the input only; the rules (currencies and their rates, completion after
start, the embassy registration date, the return comment, one report per half-year) are the
services' (projects/services.py), whose ValidationErrors the views put back on the form with
`add_service_errors`. The filter bars are the API's ProjectFilterSet with page widgets: nothing
is filtered differently on the pages than in the API.
"""

from __future__ import annotations

import copy
import json
from datetime import timedelta
from functools import cache

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import construct_instance
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from portal.choices import OrganizationKind
from portal.filters import CheckboxDropdown, FilterBar
from portal.models import Country, Organization
from portal.permissions import is_enterprise

from .choices import FIRST_YEAR, LAST_YEAR
from .filtersets import ProjectFilterSet
from .models import Project, ProjectReport
from .services import DATA, EDITABLE_FIELDS, REPORT_CORRECTABLE_FIELDS, currency_codes


def _english() -> bool:
    return (get_language() or "").startswith("en")


def country_label(name_zh: str, name_en: str) -> str:
    """A country's name in the page's language."""
    return name_en if _english() else name_zh


@cache
def _currency_names() -> dict[str, tuple[str, str]]:
    """Chinese and English names of the ISO 4217 currencies (projects/data/currencies.json)."""
    rows = json.loads((DATA / "currencies.json").read_text(encoding="utf-8"))
    return {row["code"]: (row["name_zh"], row["name_en"]) for row in rows}


def currency_choices() -> list[tuple[str, str]]:
    """ISO 4217 currencies, US dollar, renminbi and euro first, labelled in the page's language."""
    names = _currency_names()
    first = [code for code in ("USD", "CNY", "EUR") if code in names]
    rest = sorted(code for code in currency_codes() if code not in first)
    index = 1 if _english() else 0
    return [("", "—")] + [(code, f"{code} {names.get(code, (code, code))[index]}") for code in [*first, *rest]]


class CountryField(forms.ModelChoiceField):
    """A country, shown by its name in the page's language and its code."""

    def label_from_instance(self, obj: Country) -> str:
        return f"{country_label(obj.name_zh, obj.name_en)} ({obj.code})"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class ServiceModelForm(forms.ModelForm):
    """A ModelForm that checks each field (its type, its validators: a value below zero, a year
    out of range) but leaves the rules across fields and the database constraints to the service,
    which reports them on the fields: ModelForm's own constraint check would report them as
    "constraint violated" above the form. The instance passed in is not changed."""

    def _post_clean(self):
        exclude = self._get_validation_exclusions()
        try:
            candidate = construct_instance(self, copy.copy(self.instance), self._meta.fields, self._meta.exclude)
            candidate.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            self._update_errors(error)

    def service_data(self) -> dict:
        """The cleaned values under the names the service takes."""
        return {name: self.cleaned_data[name] for name in self._meta.fields if name in self.cleaned_data}


class ProjectForm(ServiceModelForm):
    """A project's details as the enterprise enters them (services.EDITABLE_FIELDS)."""

    class Meta:
        model = Project
        fields = EDITABLE_FIELDS
        field_classes = {"country": CountryField}
        widgets = {
            "start_date": DateInput(),
            "planned_completion": DateInput(),
            "embassy_registered_on": DateInput(),
            "description": forms.Textarea(attrs={"rows": 5}),
            "contract_value": forms.NumberInput(attrs={"step": "0.01", "min": "0"}),
        }
        help_texts = {
            "contract_value": _("按合同币种填写；平台按主管部门维护的汇率折算为美元。"),
            "embassy_registered": _("项目人员已到驻外使（领）馆办理报到登记。"),
            "embassy_registered_on": _("勾选“已报到登记”时必填。"),
        }

    #: The fieldsets of the page: (legend, fields).
    SECTIONS = (
        (_("基本信息"), ("name", "name_en", "country", "location", "sector", "business_model", "stage")),
        (_("合同与工期"), ("contract_value", "currency", "start_date", "planned_completion")),
        (_("人员与报到登记"), ("chinese_staff", "local_staff", "embassy_registered", "embassy_registered_on")),
        (_("项目简介"), ("description",)),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].queryset = Country.objects.order_by("region", "code")
        self.fields["currency"] = forms.ChoiceField(
            label=Project._meta.get_field("currency").verbose_name,
            choices=currency_choices,
            required=False,
            help_text=_("填写合同金额时必选。"),
        )
        for name in ("chinese_staff", "local_staff"):
            self.fields[name].widget.attrs.update({"min": "0"})

    def sections(self):
        return [(legend, [self[name] for name in names]) for legend, names in self.SECTIONS]


class ProjectProgressForm(ServiceModelForm):
    """After approval: the stage, staffing and embassy registration, kept current."""

    class Meta:
        model = Project
        fields = ("stage", "chinese_staff", "local_staff", "embassy_registered", "embassy_registered_on")
        widgets = {"embassy_registered_on": DateInput()}


class ReviewForm(forms.Form):
    """An official's decision on a filing: approve (comment optional) or return (comment required
    by the service)."""

    comment = forms.CharField(
        label=_("审核意见"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("退回时必须填写意见，说明需要更正或补充的内容。"),
    )


class ReportForm(ServiceModelForm):
    """A half-yearly report (完成营业额, 新签合同额, staff) on an approved project."""

    class Meta:
        model = ProjectReport
        fields = ("year", "half", "revenue_usd", "new_contracts_usd", "chinese_staff", "local_staff", "notes")
        widgets = {
            "notes": forms.Textarea(attrs={"rows": 3}),
            "revenue_usd": forms.NumberInput(attrs={"step": "0.01", "min": "0"}),
            "new_contracts_usd": forms.NumberInput(attrs={"step": "0.01", "min": "0"}),
        }

    def __init__(self, *args, period: tuple[int, int] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if period is None:  # the last half-year that has ended
            today = timezone.localdate()
            period = (today.year, 1) if today.month >= 7 else (today.year - 1, 2)
        # Usually the next half-year not yet reported (services.next_report_period).
        self.fields["year"].initial, self.fields["half"].initial = period


class ReportCorrectForm(ServiceModelForm):
    """A correction of a filed report's figures (services.report_correct); the half-year stays."""

    class Meta:
        model = ProjectReport
        fields = REPORT_CORRECTABLE_FIELDS
        widgets = ReportForm.Meta.widgets


class SurveyOpenForm(forms.Form):
    """An official opens the annual survey of intended projects."""

    year = forms.IntegerField(label=_("年度"), min_value=FIRST_YEAR, max_value=LAST_YEAR)
    opens_on = forms.DateField(label=_("开始日期"), widget=DateInput())
    closes_on = forms.DateField(label=_("截止日期"), widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["year"].initial = today.year
        self.fields["opens_on"].initial = today
        self.fields["closes_on"].initial = today + timedelta(days=30)


# --- Filter bars ----------------------------------------------------------------------------


def _once(build):
    """Choices read from the database when the field is first rendered, and then kept: a filter
    bar that is never rendered costs no query, one that is rendered costs one."""
    kept = []

    def choices():
        if not kept:
            kept.append(build())
        return kept[0]

    return choices


class ProjectPageFilterSet(FilterBar, ProjectFilterSet):
    """The API's ProjectFilterSet as a filter bar (portal/includes/filter_bar.html). Subclasses
    name the filters their page offers (`page_filters`); the others are dropped, so a page never
    filters on something it hides.

    Only what the viewer can use is offered: value ranges and enterprises to officials (a filter
    on a value is a way of reading it), filing statuses to officials and enterprises (everyone
    else sees approved projects only, so any other status would always give nothing).
    """

    page_filters: tuple[str, ...] = (
        "search",
        "country",
        "region",
        "sector",
        "stage",
        "business_model",
        "filing_status",
        "organization",
        "value_min",
        "value_max",
        "start_after",
        "start_before",
        "year",
        "library",
    )
    #: Filters that stay active from the URL but are not shown as fields.
    hidden_filters: tuple[str, ...] = ("library",)
    EMPTY_LABELS = {
        "country": _("全部国家"),
        "region": _("全部地区"),
        "sector": _("全部行业"),
        "stage": _("全部阶段"),
        "business_model": _("全部业务模式"),
        "filing_status": _("全部状态"),
        "organization": _("全部企业"),
    }

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        user = getattr(request, "user", None)
        self.official = bool(user and user.is_authenticated and user.is_official)
        self.show_filing_status = bool(user) and (self.official or is_enterprise(user))
        keep = set(self.page_filters)
        if not self.official:
            keep -= {"value_min", "value_max"}
        # The bar's fields in the page's order (the search first), without the others.
        self.filters = {name: self.filters[name] for name in self.page_filters if name in keep and name in self.filters}
        for name, filter_ in self.filters.items():
            # The filters are copies of the API FilterSet's (django-filter shares their objects
            # between a FilterSet and its subclasses): a form field the API already built for
            # one would be copied along, with the API's widget. Build it again with the page's.
            filter_.__dict__.pop("_field", None)
            widget = self._widget(name)
            if widget is not None:
                filter_.extra["widget"] = widget
            if name == "region":
                filter_.extra["empty_label"] = self.EMPTY_LABELS["region"]

    def _widget(self, name: str) -> forms.Widget | None:
        if name in self.hidden_filters:
            return forms.HiddenInput()
        if name == "filing_status" and not self.show_filing_status:
            return forms.MultipleHiddenInput()
        if name in ("sector", "stage", "business_model", "filing_status"):
            return CheckboxDropdown(self.EMPTY_LABELS[name])
        if name in ("start_after", "start_before"):
            return DateInput()
        if name == "search":
            return forms.TextInput(attrs={"type": "search", "placeholder": _("项目名称、英文名称或地点")})
        if name == "country":
            return forms.Select(choices=_once(self._country_choices))
        if name == "organization":
            return forms.Select(choices=_once(self._organization_choices)) if self.official else forms.HiddenInput()
        if name in ("value_min", "value_max", "year"):
            return forms.NumberInput(attrs={"min": "0"})
        return None

    def _country_choices(self) -> list[tuple[str, str]]:
        countries = Country.objects.order_by("code").values_list("code", "name_zh", "name_en")
        return [("", self.EMPTY_LABELS["country"])] + [
            (code, f"{country_label(zh, en)} ({code})") for code, zh, en in countries
        ]

    def _organization_choices(self) -> list[tuple[str, str]]:
        organizations = Organization.objects.filter(kind=OrganizationKind.ENTERPRISE).order_by("name")
        return [("", self.EMPTY_LABELS["organization"]), *organizations.values_list("pk", "name")]

    def active(self) -> bool:
        """Whether any filter of the bar (other than the library tab) is set."""
        data = self.data or {}
        return any(data.get(name) for name in self.filters if name != "library")


class ReviewQueueFilterSet(ProjectPageFilterSet):
    page_filters = ("search", "country", "region", "sector", "business_model", "organization")
    hidden_filters = ()


class MapFilterSet(ProjectPageFilterSet):
    page_filters = ("region", "sector", "stage")
    hidden_filters = ()


class StatisticsFilterSet(ProjectPageFilterSet):
    page_filters = (
        "country",
        "region",
        "sector",
        "stage",
        "business_model",
        "filing_status",
        "organization",
        "year",
        "start_after",
        "start_before",
    )
    hidden_filters = ()
    carry = ("by",)
