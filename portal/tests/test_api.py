"""The API of the portal shell: auth, organisations and members, countries, the inbox."""

import datetime
import json
import re
import socket

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlsafe_base64_decode
from django.utils.translation import gettext
from rest_framework.authtoken.models import Token

from portal.api.authentication import PREPARED_NAME
from portal.choices import NotificationKind
from portal.models import AuditEvent, Delivery, Membership, Notification, NotificationPreference, Organization, User
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


def token_client(api, user):
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return api


def test_a_token_request_reads_token_user_membership_and_organisation_in_one_query(
    api, cast, django_assert_num_queries
):
    client = token_client(api, cast.official)
    # 1: the token with its user, membership and agency (scope); 2: COUNT(*); 3: SELECT the page.
    # DRF's TokenAuthentication read token and user, and the scope then read the membership: 4.
    with django_assert_num_queries(3):
        response = client.get(reverse("api:organization-list"), {"page_size": 50})
    assert response.status_code == 200
    assert len(response.json()["results"]) == Organization.objects.count()
    # 1: the token with everything /auth/me/ shows.
    with django_assert_num_queries(1):
        me = client.get(reverse("api:auth-me")).json()
    assert (me["organization"]["id"], me["is_official"], me["permissions"]) == (
        cast.agency.pk,
        True,
        ["review", "publish_risk", "organise_training"],
    )


def test_a_token_of_a_user_without_an_organisation_authenticates_in_one_query(api, cast, django_assert_num_queries):
    client = token_client(api, cast.talent)
    with django_assert_num_queries(1):
        me = client.get(reverse("api:auth-me")).json()
    assert (me["username"], me["organization"], me["role"]) == (cast.talent.username, None, None)


def test_the_token_query_loads_what_the_orm_loads(cast):
    from portal.api.authentication import token_with_membership

    def values(obj):
        return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}

    key = Token.objects.create(user=cast.owner).key
    token = token_with_membership(key)
    expected = Token.objects.select_related("user__membership__organization").get(key=key)
    assert values(token) == values(expected)
    assert values(token.user) == values(expected.user)
    assert values(token.user.org_membership) == values(expected.user.membership)
    assert values(token.user.org_membership.organization) == values(expected.user.membership.organization)
    assert token.user.membership is token.user.org_membership
    assert token.user.date_joined.tzinfo is not None
    assert token_with_membership("no-such-key") is None


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")
def test_the_token_query_is_prepared_once_per_session_and_again_after_a_reconnect(api, cast):
    client = token_client(api, cast.owner)

    def prepared():
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE name = %s", [PREPARED_NAME])
            return cursor.fetchone()[0]

    assert client.get(reverse("api:auth-me")).json()["username"] == cast.owner.username
    assert prepared() == 1
    connection.close()  # a new session knows nothing of the old one's statements
    assert prepared() == 0
    assert client.get(reverse("api:auth-me")).json()["username"] == cast.owner.username
    assert prepared() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")
def test_behind_a_transaction_pooler_the_token_query_is_not_prepared(api, cast):
    connection.close()
    before = connection.settings_dict.get("DISABLE_SERVER_SIDE_CURSORS", False)
    connection.settings_dict["DISABLE_SERVER_SIDE_CURSORS"] = True  # DB_TRANSACTION_POOLER=1
    try:
        client = token_client(api, cast.owner)
        assert client.get(reverse("api:auth-me")).json()["username"] == cast.owner.username
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_prepared_statements")
            assert cursor.fetchone()[0] == 0
    finally:
        connection.settings_dict["DISABLE_SERVER_SIDE_CURSORS"] = before


def test_a_revoked_token_is_a_401_with_drfs_message(api, cast):
    client = token_client(api, cast.owner)
    assert client.get(reverse("api:auth-me")).status_code == 200
    Token.objects.filter(user=cast.owner).delete()
    response = client.get(reverse("api:auth-me"))
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Token"
    assert response.json() == {"detail": gettext("Invalid token.")}
    assert response.json()["detail"] != "Invalid token."  # translated by DRF's catalogue


def test_the_token_of_a_deactivated_user_is_a_401(api, cast):
    client = token_client(api, cast.colleague)
    User.objects.filter(pk=cast.colleague.pk).update(is_active=False)
    response = client.get(reverse("api:notification-list"))
    assert response.status_code == 401
    assert response.json() == {"detail": gettext("User inactive or deleted.")}


