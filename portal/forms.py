"""Forms of the portal's pages. They check the shape of the input only (required, lengths, the
second password); the rules are the services' (portal/services/), whose ValidationErrors the
views put back on the form with `add_service_errors`."""

from __future__ import annotations

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .choices import SIGNUP_KINDS, MembershipRole, OrganizationKind
from .filters import FilterBar
from .filtersets import CountryFilterSet, NotificationFilterSet
from .validators import validate_credit_code


def add_service_errors(form: forms.Form, error: ValidationError, field_map: dict[str, str] | None = None) -> None:
    """Show a service's ValidationError on `form`: keyed errors next to their fields, others on top.

    `field_map` renames service keys to form fields (e.g. "password" -> "password1"). A field
    that already shows an error of the form's own keeps only that one: the service, checking
    what the form could not clean, would only repeat it.
    """
    field_map = field_map or {}
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for key, errors in error.error_dict.items():
        field = field_map.get(key, key)
        if field in form.fields:
            if field not in form.errors:
                form.add_error(field, errors)
        else:
            form.add_error(None, errors)


def add_check_errors(form: forms.Form, check, field_map: dict[str, str] | None = None) -> None:
    """After an invalid submission, run the service's `check()` over what the form could clean
    and show its errors too, so that one submission shows every problem (not the field errors
    first and the service's rules at the next try)."""
    try:
        check()
    except ValidationError as error:
        add_service_errors(form, error, field_map)


