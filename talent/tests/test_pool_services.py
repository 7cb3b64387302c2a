"""The talent pool's rules: consent, withdrawal, export, deletion, contact details and the log."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.utils import timezone

from portal.models import AuditEvent
from portal.testing.factories import UserFactory
from talent import selectors, services
from talent.choices import ConsentAction
from talent.models import (
    ConsentRecord,
    ContactView,
    TalentCertificate,
    TalentExperience,
    TalentLanguage,
    TalentProfile,
)

from .factories import make_profile, profile_data

pytestmark = pytest.mark.django_db


def verify(organization):
    organization.verified_at = timezone.now()
    organization.save(update_fields=["verified_at"])


def test_a_profile_is_not_created_without_consent(cast):
    with pytest.raises(ValidationError) as error:
        services.profile_create(actor=cast.talent, consent=False, data=profile_data())
    assert "consent" in error.value.message_dict
    assert not TalentProfile.objects.exists()


def test_consent_records_the_text_version_the_purpose_and_when(cast):
    profile = make_profile(cast.talent)
    record = ConsentRecord.objects.get(profile=profile)
    assert record.action == ConsentAction.GIVEN
    assert record.text_version == services.CONSENT_TEXT_VERSION == profile.consent_text_version
    assert "人才库检索" in record.purpose_text
    assert record.at == profile.consent_at
    assert profile.owner == cast.talent and profile.entered_by is None
    assert AuditEvent.objects.filter(action="talent.create", target_id=str(profile.pk)).exists()


def test_an_enterprise_member_enters_a_profile_for_its_staff(cast):
    profile = make_profile(cast.owner)
    assert profile.owner is None and profile.entered_by == cast.enterprise
    assert TalentProfile.objects.editable_by(cast.colleague).filter(pk=profile.pk).exists()
    assert not TalentProfile.objects.editable_by(cast.outsider).filter(pk=profile.pk).exists()


@pytest.mark.parametrize("role", ["supplier", "official", "anonymous"])
def test_suppliers_officials_and_the_public_cannot_create_profiles(cast, role):
    user = cast.user(role)
    with pytest.raises(PermissionError):
        services.profile_create(actor=user, consent=True, data=profile_data())


def test_a_talent_keeps_one_profile(cast):
    make_profile(cast.talent)
    with pytest.raises(ValidationError):
        make_profile(cast.talent)


def test_rows_across_the_form_are_checked_together(cast):
    from portal.models import Country

    kenya = Country.objects.get(code="KE")
    day = datetime.date(2025, 1, 1)
    with pytest.raises(ValidationError) as error:
        services.profile_create(
            actor=cast.talent,
            consent=False,
            data=profile_data(),
            languages=[{"code": "fr", "level": "B1"}, {"code": "fr", "level": "C1"}],
            experiences=[
                {"country": kenya, "role": "x", "date_from": day, "date_to": day - datetime.timedelta(days=1)}
            ],
        )
    assert set(error.value.message_dict) == {"consent", "languages", "experiences"}


def test_a_linked_project_must_be_visible_to_the_person(cast):
    from portal.models import Country
    from projects.tests.factories import ProjectFactory

    draft = ProjectFactory(organization=cast.outsider_org)
    row = {"country": Country.objects.get(code="KE"), "role": "x", "date_from": datetime.date(2025, 1, 1)}
    with pytest.raises(ValidationError) as error:
        services.profile_create(
            actor=cast.talent, consent=True, data=profile_data(), experiences=[{**row, "project": draft}]
        )
    assert "experiences" in error.value.message_dict


def test_the_person_corrects_their_profile(cast):
    profile = make_profile(cast.talent)
    services.profile_update(
        actor=cast.talent, profile=profile, data={"occupation": "造价工程师"}, languages=[{"code": "en", "level": "C1"}]
    )
    profile.refresh_from_db()
    assert profile.occupation == "造价工程师"
    assert list(profile.languages.values_list("code", "level")) == [("en", "C1")]
    with pytest.raises(PermissionError):
        services.profile_update(actor=cast.owner, profile=profile, data={"occupation": "x"})


def test_withdrawing_consent_hides_the_profile_and_erases_the_personal_fields(cast):
    profile = make_profile(cast.talent)
    services.contact_view_record(viewer=cast.official, profile=profile)
    services.profile_withdraw_consent(actor=cast.talent, profile=profile)
    profile.refresh_from_db()
    assert profile.consent_withdrawn_at is not None
    assert profile.full_name == services.ERASED_NAME
    for name in ("phone", "email", "current_employer", "occupation", "skills", "education"):
        assert getattr(profile, name) == ""
    assert profile.available_from is None
    assert not profile.desired_countries.exists()
    for model in (TalentLanguage, TalentCertificate, TalentExperience):
        assert not model.objects.filter(profile=profile).exists()
    assert list(ConsentRecord.objects.filter(profile=profile).values_list("action", flat=True)) == [
        "given",
        "withdrawn",
    ]
    for role in ("owner", "outsider", "official", "reviewer"):
        assert not TalentProfile.objects.visible_to(cast.user(role)).filter(pk=profile.pk).exists()
    assert TalentProfile.objects.visible_to(cast.talent).filter(pk=profile.pk).exists()
    with pytest.raises(ValidationError):
        services.profile_update(actor=cast.talent, profile=profile, data={"full_name": "再来"})
    with pytest.raises(ValidationError):
        services.profile_withdraw_consent(actor=cast.talent, profile=profile)


def test_the_export_holds_everything_kept_about_the_person(cast):
    profile = make_profile(cast.talent)
    services.contact_view_record(viewer=cast.official, profile=profile)
    data = services.profile_export(actor=cast.talent, profile=profile)
    assert data["full_name"] == "李工程师" and data["phone"] == "13800000001" and data["email"] == "li@example.com"
    assert data["languages"] == [{"code": "fr", "level": "B2"}]
    assert data["certificates"][0]["kind"] == "pmp"
    assert data["experiences"][0]["country"] == "KE"
    assert data["desired_countries"] == ["KE"]
    assert data["consent_records"][0]["text_version"] == services.CONSENT_TEXT_VERSION
    assert data["contact_views"][0]["organization"] == cast.agency.name
    field_names = {f.name for f in TalentProfile._meta.concrete_fields} - {"owner", "entered_by"}
    assert field_names <= set(data)
    assert AuditEvent.objects.filter(action="talent.export").exists()
    with pytest.raises(PermissionError):
        services.profile_export(actor=cast.owner, profile=profile)


def test_the_person_deletes_their_profile_and_everything_with_it(cast):
    profile = make_profile(cast.talent)
    services.contact_view_record(viewer=cast.official, profile=profile)
    with pytest.raises(PermissionError):
        services.profile_delete(actor=cast.official, profile=profile)
    pk = profile.pk
    services.profile_delete(actor=cast.talent, profile=profile)
    assert not TalentProfile.objects.exists()
    assert not ContactView.objects.exists() and not ConsentRecord.objects.exists()
    assert AuditEvent.objects.filter(action="talent.delete", target_id=str(pk)).exists()


def test_contact_details_only_for_verified_enterprises_officials_the_person_and_the_entering_enterprise(cast):
    profile = make_profile(cast.talent)
    staff = make_profile(cast.owner)
    other_talent = UserFactory()
    assert services.may_see_contacts(cast.official, profile)
    assert services.may_see_contacts(cast.reviewer, profile)
    assert services.may_see_contacts(cast.talent, profile)
    assert not services.may_see_contacts(cast.owner, profile)  # not verified yet
    assert services.may_see_contacts(cast.owner, staff)  # its own staff
    for user in (cast.supplier, other_talent, None):
        assert not services.may_see_contacts(user, profile)
    verify(cast.enterprise)
    cast.owner.refresh_from_db()
    owner = type(cast.owner).objects.get(pk=cast.owner.pk)
    assert services.may_see_contacts(owner, profile)
    profile = services.profile_withdraw_consent(actor=cast.talent, profile=profile)
    assert not services.may_see_contacts(cast.official, profile)


def test_a_contact_view_is_logged_with_viewer_and_organisation_but_not_the_persons_own(cast):
    profile = make_profile(cast.talent)
    view = services.contact_view_record(viewer=cast.official, profile=profile)
    assert view.viewer == cast.official and view.viewer_organization == cast.agency
    assert services.contact_view_record(viewer=cast.talent, profile=profile) is None
    assert list(selectors.contact_views_of(profile)) == [view]


# --- Matching --------------------------------------------------------------------------------


@pytest.fixture
def pool(cast):
    """Five people: the best match for Kenya + French B2 + PMP, and four partial ones."""
    return {
        "best": make_profile(UserFactory(), full_name="甲", desired=("KE",)),
        "no_wish": make_profile(UserFactory(), full_name="乙", desired=("ET",)),
        "weak_french": make_profile(UserFactory(), full_name="丙", languages=(("fr", "A2"),)),
        "expired": make_profile(
            UserFactory(), full_name="丁", certificates=(("pmp", datetime.date(2020, 1, 1)),), desired=()
        ),
        "elsewhere": make_profile(UserFactory(), full_name="戊", experiences=(("ET", "翻译"),), desired=()),
    }


def _search(params, user):
    from talent.filtersets import TalentProfileFilterSet

    filterset = TalentProfileFilterSet(params, queryset=TalentProfile.objects.visible_to(user))
    assert filterset.is_valid(), filterset.errors
    return list(selectors.with_match(filterset.qs, filterset.criteria()))


def test_filters_narrow_to_experience_language_level_and_valid_certificate(cast, pool):
    found = _search({"country": "KE", "language": "fr", "level": "B2", "certificate": "pmp"}, cast.official)
    assert {p.full_name for p in found} == {"甲", "乙"}
    assert {p.full_name for p in _search({"level": "B1"}, cast.official)} == {"甲", "乙", "丁", "戊"}
    assert {p.full_name for p in _search({"desired_country": "ET"}, cast.official)} == {"乙"}
    assert {p.full_name for p in _search({"search": "丙"}, cast.official)} == {"丙"}
    by_date = _search({"available_by": "2026-12-31"}, cast.official)
    assert by_date == []
    assert len(_search({"available_by": "2027-01-01"}, cast.official)) == 5


def test_results_are_ranked_by_the_match_score_with_its_reasons(cast, pool):
    found = _search({"country": "KE", "language": "fr", "level": "B2"}, cast.official)
    assert [p.full_name for p in found] == ["甲", "丁", "乙"]  # 丁 and 乙 tie: the one updated last first
    best = found[0]
    assert best.match_score == 40 + 25 + 15
    assert [points for points, _reason in selectors.reasons(best)] == [40, 25, 15]
    assert [p.match_score for p in found[1:]] == [65, 65]
    ranked = _search({"desired_country": "KE", "certificate": "pmp"}, cast.official)
    assert ranked[0].match_score == 40 + 20 + 15  # experience in the wished country counts too
    scored = _search({"available_by": "2027-06-01"}, cast.official)
    assert {p.match_score for p in scored} == {10}
    assert selectors.reasons(scored[0]) == [(10, "可按时到岗")]


def test_the_records_name_themselves_and_the_anonymous_see_and_change_nothing(cast):
    profile = make_profile(cast.talent)
    view = services.contact_view_record(viewer=cast.official, profile=profile)
    assert str(profile) == "李工程师"
    assert str(profile.languages.get()) == "法语 B2"
    assert str(profile.certificates.get()) == "PMP 项目管理专业人士"
    assert str(profile.experiences.get()) == "KE 项目经理"
    assert str(profile.consent_records.get()).endswith(services.CONSENT_TEXT_VERSION)
    assert str(view).endswith(str(profile.pk))
    for user in (None, AnonymousUser()):
        assert not TalentProfile.objects.visible_to(user).exists()
        assert not TalentProfile.objects.editable_by(user).exists()


@pytest.mark.parametrize(
    "params",
    [
        {"country": "KE", "language": "fr", "level": "B2", "certificate": "pmp"},
        {"desired_country": "ET"},
        {"country": "KE", "desired_country": "ET"},
        {"level": "B1", "available_by": "2027-01-01"},
        {},
    ],
)
def test_the_reasons_the_filters_guarantee_rank_and_explain_as_if_computed_per_row(cast, pool, params):
    from talent.filtersets import TalentProfileFilterSet

    filterset = TalentProfileFilterSet(params, queryset=TalentProfile.objects.visible_to(cast.official))
    assert filterset.is_valid(), filterset.errors
    criteria = filterset.criteria()

    def ranked(**kwargs):
        return [
            (p.pk, p.match_score, selectors.reasons(p)) for p in selectors.with_match(filterset.qs, criteria, **kwargs)
        ]

    assert ranked(filtered=criteria.filtered()) == ranked()
