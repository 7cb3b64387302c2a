"""The talent pool's pages: every role on every page (outsiders' 404s included), the consent
form, the contact block and its log, the search with its score and reasons, query counts."""

import json

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.testing.cast import roles
from portal.testing.factories import UserFactory
from portal.testing.pages import PageMatrix
from talent import services
from talent.models import ConsentRecord, ContactView, TalentProfile

from .factories import make_profile

pytestmark = pytest.mark.django_db
OFFICIALS = ("reviewer", "publisher", "trainer", "official")
ENTERPRISES = ("owner", "colleague", "outsider")


def group(names, value) -> dict:
    return dict.fromkeys(names, value)


def verify(organization):
    organization.verified_at = timezone.now()
    organization.save(update_fields=["verified_at"])


def management(prefix, total=0) -> dict:
    return {f"{prefix}-TOTAL_FORMS": str(total), f"{prefix}-INITIAL_FORMS": "0"}


def profile_form(**extra) -> dict:
    data = {
        "full_name": "赵测量师",
        "education": "master",
        "occupation": "测量工程师",
        "current_employer": "",
        "phone": "13700000000",
        "email": "zhao@example.com",
        "available_from": "2027-03-01",
        "skills": "",
        "desired_countries": ["KE"],
        **management("languages", 1),
        "languages-0-code": "en",
        "languages-0-level": "B2",
        **management("certificates"),
        **management("experiences", 1),
        "experiences-0-country": "ET",
        "experiences-0-role": "测量组长",
        "experiences-0-date_from": "2022-01-01",
        "experiences-0-date_to": "",
    }
    data.update(extra)
    return data


def edit_form(cast, profile):
    return profile_form(full_name="改过的名字")


class TestAPersonsOwnProfilePages(PageMatrix):
    url_name = "talent:detail"
    watch = (ConsentRecord,)
    expect = {
        "get": roles(200, supplier=404, anonymous="login"),
        "get:edit": roles(403, supplier=404, talent=200, anonymous="login"),
        "post:edit": roles(403, supplier=404, talent="done", anonymous="login"),
        "get:withdraw": roles(403, supplier=404, talent=200, anonymous="login"),
        "post:withdraw": roles(403, supplier=404, talent="done", anonymous="login"),
        "get:delete": roles(403, supplier=404, talent=200, anonymous="login"),
        "post:delete": roles(403, supplier=404, talent="done", anonymous="login"),
    }
    post_data = {"post:edit": edit_form}
    effects = {
        "post:edit": lambda profile: profile.full_name == "改过的名字" and profile.languages.get().code == "en",
        "post:withdraw": lambda profile: profile.consent_withdrawn_at is not None and profile.phone == "",
        "post:delete": lambda profile: profile is None,
    }

    def make_record(self, cast):
        return make_profile(cast.talent)


class TestAStaffProfilePages(PageMatrix):
    url_name = "talent:detail"
    expect = {
        "get": roles(200, supplier=404, talent=404, anonymous="login"),
        "get:edit": roles(403, owner=200, colleague=200, supplier=404, talent=404, anonymous="login"),
        "post:edit": roles(403, owner="done", colleague="done", supplier=404, talent=404, anonymous="login"),
        "post:withdraw": roles(403, owner="done", colleague="done", supplier=404, talent=404, anonymous="login"),
        "post:delete": roles(403, owner="done", colleague="done", supplier=404, talent=404, anonymous="login"),
    }
    post_data = {"post:edit": edit_form}

    def make_record(self, cast):
        return make_profile(cast.owner)


class TestAWithdrawnProfilePages(PageMatrix):
    url_name = "talent:detail"
    expect = {
        "get": roles(404, talent=200, anonymous="login"),
        "get:edit": roles(404, talent="refused", anonymous="login"),
        "post:edit": roles(404, talent="refused", anonymous="login"),
        "post:withdraw": roles(404, talent="refused", anonymous="login"),
        "post:delete": roles(404, talent="done", anonymous="login"),
    }
    post_data = {"post:edit": edit_form}

    def make_record(self, cast):
        return services.profile_withdraw_consent(actor=cast.talent, profile=make_profile(cast.talent))


