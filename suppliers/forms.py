"""Forms and the filter bar of the supplier library's pages.

Forms check the shape of the input only; the rules (the certificates a category requires, the
grounds of a decision, a period that ends after it starts, a file's content) are the services'
(suppliers/services.py), whose ValidationErrors the base views put back on the form. The
directory's filter bar is the API's SupplierFilterSet with page widgets.
"""

from __future__ import annotations

import copy

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import construct_instance
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from portal.models import Country, Organization

from .filtersets import SupplierFilterSet
from .models import (
    REVIEW_CRITERIA,
    Category,
    Certificate,
    CertificateKind,
    PerformanceReview,
    RatingCriterion,
    Supplier,
    SupplyChainLink,
)
from .services import EDITABLE_FIELDS


def _english() -> bool:
    return (get_language() or "").startswith("en")


def country_label(country: Country) -> str:
    return f"{country.name_en if _english() else country.name_zh} ({country.code})"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class NamedChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.display_name


class CategoriesField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.display_name


class CountriesField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return country_label(obj)


class ShapeOnlyModelForm(forms.ModelForm):
    """Each field's own checks; the rules across fields and the constraints are the service's."""

    def _post_clean(self):
        exclude = self._get_validation_exclusions()
        try:
            candidate = construct_instance(self, copy.copy(self.instance), self._meta.fields, self._meta.exclude)
            candidate.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            self._update_errors(error)

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields if name in self.cleaned_data}


class ApplicationForm(ShapeOnlyModelForm):
    """What a supplier tells the library about itself (services.EDITABLE_FIELDS and the two lists)."""

    categories = CategoriesField(
        label=_("类别"),
        queryset=Category.objects.filter(active=True),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("每个类别需要相应的有效证书，提交前请在申请页上传。"),
    )
    countries_served = CountriesField(
        label=_("服务国家"),
        queryset=Country.objects.order_by("region", "code"),
        widget=forms.SelectMultiple(attrs={"size": 8}),
        required=False,
        help_text=_("可多选（按住 Ctrl 或 Command 键）。"),
    )

    class Meta:
        model = Supplier
        fields = ("categories", "countries_served", *EDITABLE_FIELDS)
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "capacity": forms.Textarea(attrs={"rows": 3}),
            "references": forms.Textarea(attrs={"rows": 4}),
            "products": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "references": _("近年承担的海外项目或为“走出去”企业提供的服务，注明国家、项目和时间。"),
            "capacity": _("产能、设备、人员规模或服务团队。"),
        }

    SECTIONS = (
        (_("类别与服务国家"), ("categories", "countries_served")),
        (_("企业情况"), ("description", "products", "capacity", "references")),
        (_("联系人"), ("contact_name", "contact_phone", "contact_email")),
    )

    def sections(self):
        return [(legend, [self[name] for name in names]) for legend, names in self.SECTIONS]


class CertificateForm(ShapeOnlyModelForm):
    kind = NamedChoiceField(label=_("证书种类"), queryset=CertificateKind.objects.all())

    class Meta:
        model = Certificate
        fields = ("kind", "number", "issuer", "valid_from", "valid_until", "file")
        widgets = {"valid_from": DateInput(), "valid_until": DateInput()}
        help_texts = {"file": _("PDF、JPEG 或 PNG，不超过 10 MB；仅本单位和主管部门可以查看。")}


