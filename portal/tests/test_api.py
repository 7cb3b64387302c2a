"""The API of the portal shell: auth, organisations and members, countries, the inbox."""

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

from portal.choices import NotificationKind
from portal.models import AuditEvent, Membership, Notification, NotificationPreference, Organization, User
from portal.testing.api import APIMatrix
from portal.testing.factories import TEST_PASSWORD, NotificationFactory, UserFactory, valid_credit_code

pytestmark = pytest.mark.django_db

OFFICIALS_SEE = {"reviewer": 200, "publisher": 200, "trainer": 200, "official": 200}


class TestOrganizationAPI(APIMatrix):
    basename = "organization"
    update_data = {"name": "湖北楚天国际工程集团有限公司"}
    expect = {
        "list": {
            "owner": True,
            "colleague": True,
            "outsider": False,
            "supplier": False,
            "talent": False,
            "reviewer": True,
            "publisher": True,
            "trainer": True,
            "official": True,
            "anonymous": 401,
        },
        "retrieve": {"owner": 200, "colleague": 200, "outsider": 404, "supplier": 404, "talent": 404}
        | OFFICIALS_SEE
        | {"anonymous": 401},
        # Only the organisation's admin edits it; officials see it but may not change it here.
        "update": {
            "owner": 200,
            "colleague": 403,
            "outsider": 404,
            "supplier": 404,
            "talent": 404,
            "reviewer": 403,
            "publisher": 403,
            "trainer": 403,
            "official": 403,
            "anonymous": 401,
        },
        "destroy": {"owner": 405, "colleague": 405, "outsider": 405, "supplier": 405, "talent": 405}
        | dict.fromkeys(OFFICIALS_SEE, 405)
        | {"anonymous": 401},
    }

    def make_record(self, cast):
        return cast.enterprise


class TestNotificationAPI(APIMatrix):
    """An inbox is personal: even officials and colleagues get a 404 on someone else's notification."""

    basename = "notification"
    _own_only = {
        "owner": 200,
        "colleague": 404,
        "outsider": 404,
        "supplier": 404,
        "talent": 404,
        "reviewer": 404,
        "publisher": 404,
        "trainer": 404,
        "official": 404,
        "anonymous": 401,
    }
    expect = {
        "list": {role: (role == "owner") for role in _own_only} | {"anonymous": 401},
        "retrieve": _own_only,
        "action:read": _own_only,
        "action:acknowledge": _own_only,
    }
    effects = {
        "action:read": lambda notification: notification.read_at is not None,
        "action:acknowledge": lambda notification: notification.acknowledged_at is not None,
    }

    def make_record(self, cast):
        return NotificationFactory(recipient=cast.owner, requires_ack=True, kind=NotificationKind.RISK_ALERT)


class TestCountryAPI(APIMatrix):
    basename = "country"
    id_field = "code"
    expect = {
        "list": dict.fromkeys(
            ["owner", "colleague", "outsider", "supplier", "talent", *OFFICIALS_SEE, "anonymous"], True
        ),
        "retrieve": dict.fromkeys(
            ["owner", "colleague", "outsider", "supplier", "talent", *OFFICIALS_SEE, "anonymous"], 200
        ),
        "destroy": dict.fromkeys(
            ["owner", "colleague", "outsider", "supplier", "talent", *OFFICIALS_SEE, "anonymous"], 405
        ),
    }

    def make_record(self, cast):
        from portal.models import Country

        return Country.objects.get(code="KE")

    def record_id(self, record):
        return record.code


# --- Auth -----------------------------------------------------------------------------------


def test_token_is_issued_for_the_right_password_and_authenticates_requests(api, cast):
    response = api.post(reverse("api:auth-token"), {"username": cast.owner.username, "password": TEST_PASSWORD})
    assert response.status_code == 200
    token = response.json()["token"]
    assert Token.objects.get(user=cast.owner).key == token
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = api.get(reverse("api:auth-me"))
    assert me.status_code == 200
    assert me.json()["organization"]["id"] == cast.enterprise.pk
    assert me.json()["role"] == "admin"


def test_token_is_refused_for_a_wrong_password(api, cast):
    response = api.post(reverse("api:auth-token"), {"username": cast.owner.username, "password": "wrong"})
    assert response.status_code == 401
    assert "detail" in response.json()


