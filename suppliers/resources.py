"""Supplier applications as Excel workbooks (``manage.py export_xlsx/import_xlsx suppliers``,
the review queue's and the application's export links, and the import page
``/suppliers/import/``).

Who does what, as for projects (a record is entered for the organisation it belongs to):

- **Export**: officials export every application (the review queue's filters applied); a
  supplier organisation exports its own record; the command exports everything.
- **Import**: officials (and the command) enter applications for supplier organisations that are
  already registered: each row names the organisation by its credit code and becomes that
  organisation's draft application, which the organisation then completes (certificates) and
  submits. A credit code that no organisation has is a row error, not a new organisation: an
  organisation is registered by its own people (with the account that will act for it), and a
  typo in a code must not create a second firm. An organisation that already has an
  application is a row error too (one per organisation). All or nothing, as every kind.

Categories and countries served are lists in one cell: codes (or Chinese names) separated by
commas, ``、`` or spaces.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal import xlsx
from portal.models import Country, Organization
from portal.permissions import is_official, membership_of

from . import services
from .api.serializers import ApplicationSerializer
from .models import Category, Supplier

COLUMNS = (
    xlsx.Column("id", "编号", imported=False),
    # Read by row_actor to find the organisation, not by the serializer (read-only there).
    xlsx.Column("organization", "统一社会信用代码", attribute="organization__credit_code"),
    xlsx.Column("organization_name", "单位名称", imported=False, attribute="organization__name"),
    xlsx.Column("status", "状态", imported=False),
    xlsx.Column("categories", "类别"),
    xlsx.Column("countries_served", "服务国家"),
    xlsx.Column("products", "主要产品与服务"),
    xlsx.Column("capacity", "供应能力"),
    xlsx.Column("references", "业绩与参考项目"),
    xlsx.Column("description", "企业简介"),
    xlsx.Column("contact_name", "联系人"),
    xlsx.Column("contact_phone", "联系电话"),
    xlsx.Column("contact_email", "联系邮箱"),
    xlsx.Column("stars", "星级", imported=False),
)
LIST_SEPARATORS = re.compile(r"[,，、;；\s]+")
# The largest export one request may ask for; more is refused with a request for narrower filters.
MAX_EXPORT_ROWS = 20_000


class _Resource(xlsx.resource_for(Supplier, COLUMNS)):
    """The two lists as codes, comma-separated (what an import reads back)."""

    def dehydrate_categories(self, supplier: Supplier) -> str:
        return ",".join(category.code for category in supplier.categories.all())

    def dehydrate_countries_served(self, supplier: Supplier) -> str:
        return ",".join(country.code for country in supplier.countries_served.all())


SupplierResource = _Resource


def exportable(user):
    """The applications `user` may export: every one for officials, the organisation's own for
    its members, none for anyone else."""
    if is_official(user):
        return Supplier.objects.all()
    membership = membership_of(user)
    if membership is None:
        return Supplier.objects.none()
    return Supplier.objects.filter(organization_id=membership.organization_id)


@xlsx.register
class SupplierXlsx(xlsx.XlsxKind):
    name = "suppliers"
    label = "供应商"
    columns = COLUMNS
    serializer_class = ApplicationSerializer
    owner_column = "organization"

    import_refused = gettext_lazy("只有主管部门可以导入供应商申请。")

    def can_import(self, user) -> bool:
        return is_official(user)

    def import_url(self) -> str:
        return reverse("suppliers:import")

    def result_url(self, job) -> str:
        return reverse("suppliers:review_queue")

    def export(self, *, user=None, queryset=None) -> bytes:
        if queryset is None:
            queryset = Supplier.objects.all() if user is None else exportable(user)
        queryset = (
            queryset.select_related("organization").prefetch_related("categories", "countries_served").order_by("id")
        )
        dataset = SupplierResource().export(queryset, force_native_type=True)
        return xlsx.write_workbook(list(dataset.headers), dataset, title=self.label)

    def prepare(self) -> None:
        self._categories = dict(Category.objects.values_list("name", "code"))
        self._countries = dict(Country.objects.values_list("name_zh", "code"))
        self._organizations: dict[str, Any] = {}

    def row_payload(self, row: dict[str, Any]) -> dict[str, Any]:
        """As the default, and the two lists split, each item a code or a Chinese name."""
        payload = super().row_payload(row)
        if "categories" in payload:
            payload["categories"] = [self._categories.get(w, w) for w in _items(payload["categories"])]
        if "countries_served" in payload:
            countries = _items(payload["countries_served"])
            payload["countries_served"] = [self._countries.get(w, w.upper()) for w in countries]
        return payload

    def row_actor(self, row: dict[str, Any], *, actor):
        """The importer is the actor; the row's organisation is looked up here (once per code)
        and remembered for `create`."""
        credit_code = xlsx.text(row.get("organization")).upper()
        if credit_code not in self._organizations:
            self._organizations[credit_code] = _organization(credit_code)
        found = self._organizations[credit_code]
        if isinstance(found, str):
            raise ValidationError({"organization": found})
        self._organization = found
        return actor

    def create(self, *, actor, data: dict[str, Any]) -> Supplier:
        return services.application_import(actor=actor, organization=self._organization, data=data)


def _items(value: Any) -> list[str]:
    return [word for word in LIST_SEPARATORS.split(xlsx.text(value)) if word]


def _organization(credit_code: str):
    """The registered organisation with `credit_code`, or why there is none."""
    if not credit_code:
        return _("请填写统一社会信用代码。")
    organization = Organization.objects.filter(credit_code=credit_code).first()
    if organization is None:
        return _("未找到统一社会信用代码为 %(code)s 的单位，请该单位先在平台注册。") % {"code": credit_code}
    return organization