class TestTheSearchPage(PageMatrix):
    url_name = "talent:search"
    expect = {"get": roles(403, group(ENTERPRISES, 200), group(OFFICIALS, 200), anonymous="login")}


class TestMyProfilePage(PageMatrix):
    url_name = "talent:mine"
    expect = {"get": roles(200, anonymous="login")}


class TestTheProfileForm(PageMatrix):
    url_name = "talent:create"
    expect = {"get": roles(200, group(OFFICIALS, 403), supplier=403, anonymous="login")}


# --- Consent ---------------------------------------------------------------------------------


def test_the_form_shows_the_purpose_and_refuses_without_the_consent_box(cast, client):
    client.force_login(cast.talent)
    page = client.get(reverse("talent:create")).content.decode()
    assert str(services.CONSENT_PURPOSE) in page and services.CONSENT_TEXT_VERSION in page
    response = client.post(reverse("talent:create"), profile_form())
    assert response.status_code == 200
    assert "须经本人同意" in response.content.decode()
    assert not TalentProfile.objects.exists()


def test_a_talent_creates_their_profile_with_consent(cast, client):
    client.force_login(cast.talent)
    response = client.post(reverse("talent:create"), profile_form(consent="on"))
    profile = TalentProfile.objects.get()
    assert response["Location"] == reverse("talent:detail", kwargs={"pk": profile.pk})
    assert profile.owner == cast.talent
    assert profile.languages.get().level == "B2" and profile.experiences.get().country_id == "ET"
    assert profile.consent_records.get().text_version == services.CONSENT_TEXT_VERSION
    # a second one is refused: they correct the one they have
    assert client.get(reverse("talent:create"))["Location"] == reverse("talent:mine")


def test_an_enterprise_enters_a_profile_for_its_staff_with_the_persons_consent(cast, client):
    client.force_login(cast.colleague)
    assert "取得其本人同意" in client.get(reverse("talent:create")).content.decode()
    client.post(reverse("talent:create"), profile_form(consent="on"))
    profile = TalentProfile.objects.get()
    assert profile.entered_by == cast.enterprise and profile.owner is None
    mine = client.get(reverse("talent:mine")).content.decode()
    assert "赵测量师" in mine


def test_the_form_shows_the_services_errors_on_the_rows(cast, client):
    client.force_login(cast.talent)
    data = profile_form(
        consent="on", **management("languages", 2), **{"languages-1-code": "en", "languages-1-level": "C1"}
    )
    data["languages-0-code"] = "en"
    response = client.post(reverse("talent:create"), data)
    assert response.status_code == 200
    assert "每种语言只能填写一次" in response.content.decode()


# --- Contact details and the log -------------------------------------------------------------


def test_the_contact_block_is_shown_and_logged_only_for_allowed_viewers(cast, client):
    profile = make_profile(cast.talent)
    url = reverse("talent:detail", kwargs={"pk": profile.pk})
    client.force_login(cast.outsider)  # an enterprise not verified
    page = client.get(url).content.decode()
    assert "13800000001" not in page and 'data-testid="contact-hidden"' in page
    verify(cast.outsider_org)
    page = client.get(url).content.decode()
    assert "13800000001" in page and 'data-testid="contact-block"' in page
    client.force_login(cast.official)
    assert "li@example.com" in client.get(url).content.decode()
    assert ContactView.objects.count() == 2
    client.force_login(cast.talent)
    mine = client.get(reverse("talent:mine")).content.decode()
    assert cast.outsider_org.name in mine and cast.agency.name in mine
    assert ContactView.objects.count() == 2  # the person's own reads are not logged


def test_suppliers_and_other_talents_get_404_and_no_contacts(cast, client):
    profile = make_profile(cast.talent)
    url = reverse("talent:detail", kwargs={"pk": profile.pk})
    for user in (cast.supplier, UserFactory()):
        client.force_login(user)
        assert client.get(url).status_code == 404
    assert not ContactView.objects.exists()


EXPORT = {
    # the export writes an audit event (who took the personal data out), so it is not in the
    # matrices above, whose 200s must change nothing
    "own": roles(403, supplier=404, talent=200, anonymous="login"),
    "staff": roles(403, owner=200, colleague=200, supplier=404, talent=404, anonymous="login"),
    "withdrawn": roles(404, talent=200, anonymous="login"),
}


