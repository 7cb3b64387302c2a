"""The talent pool's API: the role matrix (outsiders' 404s included), contact details and their
log, the export, the search's filters and ranking, and its query count."""

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.testing.api import APIMatrix
from portal.testing.cast import roles
from portal.testing.factories import UserFactory
from talent import services
from talent.models import ContactView, TalentProfile

from .factories import make_profile

pytestmark = pytest.mark.django_db
OFFICIALS = ("reviewer", "publisher", "trainer", "official")
ENTERPRISES = ("owner", "colleague", "outsider")


def group(names, value) -> dict:
    return dict.fromkeys(names, value)


def verify(organization):
    organization.verified_at = timezone.now()
    organization.save(update_fields=["verified_at"])


def create_body():
    return {
        "full_name": "王翻译",
        "occupation": "法语翻译",
        "phone": "13900000000",
        "consent": True,
        "languages": [{"code": "fr", "level": "C1"}],
        "certificates": [{"kind": "catti", "number": "CATTI-2", "valid_until": None}],
        "experiences": [{"country": "SN", "role": "现场翻译", "date_from": "2023-03-01", "date_to": "2025-06-30"}],
        "desired_countries": ["SN", "CI"],
    }


class TestAPersonsOwnProfile(APIMatrix):
    basename = "talent"
    update_data = {"occupation": "造价工程师"}
    expect = {
        "list": roles(True, supplier=False, anonymous=401),
        "retrieve": roles(200, supplier=404, anonymous=401),
        "update": roles(403, supplier=404, talent=200, anonymous=401),
        "destroy": roles(403, supplier=404, talent=204, anonymous=401),
        # The talent already has one; an enterprise member enters one for its staff.
        "create": roles(403, group(ENTERPRISES, 201), talent=400, anonymous=401),
        "action:withdraw-consent": roles(403, supplier=404, talent=200, anonymous=401),
    }
    effects = {
        "action:withdraw-consent": lambda profile: profile.consent_withdrawn_at is not None,
        "create": lambda profile: profile.entered_by_id is not None and profile.consent_records.count() == 1,
    }

    def make_record(self, cast):
        return make_profile(cast.talent)

    def create_data(self, cast):
        return create_body()


class TestAProfileAnEnterpriseEnteredForItsStaff(APIMatrix):
    basename = "talent"
    update_data = {"skills": "隧道施工"}
    expect = {
        "list": roles(True, supplier=False, talent=False, anonymous=401),
        "retrieve": roles(200, supplier=404, talent=404, anonymous=401),
        "update": roles(403, owner=200, colleague=200, supplier=404, talent=404, anonymous=401),
        "destroy": roles(403, owner=204, colleague=204, supplier=404, talent=404, anonymous=401),
        "action:withdraw-consent": roles(403, owner=200, colleague=200, supplier=404, talent=404, anonymous=401),
    }

    def make_record(self, cast):
        return make_profile(cast.owner)


class TestAWithdrawnProfile(APIMatrix):
    """Hidden from everyone but the person at once; the person may still delete it."""

    basename = "talent"
    update_data = {"occupation": "x"}
    expect = {
        "list": roles(False, talent=True, anonymous=401),
        "retrieve": roles(404, talent=200, anonymous=401),
        "update": roles(404, talent=400, anonymous=401),
        "destroy": roles(404, talent=204, anonymous=401),
        "action:withdraw-consent": roles(404, talent=400, anonymous=401),
    }

    def make_record(self, cast):
        return services.profile_withdraw_consent(actor=cast.talent, profile=make_profile(cast.talent))


def detail(profile, name="detail"):
    return reverse(f"api:talent-{name}", kwargs={"pk": profile.pk})


def test_a_profile_needs_consent_through_the_api_too(cast, api):
    body = {**create_body(), "consent": False}
    response = api.as_user(UserFactory()).post(reverse("api:talent-list"), body, format="json")
    assert response.status_code == 400
    assert "consent" in response.json()
    assert not TalentProfile.objects.exists()


def test_contact_details_come_to_a_verified_enterprise_and_officials_and_each_read_is_logged(cast, api):
    profile = make_profile(cast.talent)
    assert "phone" not in api.as_user(cast.owner).get(detail(profile)).json()  # not verified
    assert not ContactView.objects.exists()
    verify(cast.enterprise)
    for user in (cast.owner, cast.reviewer):
        body = api.as_user(type(user).objects.get(pk=user.pk)).get(detail(profile)).json()
        assert body["phone"] == "13800000001" and body["email"] == "li@example.com"
    assert list(ContactView.objects.values_list("viewer_id", "viewer_organization_id")) == [
        (cast.reviewer.pk, cast.agency.pk),
        (cast.owner.pk, cast.enterprise.pk),
    ]


