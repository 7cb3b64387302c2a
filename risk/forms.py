"""Forms of the risk pages: shape only; the rules are the services' (risk/bulletins.py)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.models import Country

from .choices import BulletinCategory
from .models import NegativeCase, RiskBulletin

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class BulletinForm(forms.ModelForm):
    countries = forms.ModelMultipleChoiceField(
        label=_("国家和地区"),
        queryset=Country.objects.order_by("region", "code"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    negative_cases = forms.ModelMultipleChoiceField(
        label=_("相关负面案例"), queryset=NegativeCase.objects.all(), required=False
    )
    ack_deadline_hours = forms.IntegerField(
        label=_("确认时限（小时）"),
        required=False,
        min_value=1,
        max_value=168,
        help_text=_("严重和极端级别的预警须在时限内确认；不填则为 24 小时，极端级别为 2 小时。"),
    )

    class Meta:
        model = RiskBulletin
        fields = [
            "countries",
            "title",
            "body",
            "title_en",
            "body_en",
            "category",
            "severity",
            "urgency",
            "certainty",
            "effective_at",
            "expires_at",
            "ack_deadline_hours",
            "negative_cases",
            "change_note",
            "minor_update",
        ]
        widgets = {"effective_at": DATETIME, "expires_at": DATETIME}

    def __init__(self, *args, update: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not update:
            # Only an update says what changed and may be a mere correction.
            del self.fields["change_note"]
            del self.fields["minor_update"]

    def _post_clean(self):
        """The model's own validation is the service's (bulletin_check), run on save."""

    def service_data(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if not (k == "ack_deadline_hours" and v is None)}


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("撤销原因"), widget=forms.Textarea, max_length=2000, required=False)


class FollowForm(forms.Form):
    country = forms.ModelChoiceField(
        label=_("国家和地区"), queryset=Country.objects.order_by("region", "code"), required=False
    )
    category = forms.ChoiceField(
        label=_("通报类别"), choices=[("", _("全部类别")), *BulletinCategory.choices], required=False
    )


class RollCallForm(forms.Form):
    """An official starts a roll-call by hand: what, where, the window, how often to remind."""

    title = forms.CharField(label=_("标题"), max_length=200, required=False)
    countries = forms.ModelMultipleChoiceField(
        label=_("国家和地区"),
        queryset=Country.objects.order_by("region", "code"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    severity = forms.ChoiceField(
        label=_("严重程度"),
        choices=[("", "---------"), ("severe", _("严重")), ("extreme", _("极端"))],
        required=False,
    )
    starts_at = forms.DateTimeField(label=_("开始时间"), required=False, widget=DATETIME, help_text=_("不填则为现在。"))
    ends_at = forms.DateTimeField(label=_("截止时间"), required=False, widget=DATETIME)
    remind_every_hours = forms.IntegerField(
        label=_("提醒间隔（小时）"),
        required=False,
        help_text=_("未报备的单位每隔多久提醒一次；不填则极端级别 2 小时、严重级别 12 小时。"),
    )


class ReportForm(forms.Form):
    """One project's report in a roll-call (shape only: risk.rollcalls.report_check has the rules)."""

    project = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(
        label=_("人员安全情况"),
        choices=[("", "---------"), ("safe", _("平安")), ("affected", _("受影响")), ("unreachable", _("失联"))],
        required=False,
    )
    injured = forms.IntegerField(label=_("受伤人数"), required=False)
    missing = forms.IntegerField(label=_("失联人数"), required=False)
    evacuated = forms.IntegerField(label=_("撤离人数"), required=False)
    note = forms.CharField(label=_("情况说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class BoardSearchForm(forms.Form):
    """The roll-call board's search by organisation name (a NUL byte or an overlong term is a
    field error, not a query)."""

    q = forms.CharField(label=_("单位名称"), max_length=100, required=False)
