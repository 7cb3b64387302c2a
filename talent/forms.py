"""Forms of the talent pool's pages: the profile with its languages, certificates and overseas
experience (formsets; a blank row is ignored), and the consent checkbox. Shape only: the rules
are talent/services.py's."""

from __future__ import annotations

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from portal.models import Country
from projects.models import Project

from . import services
from .models import TalentCertificate, TalentExperience, TalentLanguage, TalentProfile

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ProfileForm(forms.ModelForm):
    """The profile's own fields; `consent` only when it is created."""

    desired_countries = forms.ModelMultipleChoiceField(
        queryset=Country.objects.order_by("code"),
        to_field_name="code",
        required=False,
        label=_("意向国家"),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    consent = forms.BooleanField(required=False, label=_("本人已阅读并同意上述个人信息处理规则"))

    class Meta:
        model = TalentProfile
        fields = [
            "full_name",
            "education",
            "occupation",
            "current_employer",
            "phone",
            "email",
            "available_from",
            "skills",
            "desired_countries",
        ]
        widgets = {"available_from": DATE, "skills": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, with_consent: bool = False, for_staff: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["desired_countries"] = [c.code for c in self.instance.desired_countries.all()]
        if not with_consent:
            del self.fields["consent"]
        elif for_staff:
            self.fields["consent"].label = _("本人已将上述规则告知该员工，并取得其本人同意")

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in services.PERSONAL_FIELDS}


class LanguageForm(forms.ModelForm):
    class Meta:
        model = TalentLanguage
        fields = ["code", "level"]


class CertificateForm(forms.ModelForm):
    class Meta:
        model = TalentCertificate
        fields = ["kind", "number", "valid_until"]
        widgets = {"valid_until": DATE}


class ExperienceForm(forms.ModelForm):
    country = forms.ModelChoiceField(queryset=Country.objects.order_by("code"), label=_("国家"))
    project = forms.ModelChoiceField(queryset=Project.objects.none(), required=False, label=_("项目"))

    class Meta:
        model = TalentExperience
        fields = ["country", "project", "role", "date_from", "date_to"]
        widgets = {"date_from": DATE, "date_to": DATE}

    def __init__(self, *args, projects=None, **kwargs):
        super().__init__(*args, **kwargs)
        if projects is not None:
            self.fields["project"].queryset = projects


LanguageFormSet = formset_factory(LanguageForm, extra=2)
CertificateFormSet = formset_factory(CertificateForm, extra=2)
ExperienceFormSet = formset_factory(ExperienceForm, extra=2)


def rows(formset) -> list[dict]:
    """The filled rows of a valid formset (a row left blank is no row)."""
    return [form.cleaned_data for form in formset.forms if form.cleaned_data]


def initial_rows(profile: TalentProfile | None) -> dict[str, list[dict]]:
    if profile is None:
        return {"languages": [], "certificates": [], "experiences": []}
    return {
        "languages": [{"code": r.code, "level": r.level} for r in profile.languages.all()],
        "certificates": [
            {"kind": r.kind, "number": r.number, "valid_until": r.valid_until} for r in profile.certificates.all()
        ],
        "experiences": [
            {
                "country": r.country_id,
                "project": r.project_id,
                "role": r.role,
                "date_from": r.date_from,
                "date_to": r.date_to,
            }
            for r in profile.experiences.all()
        ],
    }
