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