class DecisionForm(forms.Form):
    """An official's decision: its comment (required for a return, a rejection, a suspension
    and a revocation — the service says so)."""

    comment = forms.CharField(
        label=_("意见"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )


class SanctionForm(DecisionForm):
    period_from = forms.DateField(label=_("起始日期"), required=False, widget=DateInput(), help_text=_("不填为今天。"))
    period_until = forms.DateField(
        label=_("截止日期"), required=False, widget=DateInput(), help_text=_("不填为长期，直至另行决定。")
    )


def _once(build):
    """Choices read from the database when the field is first rendered, then kept (Django reads
    a callable's choices once for the field and once for its widget)."""
    kept = []

    def choices():
        if not kept:
            kept.append(build())
        return kept[0]

    return choices


class DirectoryFilterSet(SupplierFilterSet):
    """The directory's filter bar: search, category, country served, province."""

    EMPTY = {"category": _("全部类别"), "country": _("全部国家"), "province": _("全部省份")}

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        del self.filters["stars_min"]
        self.filters["search"].extra["widget"] = forms.TextInput(
            attrs={"type": "search", "placeholder": _("供应商名称、产品或服务")}
        )
        self.filters["category"].extra["widget"] = forms.Select(choices=_once(self._categories))
        self.filters["country"].extra["widget"] = forms.Select(choices=_once(self._countries))
        self.filters["province"].extra["widget"] = forms.Select(choices=_once(self._provinces))

    def _categories(self):
        return [("", self.EMPTY["category"]), *((c.code, c.display_name) for c in Category.objects.all())]

    def _countries(self):
        served = Country.objects.filter(suppliers__status="approved").distinct().order_by("code")
        return [("", self.EMPTY["country"]), *((c.code, country_label(c)) for c in served)]

    def _provinces(self):
        provinces = (
            Organization.objects.filter(supplier__status="approved")
            .order_by("province")
            .values_list("province", flat=True)
            .distinct()
        )
        return [("", self.EMPTY["province"]), *((p, p) for p in provinces)]

    def visible_fields(self):
        return [field for field in self.form if not field.is_hidden]

    def hidden_fields(self):
        return [field for field in self.form if field.is_hidden]

    def active(self) -> bool:
        data = self.data or {}
        return any(data.get(name) for name in self.filters)


class ReviewQueueFilterSet(DirectoryFilterSet):
    """The review queue's filter bar: search and category."""

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        del self.filters["country"], self.filters["province"]


class RatingForm(forms.Form):
    """An official's star rating: a score for each active criterion, the stars and a comment."""

    stars = forms.TypedChoiceField(
        label=_("星级"),
        choices=[("", "—"), *((n, n) for n in range(1, 6))],
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("不选则取各项评分的平均值。"),
    )
    comment = forms.CharField(
        label=_("评定意见"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(RatingCriterion.objects.filter(active=True))
        scores = [(n, n) for n in range(1, 6)]
        for criterion in self.criteria:
            self.fields[f"score_{criterion.code}"] = forms.TypedChoiceField(
                label=criterion.display_name, choices=scores, coerce=int, widget=forms.RadioSelect
            )
        self.order_fields([*(f"score_{c.code}" for c in self.criteria), "stars", "comment"])

    def service_data(self) -> dict:
        data = self.cleaned_data
        return {
            "scores": {c.code: data[f"score_{c.code}"] for c in self.criteria if f"score_{c.code}" in data},
            "stars": data.get("stars"),
            "comment": data.get("comment", ""),
        }


class SupplyLinkForm(ShapeOnlyModelForm):
    supplier = NamedChoiceField(label=_("供应商"), queryset=Supplier.objects.none())
    category = NamedChoiceField(label=_("类别"), queryset=Category.objects.all())

    class Meta:
        model = SupplyChainLink
        fields = ("supplier", "category", "scope", "contract_value", "currency", "start_date", "end_date")
        widgets = {"start_date": DateInput(), "end_date": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supplier"].queryset = Supplier.objects.listed().select_related("organization").order_by("id")


class PerformanceReviewForm(ShapeOnlyModelForm):
    class Meta:
        model = PerformanceReview
        fields = ("quality", "delivery", "compliance", "communication", "comment")
        widgets = {
            **{name: forms.RadioSelect(choices=[(n, n) for n in range(1, 6)]) for name in REVIEW_CRITERIA},
            "comment": forms.Textarea(attrs={"rows": 3}),
        }