def test_a_malformed_token_header_is_a_401_as_in_drf(api, db):
    api.credentials(HTTP_AUTHORIZATION="Token")
    response = api.get(reverse("api:auth-me"))
    assert response.status_code == 401
    assert response.json() == {"detail": gettext("Invalid token header. No credentials provided.")}


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


def test_organisation_admin_sees_the_webhook_secret_hint_and_colleagues_do_not(api, cast):
    # The secret itself only in the sign-up and rotation answers (test_webhook_secret.py).
    url = reverse("api:organization-detail", kwargs={"pk": cast.enterprise.pk})
    owner = api.as_user(cast.owner).get(url).json()
    assert (owner["webhook_secret"], owner["webhook_secret_hint"]) == (
        None,
        "••••" + cast.enterprise.webhook_secret[-4:],
    )
    assert api.as_user(cast.colleague).get(url).json()["webhook_secret_hint"] is None
    assert api.as_user(cast.official).get(url).json()["webhook_secret_hint"] is None


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
    api, cast, mailoutbox, django_capture_on_commit_callbacks, tasks_run_here
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


def test_the_set_password_link_is_made_when_the_email_is_sent_and_stored_nowhere(
    api, cast, mailoutbox, settings, django_capture_on_commit_callbacks, tasks_run_here
):
    url = reverse("api:organization-members", kwargs={"pk": cast.enterprise.pk})
    with django_capture_on_commit_callbacks(execute=True):
        response = api.as_user(cast.owner).post(url, {"username": "newhire", "email": "newhire@example.cn"})
    assert response.status_code == 201, response.content

    user = User.objects.get(username="newhire")
    (message,) = mailoutbox
    assert message.to == ["newhire@example.cn"]
    assert message.subject == "设置您的走出去服务平台密码"
    assert "newhire" in message.body and cast.enterprise.name in message.body
    link = re.search(
        re.escape(settings.SITE_URL) + r"/password/reset/(?P<uid>[^/\s]+)/(?P<token>[^/\s]+)/", message.body
    )
    assert link, message.body
    assert urlsafe_base64_decode(link["uid"]).decode() == str(user.pk)
    assert default_token_generator.check_token(user, link["token"])
    # The inbox (and the admin, and webhooks) get the notification without the token.
    notification = Notification.objects.get(recipient=user)
    assert notification.kind == NotificationKind.ACCOUNT
    assert notification.url == reverse("portal:password_reset")
    assert link["token"] not in notification.body + notification.url


def test_adding_a_member_while_the_mail_server_is_down_saves_the_member_and_queues_the_email(
    api, cast, settings, celery_broker, django_capture_on_commit_callbacks
):
    with socket.socket() as probe:  # a port nothing listens on: the mail server is down
        probe.bind(("127.0.0.1", 0))
        settings.EMAIL_PORT = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_TIMEOUT, settings.EMAIL_USE_TLS, settings.EMAIL_USE_SSL = "127.0.0.1", 2, 0, 0
    url = reverse("api:organization-members", kwargs={"pk": cast.enterprise.pk})

    with django_capture_on_commit_callbacks(execute=True):
        response = api.as_user(cast.owner).post(url, {"username": "newhire", "email": "newhire@example.cn"})

    assert response.status_code == 201, response.content
    user = User.objects.get(username="newhire")
    assert user.organization == cast.enterprise
    # The e-mail waits in the outbox for a worker, which retries it while the server is down.
    delivery = Delivery.objects.get(notification__recipient=user)
    assert (delivery.channel, delivery.status, delivery.attempts) == ("email", "queued", 0)
    assert delivery.enqueued_at is not None


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
    assert response.json() == {"detail": "未找到。"}


def test_anonymous_requests_are_throttled(api, db, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "3/minute"}}
    url = reverse("api:country-list")
    statuses = [api.get(url).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


def test_a_made_up_forwarded_address_does_not_escape_the_throttle(api, db, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "2/minute"}}
    url = reverse("api:country-list")
    statuses = [api.get(url, headers={"X-Forwarded-For": f"10.0.0.{n}"}).status_code for n in range(3)]
    assert statuses == [200, 200, 429]


def test_behind_a_proxy_the_throttle_counts_the_address_the_proxy_saw(api, db, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "1/minute"},
        "NUM_PROXIES": 1,
    }
    url = reverse("api:country-list")
    # The proxy appends the address it saw; whatever the client sent before it is ignored.
    first = api.get(url, headers={"X-Forwarded-For": "1.2.3.4, 10.0.0.1"}).status_code
    same_client = api.get(url, headers={"X-Forwarded-For": "5.6.7.8, 10.0.0.1"}).status_code
    other_client = api.get(url, headers={"X-Forwarded-For": "10.0.0.2"}).status_code
    assert (first, same_client, other_client) == (200, 429, 200)