def test_a_bad_token_is_a_401(api, cast):
    api.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert api.get(reverse("api:auth-me")).status_code == 401


def test_repeated_failures_lock_the_account_out_even_with_the_right_password(api, cast, settings):
    url = reverse("api:auth-token")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        api.post(url, {"username": cast.owner.username, "password": "wrong-password"})
    response = api.post(url, {"username": cast.owner.username, "password": TEST_PASSWORD})
    assert response.status_code == 403
    assert "锁定" in response.json()["detail"]
    assert not Token.objects.filter(user=cast.owner).exists()
    # Another user from the same address is not locked out.
    other = api.post(url, {"username": cast.colleague.username, "password": TEST_PASSWORD})
    assert other.status_code == 200


def signup_payload(**overrides):
    payload = {
        "organization": {
            "name": "宜昌三峡海外工程有限公司",
            "name_en": "Yichang Three Gorges Overseas Engineering Co., Ltd.",
            "kind": "enterprise",
            "credit_code": valid_credit_code(),
            "province": "湖北省",
            "city": "宜昌市",
            "contact_email": "overseas@sanxia.example.cn",
            "webhook_url": "",
        },
        "username": "sanxia",
        "email": "admin@sanxia.example.cn",
        "password": "Yangtze-river-2026",
        "display_name": "刘经理",
    }
    for key, value in overrides.items():
        if key in payload["organization"]:
            payload["organization"][key] = value
        else:
            payload[key] = value
    return payload


def test_signup_creates_the_organisation_with_its_first_admin_and_welcomes_them(api, db):
    response = api.post(reverse("api:auth-signup"), signup_payload(), format="json")
    assert response.status_code == 201, response.content
    org = Organization.objects.get(pk=response.json()["id"])
    user = User.objects.get(username="sanxia")
    assert user.check_password("Yangtze-river-2026")
    assert Membership.objects.get(user=user).organization == org
    assert user.is_org_admin
    assert Notification.objects.filter(recipient=user, kind="account").count() == 1
    assert AuditEvent.objects.filter(action="organization.signup", organization=org).exists()


def test_signup_normalises_a_lowercase_credit_code(api, db):
    payload = signup_payload(credit_code="91330100716105852f")
    assert api.post(reverse("api:auth-signup"), payload, format="json").status_code == 201
    assert Organization.objects.filter(credit_code="91330100716105852F").exists()


@pytest.mark.parametrize(
    ("overrides", "path"),
    [
        ({"credit_code": "91440300708461136X"}, ("organization", "credit_code")),
        ({"credit_code": "123"}, ("organization", "credit_code")),
        ({"kind": "agency"}, ("organization", "kind")),
        ({"name": ""}, ("organization", "name")),
        ({"name": "长" * 201}, ("organization", "name")),
        ({"contact_email": "not-an-email"}, ("organization", "contact_email")),
        ({"webhook_url": "ftp://example.cn/hook"}, ("organization", "webhook_url")),
        ({"password": "12345678901"}, ("password",)),
        ({"password": "sanxia2026"}, ("password",)),
        ({"username": "bad name!"}, ("username",)),
        ({"email": "nope"}, ("email",)),
    ],
)
def test_signup_with_bad_input_is_a_400_naming_the_field_and_creates_nothing(api, db, overrides, path):
    orgs, users = Organization.objects.count(), User.objects.count()
    response = api.post(reverse("api:auth-signup"), signup_payload(**overrides), format="json")
    assert response.status_code == 400, response.content
    body = response.json()
    for key in path:
        assert key in body, body
        body = body[key]
    assert body and all(isinstance(m, str) and m for m in body)
    assert (Organization.objects.count(), User.objects.count()) == (orgs, users)


def test_signup_refuses_a_taken_credit_code_and_username(api, cast):
    payload = signup_payload(credit_code=cast.enterprise.credit_code, username=cast.owner.username)
    response = api.post(reverse("api:auth-signup"), payload, format="json")
    assert response.status_code == 400
    assert "credit_code" in response.json()["organization"]
    assert "username" in response.json()


def test_signup_with_a_malformed_body_is_a_400(api, db):
    assert api.post(reverse("api:auth-signup"), {"organization": "x"}, format="json").status_code == 400
    response = api.post(reverse("api:auth-signup"), "{not json", content_type="application/json")
    assert response.status_code == 400