def test_suppliers_other_talents_and_the_public_never_get_contact_details(cast, api):
    profile = make_profile(cast.talent)
    verify(cast.supplier_org)
    assert api.as_user(cast.supplier).get(detail(profile)).status_code == 404
    assert api.as_user(UserFactory()).get(detail(profile)).status_code == 404
    assert api.as_user(None).get(detail(profile)).status_code == 401
    listed = api.as_user(cast.official).get(reverse("api:talent-list")).json()["results"]
    assert listed and all("phone" not in row and "email" not in row for row in listed)
    assert not ContactView.objects.exists()


def test_the_person_reads_their_own_contacts_without_a_log_entry(cast, api):
    profile = make_profile(cast.talent)
    assert api.as_user(cast.talent).get(detail(profile)).json()["phone"] == "13800000001"
    assert not ContactView.objects.exists()


def test_the_export_holds_everything_and_only_the_person_or_the_entering_enterprise_gets_it(cast, api):
    profile = make_profile(cast.talent)
    services.contact_view_record(viewer=cast.official, profile=profile)
    response = api.as_user(cast.talent).get(detail(profile, "export"))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    body = response.json()
    assert body["phone"] == "13800000001"
    assert len(body["contact_views"]) == 1 and len(body["consent_records"]) == 1
    expected = {"official": 403, "owner": 403, "supplier": 404, "anonymous": 401}
    for role, status in expected.items():
        assert api.as_user(cast.user(role)).get(detail(profile, "export")).status_code == status
    staff = make_profile(cast.owner)
    assert api.as_user(cast.colleague).get(detail(staff, "export")).status_code == 200
    assert api.as_user(cast.outsider).get(detail(staff, "export")).status_code == 403


def test_the_search_filters_and_ranks_with_the_reasons(cast, api):
    best = make_profile(UserFactory(), full_name="甲", desired=("KE",))
    make_profile(UserFactory(), full_name="乙", desired=())
    make_profile(UserFactory(), full_name="丙", experiences=(("ET", "翻译"),))
    response = api.as_user(cast.official).get(reverse("api:talent-list"), {"country": "KE", "level": "B1"})
    rows = response.json()["results"]
    assert [row["full_name"] for row in rows] == ["甲", "乙"]
    assert rows[0]["id"] == best.pk and rows[0]["match_score"] == 80
    assert [reason["points"] for reason in rows[0]["match_reasons"]] == [40, 25, 15]
    assert api.as_user(cast.official).get(reverse("api:talent-list"), {"search": "丙"}).json()["count"] == 1


@pytest.mark.parametrize("params", [{"level": "D9"}, {"certificate": "xx"}, {"available_by": "tomorrow"}])
def test_a_bad_filter_is_a_400(cast, api, params):
    assert api.as_user(cast.official).get(reverse("api:talent-list"), params).status_code == 400


def test_a_country_is_a_code_in_any_case_and_an_unknown_one_finds_nobody(cast, api):
    make_profile(UserFactory())
    client = api.as_user(cast.official)
    assert client.get(reverse("api:talent-list"), {"country": "ke"}).json()["count"] == 1
    assert client.get(reverse("api:talent-list"), {"desired_country": "AA"}).json()["count"] == 0


def test_an_update_replaces_the_rows_it_names(cast, api):
    profile = make_profile(cast.talent)
    body = {"languages": [{"code": "en", "level": "C2"}], "desired_countries": ["ET"]}
    response = api.as_user(cast.talent).patch(detail(profile), body, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["languages"] == [{"code": "en", "level": "C2"}]
    assert response.json()["desired_countries"] == ["ET"]
    assert response.json()["certificates"][0]["kind"] == "pmp"  # not named: kept


@pytest.mark.parametrize("size", [1, 50])
def test_the_search_list_query_count_is_pinned(cast, api, django_assert_num_queries, size):
    for _n in range(size):
        make_profile(UserFactory())
    client = api.as_user(cast.official)
    # the official's membership, the count, the page, then one each for languages,
    # certificates, experiences (with their countries) and desired countries.
    with django_assert_num_queries(7):
        response = client.get(reverse("api:talent-list"), {"country": "KE", "language": "fr", "level": "B1"})
    assert response.json()["count"] == size