def test_signed_in_users_are_not_throttled_as_anonymous(api, cast, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "1/minute"}}
    client = api.as_user(cast.owner)
    assert [client.get(reverse("api:country-list")).status_code for _ in range(3)] == [200, 200, 200]


def test_a_deactivated_user_cannot_get_a_token(api, db):
    user = UserFactory(is_active=False)
    response = api.post(reverse("api:auth-token"), {"username": user.username, "password": TEST_PASSWORD})
    assert response.status_code == 401


def test_api_errors_stay_json_with_the_portals_headers(api, db):
    response = api.get(reverse("api:auth-me"))
    assert response.status_code == 401
    assert response.headers["Content-Type"] == "application/json"
    assert response.json() == {"detail": gettext("Authentication credentials were not provided.")}
    assert response.headers["Content-Language"] == "zh-hans"
    assert "Accept-Language" in response.headers["Vary"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    response = api.delete(reverse("api:country-list"))
    assert response.status_code == 405
    assert response.headers["Content-Type"] == "application/json"
    assert set(response.json()) == {"detail"}


def test_the_api_answers_in_chinese_after_an_english_page_on_the_same_thread(api, client, db):
    assert client.get("/en/").headers["Content-Language"] == "en"
    response = api.get(reverse("api:auth-me"))
    assert response.headers["Content-Language"] == "zh-hans"
    assert response.json()["detail"] == "未提供身份认证信息，请先登录或携带 API 令牌。"


def test_session_authenticated_api_writes_still_need_the_csrf_token(cast, db):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.owner)
    url = reverse("api:notification-read-all")
    refused = client.post(url)
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    client.get(reverse("portal:inbox"))  # the page sets the CSRF cookie
    accepted = client.post(url, headers={"X-CSRFToken": client.cookies["csrftoken"].value})
    assert accepted.status_code == 200


def test_the_browsable_api_still_renders_for_browsers(client, db):
    response = client.get(reverse("api:country-list"), headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    body = response.content.decode()
    assert "Django REST framework" in body
    assert "&quot;code&quot;: &quot;AD&quot;" in body  # the JSON, indented
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


# --- The JSON renderer ------------------------------------------------------------------------


def test_the_json_renderer_writes_what_drfs_wrote():
    import datetime
    from decimal import Decimal
    from zoneinfo import ZoneInfo

    from django.utils.translation import gettext_lazy
    from rest_framework.renderers import JSONRenderer as DRFJSONRenderer
    from rest_framework.utils.serializer_helpers import ReturnDict

    from portal.api.renderers import JSONRenderer
    from portal.choices import OrganizationKind

    shanghai = ZoneInfo("Asia/Shanghai")
    data = ReturnDict(
        {
            "id": 7,
            "name": '肯尼亚蒙巴萨港口扩建项目 \u2028 "quoted"',
            "value": Decimal("123456789.10"),
            "rate": 0.125,
            "at_utc": datetime.datetime(2026, 11, 21, 2, 0, 0, 123456, tzinfo=datetime.UTC),
            "at_local": datetime.datetime(2026, 11, 21, 10, 0, 0, 123456, tzinfo=shanghai),
            "on": datetime.date(2026, 11, 21),
            "label": gettext_lazy("海外项目库"),
            "kind": OrganizationKind.AGENCY,
            "rows": ({"a": None, "b": True}, [1, 2]),
        },
        serializer=None,
    )
    ours, drfs = JSONRenderer().render(data), DRFJSONRenderer().render(data)
    assert json.loads(ours) == json.loads(drfs)
    assert ours.replace("\u2028".encode(), b"\\u2028") == drfs  # DRF escapes U+2028; both are JSON
    assert json.loads(ours)["value"] == 123456789.1  # DRF's encoder writes a raw Decimal as a number
    assert json.loads(ours)["at_utc"] == "2026-11-21T02:00:00.123456Z"
    assert json.loads(ours)["at_local"] == "2026-11-21T10:00:00.123456+08:00"
    # What orjson refuses (integer keys, integers beyond 64 bits) DRF's renderer writes.
    odd = {1: "one", "big": 2**70}
    assert JSONRenderer().render(odd) == DRFJSONRenderer().render(odd)


def test_serialised_datetimes_reach_the_client_as_before(api, cast):
    note = NotificationFactory(recipient=cast.owner)
    body = api.as_user(cast.owner).get(reverse("api:notification-detail", kwargs={"pk": note.pk})).json()
    assert body["created_at"] == timezone.localtime(note.created_at).isoformat()


def test_the_inbox_leaves_its_times_to_orjson_and_writes_what_drf_writes(api, cast):
    note = NotificationFactory(recipient=cast.owner)
    Notification.objects.filter(pk=note.pk).update(read_at=note.created_at.replace(microsecond=0))
    client = api.as_user(cast.owner)
    response = client.get(reverse("api:notification-list"))
    (row,) = response.data["results"]
    assert isinstance(row["created_at"], datetime.datetime)  # written by the renderer
    (written,) = response.json()["results"]
    assert written["created_at"] == timezone.localtime(note.created_at).isoformat()
    assert written["read_at"] == timezone.localtime(note.created_at.replace(microsecond=0)).isoformat()
    assert written["acknowledged_at"] is None
    with timezone.override("UTC"):
        assert client.get(reverse("api:notification-list")).json()["results"][0]["read_at"].endswith("Z")
    browsable = client.get(reverse("api:notification-list"), headers={"Accept": "text/html"})
    assert isinstance(browsable.data["results"][0]["created_at"], str)


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "UTC", "America/Sao_Paulo"])
def test_datetime_text_writes_what_drfs_datetime_field_writes(zone):
    import datetime

    from rest_framework import serializers

    from portal.api.serializers import datetime_text

    field = serializers.DateTimeField()
    values = [
        datetime.datetime(2026, 11, 21, 2, 0, 0, tzinfo=datetime.UTC),
        datetime.datetime(2026, 3, 9, 23, 59, 59, 999999, tzinfo=datetime.UTC),
        datetime.datetime(2026, 11, 21, 10, 0, 0),  # noqa: DTZ001 - naive: DRF makes it aware in the current zone
    ]
    with timezone.override(zone):
        tz = timezone.get_current_timezone()
        assert [datetime_text(value, tz) for value in values] == [field.to_representation(v) for v in values]
        assert datetime_text(None, tz) is None