class SignupForm(forms.Form):
    """An enterprise or supplier organisation with its first admin."""

    name = forms.CharField(label=_("组织名称"), max_length=200)
    name_en = forms.CharField(label=_("英文名称"), max_length=200, required=False)
    kind = forms.ChoiceField(
        label=_("组织类型"),
        choices=SIGNUP_KINDS,
        initial=OrganizationKind.ENTERPRISE,
        widget=forms.RadioSelect,
        help_text=_("企业：对外承包工程、境外投资企业；供应商：材料、装备、劳务分包、法务、税务等服务机构。"),
    )
    credit_code = forms.CharField(
        label=_("统一社会信用代码"),
        max_length=18,
        # The model's own validator, so a mistyped code is flagged together with the other fields.
        validators=[validate_credit_code],
        help_text=_("18位，见营业执照。"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    province = forms.CharField(label=_("省份"), max_length=50, initial="湖北省")
    city = forms.CharField(label=_("城市"), max_length=50, required=False)
    contact_email = forms.EmailField(label=_("联系邮箱"))
    username = forms.CharField(
        label=_("用户名"),
        max_length=150,
        help_text=_("用于登录，可使用字母、数字和 @/./+/-/_。"),
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )
    display_name = forms.CharField(label=_("姓名"), max_length=100, required=False)
    email = forms.EmailField(label=_("电子邮箱"), widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    password1 = forms.CharField(
        label=_("密码"),
        strip=False,
        help_text=_("至少10位，不能过于简单，也不能与用户名相似。"),
        # Kept when the page comes back with errors elsewhere (the page is never cached).
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}, render_value=True),
    )
    password2 = forms.CharField(
        label=_("确认密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}, render_value=True),
    )

    #: The service's error keys that name a differently called field here.
    SERVICE_FIELDS = {"password": "password1"}
    ORGANIZATION_FIELDS = ("name", "name_en", "kind", "credit_code", "province", "city", "contact_email")

    def clean_credit_code(self) -> str:
        return self.cleaned_data["credit_code"].strip().upper()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password1") and cleaned.get("password2") and cleaned["password1"] != cleaned["password2"]:
            self.add_error("password2", _("两次输入的密码不一致。"))
        return cleaned

    def service_arguments(self) -> dict:
        """The keyword arguments of services.organization_signup."""
        data = self.cleaned_data
        return {
            "organization": {field: data[field] for field in self.ORGANIZATION_FIELDS},
            "username": data["username"],
            "email": data["email"],
            "password": data["password1"],
            "display_name": data["display_name"],
        }

    def check_arguments(self) -> dict:
        """The keyword arguments of services.organization_signup_check: the values that passed the
        form's checks, so that an invalid form is still told of the service's rules."""
        data = self.cleaned_data
        return {
            "organization": {field: data[field] for field in self.ORGANIZATION_FIELDS if field in data},
            "username": data.get("username"),
            "email": data.get("email"),
            "password": data.get("password1"),
            "display_name": data.get("display_name"),
        }


class OrganizationForm(forms.Form):
    """The details an organisation's admin may change (services.organization_update)."""

    name = forms.CharField(label=_("组织名称"), max_length=200)
    name_en = forms.CharField(label=_("英文名称"), max_length=200, required=False)
    province = forms.CharField(label=_("省份"), max_length=50)
    city = forms.CharField(label=_("城市"), max_length=50, required=False)
    contact_email = forms.EmailField(label=_("联系邮箱"))
    webhook_url = forms.URLField(
        label=_("Webhook 地址"),
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text=_("通知将以 JSON POST 到此地址，并附 X-Portal-Signature 签名。留空则不推送。"),
    )


class MemberAddForm(forms.Form):
    """A colleague to add; they receive an e-mail with a link to set their password."""

    username = forms.CharField(label=_("用户名"), max_length=150)
    email = forms.EmailField(label=_("电子邮箱"), help_text=_("设置密码的链接将发送到此邮箱。"))
    display_name = forms.CharField(label=_("姓名"), max_length=100, required=False)
    role = forms.ChoiceField(label=_("角色"), choices=MembershipRole.choices, initial=MembershipRole.MEMBER)


class PreferencesForm(forms.Form):
    """A pair of checkboxes (e-mail, webhook) per kind of notification.

    Built from services.preferences_for(user); a kind the service marks as not mutable gets
    disabled checkboxes, which Django keeps at their current values whatever is posted.
    """

    CHANNELS = ("email", "webhook")

    def __init__(self, rows: list[dict], *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            for channel in self.CHANNELS:
                self.fields[f"{row['kind']}_{channel}"] = forms.BooleanField(
                    label=row["label"], required=False, initial=row[channel], disabled=not row["mutable"]
                )

    def table(self) -> list[dict]:
        """Rows for the template: the kind's label with its two bound checkboxes."""
        return [
            {**row, **{channel: self[f"{row['kind']}_{channel}"] for channel in self.CHANNELS}} for row in self.rows
        ]

    def changed_rows(self) -> list[dict]:
        """The kinds whose channels the user changed, with the new values."""
        changed = []
        for row in self.rows:
            values = {channel: self.cleaned_data[f"{row['kind']}_{channel}"] for channel in self.CHANNELS}
            if any(values[channel] != row[channel] for channel in self.CHANNELS):
                changed.append({"kind": row["kind"], **values})
        return changed


class InboxFilterSet(FilterBar, NotificationFilterSet):
    """The inbox's filter bar: the API's NotificationFilterSet with kind and unread only."""

    class Meta(NotificationFilterSet.Meta):
        fields = ["kind", "unread"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("requires_ack", "unacknowledged"):
            self.filters.pop(name, None)
        self.filters["kind"].extra["empty_label"] = _("全部类别")
        self.filters["unread"].label = _("状态")
        self.filters["unread"].extra["widget"] = forms.Select(
            choices=[("", _("全部")), ("true", _("仅未读")), ("false", _("仅已读"))]
        )


class CountryPageFilterSet(FilterBar, CountryFilterSet):
    """The country list's filter bar: region (CountryFilterSet) and `q`, a search in both names."""

    q = django_filters.CharFilter(method="search", label=_("搜索"))

    class Meta(CountryFilterSet.Meta):
        fields = ["q", "region"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["region"].label = _("地区")
        self.filters["region"].extra["empty_label"] = _("全部地区")

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name_zh__icontains=value) | Q(name_en__icontains=value) | Q(code__iexact=value))