@pytest.mark.parametrize("kind", EXPORT)
def test_every_role_on_the_export_download(cast, client, kind):
    for role, expected in EXPORT[kind].items():
        if kind == "own":
            profile = make_profile(cast.talent)
        elif kind == "staff":
            profile = make_profile(cast.owner)
        else:
            profile = services.profile_withdraw_consent(actor=cast.talent, profile=make_profile(cast.talent))
        client.logout()
        if cast.user(role) is not None:
            client.force_login(cast.user(role))
        url = reverse("talent:export", kwargs={"pk": profile.pk})
        response = client.get(url)
        got = "login" if response.status_code == 302 and "/login/" in response["Location"] else response.status_code
        assert got == expected, (kind, role, response.status_code)
        profile.delete()


def test_the_export_download_holds_everything(cast, client):
    profile = make_profile(cast.talent)
    services.contact_view_record(viewer=cast.official, profile=profile)
    client.force_login(cast.talent)
    response = client.get(reverse("talent:export", kwargs={"pk": profile.pk}))
    assert response["Content-Type"].startswith("application/json")
    data = json.loads(response.content)
    assert data["email"] == "li@example.com" and len(data["contact_views"]) == 1
    assert data["consent_records"][0]["action"] == "given"


def test_withdrawal_leaves_the_person_a_notice_and_the_record(cast, client):
    profile = make_profile(cast.talent)
    client.force_login(cast.talent)
    client.post(reverse("talent:withdraw", kwargs={"pk": profile.pk}))
    page = client.get(reverse("talent:mine")).content.decode()
    assert 'data-testid="withdrawn"' in page and "李工程师" not in page
    assert "撤回同意" in page  # the consent records list both steps


def test_a_supplier_is_told_who_keeps_profiles(cast, client):
    client.force_login(cast.supplier)
    assert "人才档案由人才本人或其所在企业建立" in client.get(reverse("talent:mine")).content.decode()


# --- Search ----------------------------------------------------------------------------------


def test_the_search_ranks_with_score_and_reasons_and_says_when_nothing_matches(cast, client):
    make_profile(UserFactory(), full_name="甲", desired=("KE",))
    make_profile(UserFactory(), full_name="乙", desired=())
    client.force_login(cast.owner)
    page = client.get(reverse("talent:search"), {"country": "KE", "language": "fr", "level": "B2"}).content.decode()
    assert page.index("甲") < page.index("乙")
    assert "+40 在该国有海外经历" in page and "+15 意向前往该国" in page
    empty = client.get(reverse("talent:search"), {"country": "ZW"}).content.decode()
    assert "没有符合条件的人才" in empty and "13800000001" not in page


def test_the_search_hides_withdrawn_profiles(cast, client):
    services.profile_withdraw_consent(actor=cast.talent, profile=make_profile(cast.talent))
    client.force_login(cast.official)
    assert "人才库暂无档案" in client.get(reverse("talent:search")).content.decode()


@pytest.mark.parametrize("size", [1, 25])
def test_the_search_page_query_count_is_pinned(cast, client, django_assert_num_queries, size):
    for _n in range(size):
        make_profile(UserFactory())
    client.force_login(cast.official)
    client.get(reverse("talent:search"))  # warm the session
    # session, user, membership; the countries the bar offers (once for both selects); the count,
    # the page, then languages, certificates, experiences with countries, desired countries.
    with django_assert_num_queries(11):
        response = client.get(reverse("talent:search"), {"country": "KE", "level": "B1", "page": "1"})
    assert response.status_code == 200
    assert len(response.context["results"]) == min(size, 20)


def test_a_bad_filter_on_the_search_page_is_shown_on_the_bar(cast, client):
    make_profile(UserFactory())
    client.force_login(cast.official)
    response = client.get(reverse("talent:search"), {"level": "Z9"})
    assert response.status_code == 200
    assert response.context["filterset"].has_errors()
    assert len(response.context["results"]) == 1  # the bad filter is not applied; nothing is ranked by it