def test_the_cache_keeps_one_redis_client_for_the_throttle():
    from django.core.cache import caches

    from portal.cache import RedisCache

    cache = caches["default"]
    if not isinstance(cache, RedisCache):
        pytest.skip("the cache is Redis only when REDIS_URL is set (make test)")
    client = cache._cache.get_client()
    assert cache._cache.get_client(write=True) is client
    cache.set("history", [1.5, 2.5], 10)
    assert cache.get("history") == [1.5, 2.5]


def test_the_api_answers_in_the_language_the_request_accepts(api, db):
    english = api.get(reverse("api:auth-me"), HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    assert english.headers["Content-Language"] == "en"
    assert english.json()["detail"] == "Authentication credentials were not provided."
    unknown = api.get(reverse("api:auth-me"), HTTP_ACCEPT_LANGUAGE="fr-FR,de;q=0.8")
    assert unknown.headers["Content-Language"] == "zh-hans"
    chinese = api.get(reverse("api:auth-me"), HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9,en;q=0.5")
    assert chinese.headers["Content-Language"] == "zh-hans"
    assert chinese.json()["detail"] == "未提供身份认证信息，请先登录或携带 API 令牌。"


def test_the_portals_own_messages_follow_accept_language_too(api, db):
    payload = signup_payload(credit_code="91420500")
    english = api.post(reverse("api:auth-signup"), payload, format="json", HTTP_ACCEPT_LANGUAGE="en")
    chinese = api.post(reverse("api:auth-signup"), payload, format="json")
    assert english.status_code == chinese.status_code == 400
    assert chinese.json()["organization"]["credit_code"] == ["统一社会信用代码应为18位。"]
    assert english.json()["organization"]["credit_code"] == ["The unified social credit code must have 18 characters."]
    assert not Organization.objects.exists()


def test_validation_messages_read_as_the_portal_writes_them_not_word_for_word(api, db):
    taken = signup_payload()
    assert api.post(reverse("api:auth-signup"), taken, format="json").status_code == 201
    again = signup_payload(username="another")
    again["organization"]["credit_code"] = taken["organization"]["credit_code"]
    again["organization"]["name"] = "x" * 300
    response = api.post(reverse("api:auth-signup"), again, format="json")
    assert response.status_code == 400
    errors = response.json()["organization"]
    assert errors["credit_code"] == ["已有组织使用此统一社会信用代码。"]
    assert errors["name"] == ["最多 200 个字符。"]