# --- Organisations and members ---------------------------------------------------------------


def test_organisation_admin_sees_the_webhook_secret_and_colleagues_do_not(api, cast):
    url = reverse("api:organization-detail", kwargs={"pk": cast.enterprise.pk})
    assert api.as_user(cast.owner).get(url).json()["webhook_secret"] == cast.enterprise.webhook_secret
    assert api.as_user(cast.colleague).get(url).json()["webhook_secret"] is None
    assert api.as_user(cast.official).get(url).json()["webhook_secret"] is None


def test_organisation_update_cannot_change_the_credit_code_or_kind(api, cast):
    url = reverse("api:organization-detail", kwargs={"pk": cast.enterprise.pk})
    code = cast.enterprise.credit_code
    response = api.as_user(cast.owner).patch(url, {"credit_code": valid_credit_code(), "kind": "agency"})
    assert response.status_code == 200
    cast.enterprise.refresh_from_db()
    assert (cast.enterprise.credit_code, cast.enterprise.kind) == (code, "enterprise")


def test_organisation_update_with_a_bad_email_is_a_400(api, cast):
    url = reverse("api:organization-detail", kwargs={"pk": cast.enterprise.pk})
    response = api.as_user(cast.owner).patch(url, {"contact_email": "x"})
    assert response.status_code == 400
    assert "contact_email" in response.json()


def test_admin_adds_a_member_who_is_emailed_a_link_to_set_a_password(
    api, cast, mailoutbox, django_capture_on_commit_callbacks
):
    url = reverse("api:organization-members", kwargs={"pk": cast.enterprise.pk})
    with django_capture_on_commit_callbacks(execute=True):
        response = api.as_user(cast.owner).post(
            url, {"username": "newhire", "email": "newhire@example.cn", "display_name": "赵工"}
        )
    assert response.status_code == 201, response.content
    user = User.objects.get(username="newhire")
    assert user.organization == cast.enterprise
    assert not user.has_usable_password()
    assert len(mailoutbox) == 1
    assert "/password/reset/" in mailoutbox[0].body


@pytest.mark.parametrize(
    ("role", "status"), [("colleague", 403), ("outsider", 404), ("official", 403), ("anonymous", 401)]
)
def test_only_the_admin_adds_members(api, cast, role, status):
    url = reverse("api:organization-members", kwargs={"pk": cast.enterprise.pk})
    response = api.as_user(cast.user(role)).post(url, {"username": "newhire", "email": "n@example.cn"})
    assert response.status_code == status
    assert not User.objects.filter(username="newhire").exists()


def test_adding_a_member_with_a_taken_username_is_a_400(api, cast):
    url = reverse("api:organization-members", kwargs={"pk": cast.enterprise.pk})
    response = api.as_user(cast.owner).post(url, {"username": cast.outsider.username, "email": "x@example.cn"})
    assert response.status_code == 400
    assert "username" in response.json()


def test_members_are_listed_for_colleagues_and_hidden_from_outsiders(api, cast):
    url = reverse("api:organization-members", kwargs={"pk": cast.enterprise.pk})
    names = {m["user"]["username"] for m in api.as_user(cast.colleague).get(url).json()}
    assert names == {cast.owner.username, cast.colleague.username}
    assert api.as_user(cast.outsider).get(url).status_code == 404


def test_admin_removes_a_member_whose_account_is_deactivated(api, cast):
    membership = cast.colleague.membership
    url = reverse("api:organization-remove-member", kwargs={"pk": cast.enterprise.pk, "membership_id": membership.pk})
    assert api.as_user(cast.owner).delete(url).status_code == 204
    cast.colleague.refresh_from_db()
    assert not cast.colleague.is_active
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_the_last_admin_cannot_be_removed(api, cast):
    membership = cast.owner.membership
    url = reverse("api:organization-remove-member", kwargs={"pk": cast.enterprise.pk, "membership_id": membership.pk})
    response = api.as_user(cast.owner).delete(url)
    assert response.status_code == 400
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_a_colleague_cannot_remove_members_and_an_outsider_cannot_see_them(api, cast):
    membership = cast.owner.membership
    url = reverse("api:organization-remove-member", kwargs={"pk": cast.enterprise.pk, "membership_id": membership.pk})
    assert api.as_user(cast.colleague).delete(url).status_code == 403
    assert api.as_user(cast.outsider).delete(url).status_code == 404
    # Another organisation's membership id under my organisation is a 404 too.
    other = cast.outsider.membership
    url = reverse("api:organization-remove-member", kwargs={"pk": cast.enterprise.pk, "membership_id": other.pk})
    assert api.as_user(cast.owner).delete(url).status_code == 404
    assert Membership.objects.filter(pk=other.pk).exists()


