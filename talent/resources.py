"""An enterprise's staff profiles as Excel workbooks (``manage.py export_xlsx/import_xlsx
talents``, and the import page ``/talent/import/``).

- **Import**: an enterprise's members enter profiles for their own staff, one row a person,
  each row confirming in the 本人同意 column that the person agreed to the purpose text
  (docs/talent.md); a row without it is refused, as on the form. Each row goes through
  TalentProfileSerializer and `services.profile_create`, all or nothing. From the command a row
  names its enterprise by its credit code and is entered on behalf of the enterprise's first
  admin.
- **Export**: the profiles the enterprise entered (with their contact details: the enterprise
  keeps them); the command exports every active profile.

Lists in one cell: languages as ``en:C1, fr:B2``; certificates as ``pmp:2027-12-31, catti``
(kind, then an optional expiry date); experiences as ``KE:项目经理:2019-03-01:2021-06-30`` (the
end date optional); desired countries as ``KE, TZ`` (codes or Chinese names).
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import widgets

from portal import xlsx
from portal.choices import MembershipRole, OrganizationKind
from portal.models import Country, Membership
from portal.permissions import is_enterprise, membership_of

from . import services
from .api.serializers import TalentProfileSerializer
from .models import TalentProfile

COLUMNS = (
    xlsx.Column("id", "编号", imported=False, widget=widgets.IntegerWidget()),
    # Read by the command to find the enterprise (TalentXlsx.row_actor), not by the serializer.
    xlsx.Column("organization", "录入单位统一社会信用代码", attribute="entered_by__credit_code"),
    xlsx.Column("full_name", "姓名"),
    xlsx.Column("education", "学历"),
    xlsx.Column("current_employer", "现工作单位"),
    xlsx.Column("occupation", "职业"),
    xlsx.Column("phone", "联系电话"),
    xlsx.Column("email", "联系邮箱"),
    xlsx.Column("languages", "语言"),
    xlsx.Column("certificates", "证书"),
    xlsx.Column("experiences", "海外经历"),
    xlsx.Column("desired_countries", "意向国家"),
    xlsx.Column("available_from", "可到岗日期", widget=widgets.DateWidget()),
    xlsx.Column("skills", "专业技能"),
    xlsx.Column("consent", "本人同意"),
)
LIST = re.compile(r"[,，、;；\n]+")
YES = {"是", "同意", "yes", "y", "true", "1"}


def _items(value: Any) -> list[str]:
    return [item.strip() for item in LIST.split(xlsx.text(value)) if item.strip()]


class _Resource(xlsx.resource_for(TalentProfile, COLUMNS)):
    """The lists as the import reads them back."""

    def dehydrate_languages(self, profile) -> str:
        return ", ".join(f"{row.code}:{row.level}" for row in profile.languages.all())

    def dehydrate_certificates(self, profile) -> str:
        return ", ".join(
            f"{row.kind}:{row.valid_until.isoformat()}" if row.valid_until else row.kind
            for row in profile.certificates.all()
        )

    def dehydrate_experiences(self, profile) -> str:
        return ", ".join(
            ":".join(
                part
                for part in (
                    row.country_id,
                    row.role,
                    row.date_from.isoformat(),
                    row.date_to.isoformat() if row.date_to else "",
                )
                if part
            )
            for row in profile.experiences.all()
        )

    def dehydrate_desired_countries(self, profile) -> str:
        return ", ".join(country.code for country in profile.desired_countries.all())

    def dehydrate_consent(self, profile) -> str:
        return "是"


TalentResource = _Resource


@xlsx.register
class TalentXlsx(xlsx.XlsxKind):
    name = "talents"
    label = "人才档案"
    columns = COLUMNS
    serializer_class = TalentProfileSerializer
    owner_column = "organization"

    import_refused = gettext_lazy("只有企业可以为本单位员工导入人才档案。")

    def can_import(self, user) -> bool:
        return is_enterprise(user)

    def import_url(self) -> str:
        return reverse("talent:import")

    def result_url(self, job) -> str:
        return reverse("talent:mine")

    def export(self, *, user=None, queryset=None) -> bytes:
        if queryset is None:
            if user is None:
                queryset = TalentProfile.objects.active()
            else:
                membership = membership_of(user)
                queryset = (
                    TalentProfile.objects.active().filter(entered_by_id=membership.organization_id)
                    if is_enterprise(user)
                    else TalentProfile.objects.none()
                )
        queryset = (
            queryset.select_related("entered_by")
            .prefetch_related("languages", "certificates", "experiences", "desired_countries")
            .order_by("id")
        )
        dataset = TalentResource().export(queryset, force_native_type=True)
        return xlsx.write_workbook(list(dataset.headers), dataset, title=self.label)

    def prepare(self) -> None:
        self._countries = dict(Country.objects.values_list("name_zh", "code"))
        self._admins: dict[str, Any] = {}

    def _country(self, word: str) -> str:
        return self._countries.get(word, word.upper())

    def row_payload(self, row: dict[str, Any]) -> dict[str, Any]:
        """As the default, with the lists split into the serializer's rows."""
        payload = super().row_payload(row)
        if "languages" in payload:
            payload["languages"] = [
                dict(zip(("code", "level"), _parts(item, 2), strict=True)) for item in _items(payload["languages"])
            ]
        if "certificates" in payload:
            certificates = []
            for item in _items(payload["certificates"]):
                kind, _sep, until = item.partition(":")
                certificates.append({"kind": kind.strip(), **({"valid_until": until.strip()} if until.strip() else {})})
            payload["certificates"] = certificates
        if "experiences" in payload:
            experiences = []
            for item in _items(payload["experiences"]):
                country, role, date_from, date_to = _parts(item, 4)
                row_data = {"country": self._country(country), "role": role, "date_from": date_from}
                if date_to:
                    row_data["date_to"] = date_to
                experiences.append(row_data)
            payload["experiences"] = experiences
        if "desired_countries" in payload:
            payload["desired_countries"] = [self._country(word) for word in _items(payload["desired_countries"])]
        payload["consent"] = xlsx.text(row.get("consent")).lower() in YES
        return payload

    def row_actor(self, row: dict[str, Any], *, actor):
        """The importer; from the command, the first admin of the enterprise the row names."""
        if actor is not None:
            return actor
        credit_code = xlsx.text(row.get("organization")).upper()
        if credit_code not in self._admins:
            self._admins[credit_code] = _enterprise_admin(credit_code)
        found = self._admins[credit_code]
        if isinstance(found, str):
            raise ValidationError({"organization": found})
        return found

    def create(self, *, actor, data: dict[str, Any]) -> TalentProfile:
        data = dict(data)
        consent = data.pop("consent", False)
        arguments = {
            name: [dict(r) if isinstance(r, dict) else r for r in data.pop(name, [])]
            for name in ("languages", "certificates", "experiences", "desired_countries")
        }
        return services.profile_create(actor=actor, consent=consent, data=data, **arguments)


def _parts(item: str, count: int) -> list[str]:
    """`item` split at colons into exactly `count` parts (missing ones empty)."""
    parts = [part.strip() for part in re.split(r"[:：]", item, maxsplit=count - 1)]
    return [*parts, *[""] * count][:count]


def _enterprise_admin(credit_code: str):
    if not credit_code:
        return _("请填写录入单位的统一社会信用代码。")
    membership = (
        Membership.objects.filter(
            organization__credit_code=credit_code,
            organization__kind=OrganizationKind.ENTERPRISE,
            role=MembershipRole.ADMIN,
            user__is_active=True,
        )
        .select_related("user")
        .order_by("id")
        .first()
    )
    if membership is None:
        return _("未找到统一社会信用代码为 %(code)s 的企业。") % {"code": credit_code}
    return membership.user
