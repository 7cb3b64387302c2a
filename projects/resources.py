"""Projects as Excel workbooks (``manage.py export_xlsx/import_xlsx projects``, and
``GET /api/v1/projects/export/``, ``POST /api/v1/projects/import/``).

`COLUMNS` is the one list: the export's django-import-export Resource is built from it
(`xlsx.resource_for`), and so is reading an import. Contract values and staff numbers follow the
API's rule (the owner's and officials' only): a reader who may see none has no such columns
(`sees_values`), and a row they may not see has them blank (`figures_visible`).

The import is `portal.xlsx.XlsxKind.import_rows`: each row goes through ProjectSerializer and
`services.project_create`, so the same rules apply as on the API, inside one transaction that
is rolled back if any row fails. Rows become drafts. From the command a row names its enterprise
by its credit code (the project is registered on behalf of the enterprise's first admin); from
the API the projects are the caller's organisation's and that column is ignored.

The headers are fixed Chinese labels with the column codes (``项目名称（name）``), so that a file
reads the same whatever the language of the person who exported it.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import widgets
from rest_framework import serializers

from portal import xlsx
from portal.api.serializers import ImportRowErrorSerializer
from portal.choices import MembershipRole, OrganizationKind
from portal.models import Country, Membership, Organization
from portal.permissions import is_enterprise

from . import services
from .api.serializers import PRIVATE_FIELDS, ProjectSerializer
from .choices import BusinessModel, Sector, Stage
from .models import Project, figures_scope, figures_visible

COLUMNS = (
    xlsx.Column("id", "编号", imported=False, widget=widgets.IntegerWidget()),
    # Read by the command to find the enterprise (ProjectXlsx.row_actor), not by the serializer.
    xlsx.Column("organization", "企业统一社会信用代码", attribute="organization__credit_code"),
    xlsx.Column("organization_name", "企业名称", imported=False, attribute="organization__name"),
    xlsx.Column("name", "项目名称"),
    xlsx.Column("name_en", "英文名称"),
    xlsx.Column("country", "国家代码", attribute="country_id"),
    xlsx.Column("country_name", "国家", imported=False, attribute="country__name_zh"),
    xlsx.Column("location", "项目地点"),
    xlsx.Column("sector", "行业", choices=Sector),
    xlsx.Column("business_model", "业务模式", choices=BusinessModel),
    xlsx.Column("stage", "阶段", choices=Stage),
    xlsx.Column("contract_value", "合同金额", widget=widgets.DecimalWidget()),
    xlsx.Column("currency", "币种"),
    xlsx.Column("contract_value_usd", "合同金额（美元）", imported=False, widget=widgets.DecimalWidget()),
    xlsx.Column("start_date", "开工日期", widget=widgets.DateWidget()),
    xlsx.Column("planned_completion", "计划竣工日期", widget=widgets.DateWidget()),
    xlsx.Column("chinese_staff", "中方人员", widget=widgets.IntegerWidget()),
    xlsx.Column("local_staff", "外籍（当地）人员", widget=widgets.IntegerWidget()),
    xlsx.Column("embassy_registered", "已在使（领）馆报到登记", widget=widgets.BooleanWidget()),
    xlsx.Column("embassy_registered_on", "报到登记日期", widget=widgets.DateWidget()),
    xlsx.Column("description", "项目简介"),
    xlsx.Column("filing_status", "备案状态", imported=False),
)
CODES = tuple(c.code for c in COLUMNS)
# The largest export one request may ask for (the API's and the list page's); more is refused
# with a request for narrower filters.
MAX_EXPORT_ROWS = 20_000
HEADERS = {c.code: c.header for c in COLUMNS}

#: The export's columns, in order; private values blank in the rows the reader may not see.
ProjectResource = xlsx.resource_for(Project, COLUMNS, private=PRIVATE_FIELDS)


def sees_values(user) -> bool:
    """Whether an export for `user` has the value and staff columns at all: the command's
    (`user` None) does, and so does anyone whose figures_scope is not empty."""
    return user is None or figures_scope(user) is not False


@xlsx.register
class ProjectXlsx(xlsx.XlsxKind):
    name = "projects"
    label = "海外项目"
    columns = COLUMNS
    serializer_class = ProjectSerializer
    owner_column = "organization"

    def export(self, *, user=None, queryset=None) -> bytes:
        if queryset is None:
            queryset = Project.objects.all() if user is None else Project.objects.visible_to(user)
        queryset = queryset.select_related("organization", "country").order_by("id")
        codes = [code for code in CODES if sees_values(user) or code not in PRIVATE_FIELDS]
        # The command's operator (`user` None) sees every row's figures.
        visible = None if user is None else (lambda project: figures_visible(user, project.organization_id))
        dataset = ProjectResource(visible=visible).export(queryset, export_fields=codes, force_native_type=True)
        return xlsx.write_workbook(list(dataset.headers), dataset, title=self.label)

    import_refused = gettext_lazy("只有企业可以导入项目。")

    def import_url(self) -> str:
        return reverse("projects:import")

    def result_url(self, job) -> str:
        return reverse("projects:workspace")

    def can_import(self, user) -> bool:
        """Enterprises register their own projects, as on the API (`POST projects/import/`)."""
        return is_enterprise(user)

    def create(self, *, actor, data: dict[str, Any]) -> Project:
        return services.project_create(actor=actor, data=data)

    def prepare(self) -> None:
        self._country_codes = dict(Country.objects.values_list("name_zh", "code"))
        self._enterprise_admins: dict[str, Any] = {}

    def row_payload(self, row: dict[str, Any]) -> dict[str, Any]:
        """As the default, and a country may be given by its Chinese name."""
        payload = super().row_payload(row)
        if "country" in payload:
            payload["country"] = self._country_codes.get(payload["country"], payload["country"])
        return payload

    def row_actor(self, row: dict[str, Any], *, actor):
        """The API's caller; from the command, the first admin of the enterprise the row names
        by its credit code (looked up once per enterprise)."""
        if actor is not None:
            return actor
        credit_code = xlsx.text(row.get("organization")).upper()
        if credit_code not in self._enterprise_admins:
            self._enterprise_admins[credit_code] = _enterprise_admin(credit_code)
        found = self._enterprise_admins[credit_code]
        if isinstance(found, str):
            raise ValidationError({"organization": found})
        return found


def _enterprise_admin(credit_code: str):
    """The user a command-line import registers an enterprise's project as (its first admin,
    else its first member), or why there is none."""
    if not credit_code:
        return _("请填写企业统一社会信用代码。")
    organization = Organization.objects.filter(credit_code=credit_code).first()
    if organization is None:
        return _("未找到统一社会信用代码为 %(code)s 的企业。") % {"code": credit_code}
    if organization.kind != OrganizationKind.ENTERPRISE:
        return _("%(name)s 不是企业，不能登记项目。") % {"name": organization.name}
    members = Membership.objects.filter(organization=organization, user__is_active=True).select_related("user")
    membership = members.filter(role=MembershipRole.ADMIN).order_by("id").first() or members.order_by("id").first()
    if membership is None:
        return _("%(name)s 尚无平台账户。") % {"name": organization.name}
    return membership.user


# --- The API's import: request and answer -----------------------------------------------------


class ProjectImportFileSerializer(serializers.Serializer):
    file = serializers.FileField(help_text=_("Excel（.xlsx）文件，表头同导出文件"))

    def validate_file(self, value):
        if value.size > xlsx.MAX_UPLOAD_BYTES:
            raise serializers.ValidationError(
                _("文件不能超过 %(mb)d MB。") % {"mb": xlsx.MAX_UPLOAD_BYTES // (1024 * 1024)}
            )
        return value


class ProjectImportResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    ids = serializers.ListField(child=serializers.IntegerField())


class ProjectImportErrorsSerializer(serializers.Serializer):
    """A refused import: the row errors, or (`file`) why the file could not be read."""

    detail = serializers.CharField(required=False)
    errors = ImportRowErrorSerializer(many=True, required=False)
    file = serializers.ListField(child=serializers.CharField(), required=False)