# --- Countries ------------------------------------------------------------------------------


def test_countries_are_all_loaded_with_chinese_names_and_regions(api, db):
    response = api.get(reverse("api:country-list"), {"page_size": 200})
    assert response.status_code == 200
    rows = {r["code"]: r for r in response.json()["results"]}
    assert rows["KE"] == {"code": "KE", "alpha3": "KEN", "name_zh": "肯尼亚", "name_en": "Kenya", "region": "africa"}
    assert rows["KZ"]["region"] == "central_asia"
    assert response.json()["next"]  # 249 countries: a second page


def test_countries_filter_by_region_and_search_both_names(api, db):
    url = reverse("api:country-list")
    codes = {r["code"] for r in api.get(url, {"region": "central_asia"}).json()["results"]}
    assert codes == {"KZ", "KG", "TJ", "TM", "UZ"}
    assert [r["code"] for r in api.get(url, {"search": "哈萨克"}).json()["results"]] == ["KZ"]
    assert "VN" in {r["code"] for r in api.get(url, {"search": "vietnam"}).json()["results"]}


def test_country_detail_takes_lowercase_codes_and_unknown_ones_are_404(api, db):
    assert api.get("/api/v1/countries/ke/").json()["name_zh"] == "肯尼亚"
    assert api.get("/api/v1/countries/QQ/").status_code == 404


def test_an_unknown_region_filter_is_a_400(api, db):
    response = api.get(reverse("api:country-list"), {"region": "atlantis"})
    assert response.status_code == 400
    assert "region" in response.json()


def test_the_page_size_is_capped(api, db, settings):
    response = api.get(reverse("api:country-list"), {"page_size": 100000})
    assert len(response.json()["results"]) == settings.API_MAX_PAGE_SIZE


# --- Inbox ----------------------------------------------------------------------------------


def test_inbox_lists_newest_first_with_a_cursor_and_no_total(api, cast):
    for i in range(5):
        NotificationFactory(recipient=cast.owner, title=f"第{i}条")
    NotificationFactory(recipient=cast.colleague)
    response = api.as_user(cast.owner).get(reverse("api:notification-list"), {"page_size": 2})
    body = response.json()
    assert [n["title"] for n in body["results"]] == ["第4条", "第3条"]
    assert "count" not in body
    assert "cursor=" in body["next"]
    second = api.get(body["next"]).json()
    assert [n["title"] for n in second["results"]] == ["第2条", "第1条"]


def test_inbox_filters_unread_and_unacknowledged(api, cast):
    NotificationFactory(recipient=cast.owner, read_at=timezone.now())
    unread = NotificationFactory(recipient=cast.owner)
    alert = NotificationFactory(recipient=cast.owner, requires_ack=True, read_at=timezone.now())
    client = api.as_user(cast.owner)
    url = reverse("api:notification-list")
    assert {n["id"] for n in client.get(url, {"unread": "true"}).json()["results"]} == {unread.pk}
    assert {n["id"] for n in client.get(url, {"unacknowledged": "true"}).json()["results"]} == {alert.pk}
    counts = client.get(reverse("api:notification-unread-count")).json()
    assert counts == {"unread": 1, "unacknowledged": 1}


def test_acknowledging_an_alert_marks_it_read_and_is_recorded(api, cast):
    alert = NotificationFactory(recipient=cast.owner, requires_ack=True)
    url = reverse("api:notification-acknowledge", kwargs={"pk": alert.pk})
    body = api.as_user(cast.owner).post(url).json()
    assert body["acknowledged_at"] and body["read_at"]
    assert AuditEvent.objects.filter(action="notification.acknowledge", target_id=str(alert.pk)).exists()


