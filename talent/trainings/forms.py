"""Forms of the trainings' pages; the rules are the services'."""

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.models import Country

from .choices import TrainingTopic
from .models import TrainingSession


class SessionForm(forms.ModelForm):
    topics = forms.MultipleChoiceField(
        label=_("专题"), choices=TrainingTopic.choices, widget=forms.CheckboxSelectMultiple
    )
    countries = forms.ModelMultipleChoiceField(
        label=_("涉及国家"), queryset=Country.objects.all(), required=False, widget=forms.SelectMultiple
    )

    class Meta:
        model = TrainingSession
        fields = [
            "title",
            "topics",
            "description",
            "year",
            "half",
            "starts_at",
            "ends_at",
            "venue",
            "online_url",
            "capacity",
            "registration_deadline",
            "countries",
        ]
        widgets = {
            "starts_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "ends_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "registration_deadline": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        }


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("取消原因"), widget=forms.Textarea, max_length=2000, required=False)


class CheckInForm(forms.Form):
    code = forms.CharField(label=_("签到码"), max_length=6, min_length=6)