def test_acknowledging_a_notification_that_needs_none_is_a_400_and_changes_nothing(api, cast):
    note = NotificationFactory(recipient=cast.owner, requires_ack=False)
    response = api.as_user(cast.owner).post(reverse("api:notification-acknowledge", kwargs={"pk": note.pk}))
    assert response.status_code == 400
    assert "detail" in response.json()
    note.refresh_from_db()
    assert note.acknowledged_at is None and note.read_at is None


def test_read_all_marks_only_my_notifications(api, cast):
    mine = NotificationFactory.create_batch(3, recipient=cast.owner)
    theirs = NotificationFactory(recipient=cast.colleague)
    assert api.as_user(cast.owner).post(reverse("api:notification-read-all")).json() == {"marked": 3}
    assert all(Notification.objects.get(pk=n.pk).read_at for n in mine)
    theirs.refresh_from_db()
    assert theirs.read_at is None


@pytest.mark.parametrize("page_size", [1, 50])
def test_inbox_list_runs_one_query_whatever_the_page_size(api, cast, django_assert_num_queries, page_size):
    NotificationFactory.create_batch(60, recipient=cast.owner)
    client = api.as_user(cast.owner)
    # 1: SELECT the page (LIMIT page_size + 1) of the user's notifications; no COUNT(*).
    with django_assert_num_queries(1):
        response = client.get(reverse("api:notification-list"), {"page_size": page_size})
    assert len(response.json()["results"]) == page_size


@pytest.mark.parametrize("page_size", [1, 50])
def test_organisation_list_query_count_is_fixed(api, cast, django_assert_num_queries, page_size):
    client = api.as_user(cast.official)
    # 1: the official's membership and agency (scope); 2: COUNT(*); 3: SELECT the page.
    with django_assert_num_queries(3):
        client.get(reverse("api:organization-list"), {"page_size": page_size})


@pytest.mark.parametrize("page_size", [1, 200])
def test_country_list_query_count_is_fixed(api, db, django_assert_num_queries, page_size):
    # 1: COUNT(*); 2: SELECT the page.
    with django_assert_num_queries(2):
        api.get(reverse("api:country-list"), {"page_size": page_size})


# --- Preferences ----------------------------------------------------------------------------


def test_preferences_default_to_every_channel_and_can_be_changed(api, cast):
    client = api.as_user(cast.owner)
    rows = client.get(reverse("api:notification-preference-list")).json()
    assert {r["kind"] for r in rows} == set(NotificationKind.values)
    assert all(r["email"] and r["webhook"] for r in rows)
    url = reverse("api:notification-preference-detail", kwargs={"kind": "training"})
    response = client.put(url, {"email": False, "webhook": True})
    assert response.json() == {
        "kind": "training",
        "label": "培训通知",
        "email": False,
        "webhook": True,
        "mutable": True,
    }
    assert NotificationPreference.objects.get(user=cast.owner, kind="training").email is False


def test_risk_alerts_cannot_be_muted(api, cast):
    url = reverse("api:notification-preference-detail", kwargs={"kind": "risk_alert"})
    response = api.as_user(cast.owner).put(url, {"email": False, "webhook": True})
    assert response.status_code == 400
    assert not NotificationPreference.objects.filter(user=cast.owner).exists()


def test_an_unknown_preference_kind_is_a_404(api, cast):
    url = reverse("api:notification-preference-detail", kwargs={"kind": "nonsense"})
    assert api.as_user(cast.owner).put(url, {"email": True, "webhook": True}).status_code == 404


# --- Errors and throttling -------------------------------------------------------------------


def test_unknown_api_urls_answer_json_404(client, db):
    response = client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_anonymous_requests_are_throttled(api, db, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "3/minute"}}
    url = reverse("api:country-list")
    statuses = [api.get(url).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


def test_signed_in_users_are_not_throttled_as_anonymous(api, cast, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "1/minute"}}
    client = api.as_user(cast.owner)
    assert [client.get(reverse("api:country-list")).status_code for _ in range(3)] == [200, 200, 200]


def test_a_deactivated_user_cannot_get_a_token(api, db):
    user = UserFactory(is_active=False)
    response = api.post(reverse("api:auth-token"), {"username": user.username, "password": TEST_PASSWORD})
    assert response.status_code == 401
