"""The portal shell's pages: who may open them, sign-up, the inbox, preferences, the organisation
page, countries, errors and the English site."""

import re

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.views.generic import DetailView

from portal import services, views
from portal.choices import MembershipRole, NotificationKind, OrganizationKind
from portal.models import Membership, Notification, NotificationPreference, Organization, User
from portal.testing.cast import Cast
from portal.testing.factories import TEST_PASSWORD, NotificationFactory, member, valid_credit_code
from portal.viewmixins import ScopedQuerysetMixin, get_editable_or_403, get_scoped_or_404

SIGNED_IN_ROLES = [role for role in Cast.ROLES if role != "anonymous"]
PUBLIC_PAGES = [
    "portal:home",
    "portal:countries",
    "projects:list",
    "portal:suppliers",
    "portal:talent",
    "portal:risk",
]
PRIVATE_PAGES = ["portal:inbox", "portal:preferences", "portal:organization"]


@pytest.fixture
def as_user(client):
    """`as_user(user)` signs the test client in as `user` (None stays anonymous)."""

    def sign_in(user):
        if user is not None:
            client.force_login(user)
        return client

    return sign_in


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


# --- Who may open which page ----------------------------------------------------------------


@pytest.mark.parametrize("page", PUBLIC_PAGES)
@pytest.mark.parametrize("role", Cast.ROLES)
def test_public_pages_answer_everyone(cast, as_user, role, page):
    response = as_user(cast.user(role)).get(reverse(page))
    assert response.status_code == 200
    assert "走出去企业服务平台" in response.content.decode()


@pytest.mark.parametrize("page", PRIVATE_PAGES)
@pytest.mark.parametrize("role", SIGNED_IN_ROLES)
def test_private_pages_answer_every_signed_in_role(cast, as_user, role, page):
    assert as_user(cast.user(role)).get(reverse(page)).status_code == 200


@pytest.mark.parametrize("page", [*PRIVATE_PAGES, "portal:member_add"])
def test_private_pages_send_anonymous_users_to_login(client, db, page):
    url = reverse(page)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('portal:login')}?next={url}"


@pytest.mark.parametrize("page", ["portal:login", "portal:signup", "portal:password_reset"])
def test_account_pages_answer_anonymous_users(client, db, page):
    assert client.get(reverse(page)).status_code == 200


def test_placeholder_pages_say_what_the_part_will_hold_and_that_it_is_being_built(client, db):
    body = client.get(reverse("portal:risk")).content.decode()
    assert "典型负面案例清单" in body
    assert "建设中" in body


def test_home_page_names_what_the_portal_offers(client, db):
    body = client.get(reverse("portal:home")).content.decode()
    for word in ["政策", "市场", "金融", "项目", "人才", "风控", "税务", "法务"]:
        assert word in body
    for page in ["projects:list", "portal:suppliers", "portal:talent", "portal:risk"]:
        assert f'href="{reverse(page)}"' in body


def test_home_page_shows_a_signed_in_user_their_unread_and_pending_alerts(cast, as_user):
    NotificationFactory(recipient=cast.owner)
    NotificationFactory(recipient=cast.owner, kind=NotificationKind.RISK_ALERT, requires_ack=True)
    NotificationFactory(recipient=cast.colleague)
    response = as_user(cast.owner).get(reverse("portal:home"))
    assert response.context["counts"] == {"unread": 2, "pending_ack": 1}
    assert cast.enterprise.name in response.content.decode()


def test_header_shows_the_unread_badge_only_when_something_is_unread(cast, as_user):
    client = as_user(cast.owner)
    assert 'data-testid="unread-badge"' not in client.get(reverse("portal:home")).content.decode()
    NotificationFactory(recipient=cast.owner)
    assert 'data-testid="unread-badge"' in client.get(reverse("portal:home")).content.decode()


def test_logout_is_a_post_that_signs_the_user_out(cast, as_user):
    client = as_user(cast.owner)
    assert client.get(reverse("portal:logout")).status_code == 405
    assert client.post(reverse("portal:logout")).status_code == 302
    assert client.get(reverse("portal:inbox")).status_code == 302


# --- Sign-up --------------------------------------------------------------------------------


def signup_data(**overrides) -> dict:
    data = {
        "name": "湖北江汉海外工程有限公司",
        "name_en": "Hubei Jianghan Overseas Engineering Co., Ltd.",
        "kind": OrganizationKind.ENTERPRISE,
        "credit_code": valid_credit_code(),
        "province": "湖北省",
        "city": "武汉市",
        "contact_email": "office@jianghan.example.cn",
        "username": "jianghan-admin",
        "display_name": "王经理",
        "email": "wang@jianghan.example.cn",
        "password1": "Jianghan-overseas-2026",
        "password2": "Jianghan-overseas-2026",
    }
    data.update(overrides)
    return data


def test_signup_creates_the_organisation_and_its_admin_and_signs_them_in(client, db):
    response = client.post(reverse("portal:signup"), signup_data())
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:inbox")
    org = Organization.objects.get(name="湖北江汉海外工程有限公司")
    user = User.objects.get(username="jianghan-admin")
    assert user.check_password("Jianghan-overseas-2026")
    assert Membership.objects.get(user=user).organization == org
    assert user.is_org_admin
    inbox = client.get(reverse("portal:inbox"))
    assert inbox.context["user"] == user
    assert "欢迎加入走出去企业服务平台" in inbox.content.decode()


def test_signup_registers_a_supplier_too(client, db):
    client.post(reverse("portal:signup"), signup_data(kind=OrganizationKind.SUPPLIER))
    assert Organization.objects.get(name="湖北江汉海外工程有限公司").kind == OrganizationKind.SUPPLIER


def test_signup_cannot_register_an_agency(client, db):
    response = client.post(reverse("portal:signup"), signup_data(kind=OrganizationKind.AGENCY))
    assert response.status_code == 200
    assert response.context["form"].errors["kind"]
    assert not Organization.objects.exists()


def _wrong_check_char(code: str) -> str:
    return code[:17] + ("0" if code[17] != "0" else "1")


@pytest.mark.parametrize(
    ("overrides", "field", "expected"),
    [
        ({"credit_code": "91420100MA4K"}, "credit_code", "统一社会信用代码应为18位"),
        ({"credit_code": _wrong_check_char(valid_credit_code(4242))}, "credit_code", "校验位不正确"),
        ({"password1": "12345678", "password2": "12345678"}, "password1", None),
        ({"password1": "password", "password2": "password"}, "password1", None),
        ({"password2": "Something-else-2026"}, "password2", "两次输入的密码不一致"),
        ({"contact_email": "not-an-address"}, "contact_email", None),
        ({"name": ""}, "name", None),
    ],
    ids=["short-credit-code", "bad-check-char", "numeric-password", "common-password", "mismatch", "email", "name"],
)
def test_signup_with_bad_input_shows_the_fields_message_and_creates_nothing(client, db, overrides, field, expected):
    response = client.post(reverse("portal:signup"), signup_data(**overrides))
    assert response.status_code == 200
    errors = response.context["form"].errors[field]
    assert errors
    if expected:
        assert any(expected in error for error in errors)
    body = response.content.decode()
    for error in errors:
        assert f'<p class="field__error">{escape(error)}</p>' in body
    assert not Organization.objects.exists()
    assert not User.objects.exists()


def test_signup_with_a_taken_username_shows_the_message_and_creates_nothing(cast, client):
    orgs, users = Organization.objects.count(), User.objects.count()
    response = client.post(reverse("portal:signup"), signup_data(username=cast.owner.username.upper()))
    assert response.status_code == 200
    assert any("该用户名已被使用" in error for error in response.context["form"].errors["username"])
    assert (Organization.objects.count(), User.objects.count()) == (orgs, users)


def test_signup_with_a_registered_credit_code_shows_the_message_and_creates_nothing(cast, client):
    orgs, users = Organization.objects.count(), User.objects.count()
    response = client.post(reverse("portal:signup"), signup_data(credit_code=cast.enterprise.credit_code.lower()))
    assert response.status_code == 200
    assert response.context["form"].errors["credit_code"]
    assert (Organization.objects.count(), User.objects.count()) == (orgs, users)


# --- Sign-in and passwords ------------------------------------------------------------------


def test_login_page_signs_a_user_in_and_links_to_password_reset(cast, client):
    page = client.get(reverse("portal:login")).content.decode()
    assert f'href="{reverse("portal:password_reset")}"' in page
    response = client.post(reverse("portal:login"), {"username": cast.owner.username, "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("portal:inbox")).status_code == 200


def test_login_with_a_wrong_password_says_so(cast, client):
    response = client.post(reverse("portal:login"), {"username": cast.owner.username, "password": "wrong"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()


def test_repeated_failed_logins_show_the_lockout_page(cast, client, settings):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        response = client.post(reverse("portal:login"), {"username": cast.owner.username, "password": "wrong"})
    assert response.status_code == 429
    body = response.content.decode()
    assert "账号已暂时锁定" in body
    assert "15 分钟" in body
    # Even the right password is refused while the lock lasts.
    response = client.post(reverse("portal:login"), {"username": cast.owner.username, "password": TEST_PASSWORD})
    assert response.status_code == 429


def test_password_reset_mails_a_link_that_sets_a_new_password(cast, client):
    response = client.post(reverse("portal:password_reset"), {"email": cast.owner.email})
    assert response["Location"] == reverse("portal:password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "重置您的走出去企业服务平台密码"
    link = re.search(r"http://testserver(/password/reset/\S+/)", message.body).group(1)
    form_page = client.get(link, follow=True)
    assert form_page.context["validlink"]
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "Brand-new-pass-2026", "new_password2": "Brand-new-pass-2026"},
    )
    assert done["Location"] == reverse("portal:password_reset_complete")
    cast.owner.refresh_from_db()
    assert cast.owner.check_password("Brand-new-pass-2026")


def test_password_reset_with_a_bad_link_says_the_link_is_invalid(cast, client):
    response = client.get(reverse("portal:password_reset_confirm", kwargs={"uidb64": "MQ", "token": "bad-token"}))
    assert response.status_code == 200
    assert not response.context["validlink"]
    assert "此链接无效" in response.content.decode()


# --- Inbox ----------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 20])
def test_inbox_page_makes_the_same_queries_for_1_and_20_notifications(cast, as_user, django_assert_num_queries, count):
    NotificationFactory.create_batch(count, recipient=cast.owner)
    client = as_user(cast.owner)
    # 1 session, 2 user, 3 membership with organisation (the header's org name), 4 unread count
    # (the header's badge), 5 paginator count, 6 the page of notifications.
    with django_assert_num_queries(6):
        response = client.get(reverse("portal:inbox"))
    assert len(response.context["notifications"]) == count


def test_inbox_shows_only_the_users_notifications_newest_first(cast, as_user):
    older = NotificationFactory(recipient=cast.owner, title="较早的通知")
    newer = NotificationFactory(recipient=cast.owner, title="较新的通知")
    NotificationFactory(recipient=cast.colleague, title="同事的通知")
    response = as_user(cast.owner).get(reverse("portal:inbox"))
    assert list(response.context["notifications"]) == [newer, older]
    assert "同事的通知" not in response.content.decode()


def test_inbox_pages_by_twenty(cast, as_user):
    NotificationFactory.create_batch(25, recipient=cast.owner)
    client = as_user(cast.owner)
    assert len(client.get(reverse("portal:inbox")).context["notifications"]) == 20
    assert len(client.get(reverse("portal:inbox") + "?page=2").context["notifications"]) == 5


def test_inbox_filters_by_kind_and_unread(cast, as_user):
    alert = NotificationFactory(recipient=cast.owner, kind=NotificationKind.RISK_ALERT)
    read = NotificationFactory(recipient=cast.owner, read_at=timezone.now())
    unread = NotificationFactory(recipient=cast.owner)
    client = as_user(cast.owner)
    url = reverse("portal:inbox")
    assert list(client.get(url + "?kind=risk_alert").context["notifications"]) == [alert]
    assert list(client.get(url + "?unread=true").context["notifications"]) == [unread, alert]
    assert list(client.get(url + "?unread=false").context["notifications"]) == [read]
    assert list(client.get(url + "?kind=system&unread=true").context["notifications"]) == [unread]


def test_inbox_has_an_empty_state(cast, as_user):
    assert "暂无通知" in as_user(cast.owner).get(reverse("portal:inbox")).content.decode()


def test_marking_a_notification_read_records_the_time(cast, as_user):
    notification = NotificationFactory(recipient=cast.owner)
    response = as_user(cast.owner).post(reverse("portal:notification_read", args=[notification.pk]), follow=True)
    notification.refresh_from_db()
    assert notification.read_at is not None
    assert "已标记为已读。" in messages_of(response)


def test_marking_read_returns_to_the_filtered_inbox_page(cast, as_user):
    notification = NotificationFactory(recipient=cast.owner)
    back = reverse("portal:inbox") + "?kind=system"
    response = as_user(cast.owner).post(reverse("portal:notification_read", args=[notification.pk]), {"next": back})
    assert response["Location"] == back


def test_marking_read_does_not_redirect_to_another_site(cast, as_user):
    notification = NotificationFactory(recipient=cast.owner)
    response = as_user(cast.owner).post(
        reverse("portal:notification_read", args=[notification.pk]), {"next": "https://evil.example.com/"}
    )
    assert response["Location"] == reverse("portal:inbox")


@pytest.mark.parametrize("action", ["portal:notification_read", "portal:notification_acknowledge"])
@pytest.mark.parametrize("role", ["colleague", "outsider", "official"])
def test_another_users_notification_is_not_found(cast, as_user, role, action):
    notification = NotificationFactory(recipient=cast.owner, requires_ack=True)
    response = as_user(cast.user(role)).post(reverse(action, args=[notification.pk]))
    assert response.status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None
    assert notification.acknowledged_at is None


@pytest.mark.parametrize("action", ["portal:notification_read", "portal:notification_acknowledge"])
def test_notification_actions_are_posts(cast, as_user, action):
    notification = NotificationFactory(recipient=cast.owner, requires_ack=True)
    assert as_user(cast.owner).get(reverse(action, args=[notification.pk])).status_code == 405


def test_anonymous_users_cannot_mark_notifications(cast, client):
    notification = NotificationFactory(recipient=cast.owner)
    response = client.post(reverse("portal:notification_read", args=[notification.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("portal:login"))
    notification.refresh_from_db()
    assert notification.read_at is None


def test_acknowledging_an_alert_records_acknowledgement_and_reading(cast, as_user):
    alert = NotificationFactory(recipient=cast.owner, kind=NotificationKind.RISK_ALERT, requires_ack=True)
    client = as_user(cast.owner)
    page = client.get(reverse("portal:inbox")).content.decode()
    assert reverse("portal:notification_acknowledge", args=[alert.pk]) in page
    response = client.post(reverse("portal:notification_acknowledge", args=[alert.pk]), follow=True)
    alert.refresh_from_db()
    assert alert.acknowledged_at is not None
    assert alert.read_at is not None
    assert "已确认收到。" in messages_of(response)
    assert reverse("portal:notification_acknowledge", args=[alert.pk]) not in response.content.decode()


def test_acknowledging_a_notification_that_needs_no_acknowledgement_shows_an_error_and_changes_nothing(cast, as_user):
    notification = NotificationFactory(recipient=cast.owner, requires_ack=False)
    client = as_user(cast.owner)
    assert reverse("portal:notification_acknowledge", args=[notification.pk]) not in (
        client.get(reverse("portal:inbox")).content.decode()
    )
    response = client.post(reverse("portal:notification_acknowledge", args=[notification.pk]), follow=True)
    assert any("此通知无需确认" in message for message in messages_of(response))
    notification.refresh_from_db()
    assert notification.acknowledged_at is None
    assert notification.read_at is None


def test_mark_all_read_marks_only_the_users_notifications(cast, as_user):
    NotificationFactory.create_batch(3, recipient=cast.owner)
    theirs = NotificationFactory(recipient=cast.colleague)
    response = as_user(cast.owner).post(reverse("portal:notifications_read_all"), follow=True)
    assert not Notification.objects.filter(recipient=cast.owner, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert "已将 3 条通知标记为已读。" in messages_of(response)
    assert 'data-testid="unread-badge"' not in response.content.decode()


# --- Preferences ----------------------------------------------------------------------------


def test_preferences_page_lists_every_kind_with_risk_alerts_locked_on(cast, as_user):
    response = as_user(cast.owner).get(reverse("portal:preferences"))
    body = response.content.decode()
    for _kind, label in NotificationKind.choices:
        assert str(label) in body
    assert re.search(r'<input type="checkbox" name="risk_alert_email"[^>]*disabled', body)
    assert re.search(r'<input type="checkbox" name="risk_alert_email"[^>]*checked', body)
    assert not re.search(r'<input type="checkbox" name="training_email"[^>]*disabled', body)


def test_saving_preferences_mutes_the_unticked_channels(cast, as_user):
    data = {f"{kind}_{channel}": "on" for kind in NotificationKind.values for channel in ("email", "webhook")}
    del data["training_email"]
    response = as_user(cast.owner).post(reverse("portal:preferences"), data, follow=True)
    assert "通知设置已保存。" in messages_of(response)
    pref = NotificationPreference.objects.get(user=cast.owner, kind=NotificationKind.TRAINING)
    assert (pref.email, pref.webhook) == (False, True)
    # Only the changed kind is written.
    assert NotificationPreference.objects.filter(user=cast.owner).count() == 1


def test_preferences_cannot_mute_risk_alerts(cast, as_user):
    response = as_user(cast.owner).post(reverse("portal:preferences"), {}, follow=True)
    assert response.status_code == 200
    rows = {row["kind"]: row for row in services.preferences_for(cast.owner)}
    assert (rows["risk_alert"]["email"], rows["risk_alert"]["webhook"]) == (True, True)
    assert (rows["training"]["email"], rows["training"]["webhook"]) == (False, False)


# --- Organisation ---------------------------------------------------------------------------


def test_organisation_page_shows_details_and_members(cast, as_user):
    body = as_user(cast.colleague).get(reverse("portal:organization")).content.decode()
    assert cast.enterprise.name in body
    assert cast.enterprise.credit_code in body
    assert cast.owner.username in body
    assert cast.colleague.username in body
    assert cast.outsider.username not in body


def test_only_admins_see_the_webhook_secret_and_the_forms(cast, as_user, client):
    admin_page = as_user(cast.owner).get(reverse("portal:organization")).content.decode()
    assert cast.enterprise.webhook_secret in admin_page
    assert reverse("portal:member_add") in admin_page
    client.logout()
    member_page = as_user(cast.colleague).get(reverse("portal:organization")).content.decode()
    assert cast.enterprise.webhook_secret not in member_page
    assert reverse("portal:member_add") not in member_page


def test_a_user_without_an_organisation_sees_an_empty_state(cast, as_user):
    assert "您尚未加入任何组织" in as_user(cast.talent).get(reverse("portal:organization")).content.decode()


def organization_data(org, **overrides) -> dict:
    data = {field: getattr(org, field) for field in ("name", "name_en", "province", "city", "contact_email")}
    data["webhook_url"] = ""
    data.update(overrides)
    return data


def test_admin_updates_the_organisation(cast, as_user):
    data = organization_data(cast.enterprise, name="湖北楚天国际工程集团", webhook_url="https://hooks.example.cn/p")
    response = as_user(cast.owner).post(reverse("portal:organization"), data, follow=True)
    assert "组织信息已保存。" in messages_of(response)
    cast.enterprise.refresh_from_db()
    assert cast.enterprise.name == "湖北楚天国际工程集团"
    assert cast.enterprise.webhook_url == "https://hooks.example.cn/p"


def test_organisation_update_with_bad_input_shows_the_error(cast, as_user):
    data = organization_data(cast.enterprise, contact_email="nope")
    response = as_user(cast.owner).post(reverse("portal:organization"), data)
    assert response.status_code == 200
    assert response.context["form"].errors["contact_email"]
    cast.enterprise.refresh_from_db()
    assert cast.enterprise.contact_email != "nope"


def test_organisation_update_refused_by_the_model_shows_the_error_next_to_the_field(cast, as_user):
    # The form takes any URL; the model accepts only http(s) webhooks.
    data = organization_data(cast.enterprise, webhook_url="ftp://hooks.example.cn/")
    response = as_user(cast.owner).post(reverse("portal:organization"), data)
    assert response.status_code == 200
    assert response.context["form"].errors["webhook_url"]
    cast.enterprise.refresh_from_db()
    assert cast.enterprise.webhook_url == ""


def test_colleague_cannot_update_the_organisation(cast, as_user):
    data = organization_data(cast.enterprise, name="改名")
    assert as_user(cast.colleague).post(reverse("portal:organization"), data).status_code == 403
    cast.enterprise.refresh_from_db()
    assert cast.enterprise.name != "改名"


def member_data(**overrides) -> dict:
    return {
        "username": "new-colleague",
        "email": "new@chutian.example.cn",
        "display_name": "李工",
        "role": "member",
    } | (overrides)


def test_admin_adds_a_member_who_is_mailed_a_password_link(
    cast, as_user, django_capture_on_commit_callbacks, tasks_run_here
):
    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(cast.owner).post(reverse("portal:member_add"), member_data(), follow=True)
    membership = Membership.objects.get(user__username="new-colleague")
    assert membership.organization == cast.enterprise
    assert membership.role == MembershipRole.MEMBER
    assert any("new@chutian.example.cn" in message for message in messages_of(response))
    assert mail.outbox[0].to == ["new@chutian.example.cn"]


def test_colleague_cannot_add_a_member(cast, as_user):
    response = as_user(cast.colleague).post(reverse("portal:member_add"), member_data(), follow=True)
    assert any("只有本组织管理员可以管理成员" in message for message in messages_of(response))
    assert not User.objects.filter(username="new-colleague").exists()


def test_adding_a_member_with_a_taken_username_shows_the_error(cast, as_user):
    response = as_user(cast.owner).post(reverse("portal:member_add"), member_data(username=cast.outsider.username))
    assert response.status_code == 200
    assert any("该用户名已被使用" in error for error in response.context["member_form"].errors["username"])


def test_removing_a_member_asks_for_confirmation_first(cast, as_user):
    membership = cast.colleague.membership
    response = as_user(cast.owner).get(reverse("portal:member_remove", args=[membership.pk]))
    assert response.status_code == 200
    assert "确定移除" in response.content.decode()
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_admin_removes_a_member_with_the_confirmation_post(cast, as_user):
    membership = cast.colleague.membership
    response = as_user(cast.owner).post(reverse("portal:member_remove", args=[membership.pk]), follow=True)
    assert any("已移除成员" in message for message in messages_of(response))
    assert not Membership.objects.filter(pk=membership.pk).exists()
    cast.colleague.refresh_from_db()
    assert not cast.colleague.is_active


def test_colleague_cannot_remove_a_member(cast, as_user):
    other = member(cast.enterprise)
    response = as_user(cast.colleague).post(reverse("portal:member_remove", args=[other.membership.pk]), follow=True)
    assert any("只有本组织管理员可以管理成员" in message for message in messages_of(response))
    assert Membership.objects.filter(user=other).exists()


@pytest.mark.parametrize("role", ["outsider", "official"])
def test_members_of_another_organisation_are_not_found(cast, as_user, role):
    membership = cast.colleague.membership
    client = as_user(cast.user(role))
    assert client.get(reverse("portal:member_remove", args=[membership.pk])).status_code == 404
    assert client.post(reverse("portal:member_remove", args=[membership.pk])).status_code == 404
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_the_last_admin_cannot_be_removed(cast, as_user):
    membership = cast.owner.membership
    response = as_user(cast.owner).post(reverse("portal:member_remove", args=[membership.pk]), follow=True)
    assert any("最后一位管理员" in message for message in messages_of(response))
    assert Membership.objects.filter(pk=membership.pk).exists()


# --- Scoping helpers ------------------------------------------------------------------------


class OrganizationEditView(ScopedQuerysetMixin, DetailView):
    model = Organization
    write = True


def scoped_object(view_class, user, pk):
    request = RequestFactory().get("/")
    request.user = user
    view = view_class()
    view.setup(request, pk=pk)
    return view.get_object()


def test_scoped_write_view_gets_a_record_its_user_may_change(cast):
    assert scoped_object(OrganizationEditView, cast.owner, cast.enterprise.pk) == cast.enterprise


def test_scoped_write_view_refuses_a_record_its_user_may_only_see(cast):
    with pytest.raises(PermissionDenied):
        scoped_object(OrganizationEditView, cast.colleague, cast.enterprise.pk)


def test_scoped_view_does_not_find_a_record_outside_its_users_scope(cast):
    with pytest.raises(Http404):
        scoped_object(OrganizationEditView, cast.outsider, cast.enterprise.pk)


def test_scoped_lookups_find_only_what_the_user_may_see_or_change(cast):
    notification = NotificationFactory(recipient=cast.owner)
    assert get_scoped_or_404(Notification.objects.all(), cast.owner, pk=notification.pk) == notification
    with pytest.raises(Http404):
        get_scoped_or_404(Notification.objects.all(), cast.colleague, pk=notification.pk)
    assert get_editable_or_403(Organization.objects.all(), cast.owner, pk=cast.enterprise.pk) == cast.enterprise
    with pytest.raises(PermissionDenied):
        get_editable_or_403(Organization.objects.all(), cast.official, pk=cast.enterprise.pk)


# --- Countries ------------------------------------------------------------------------------


def test_country_list_pages_all_249_countries(client, db, django_assert_num_queries):
    # 1 count for the paginator, 2 the page of countries (anonymous: no session, no user).
    with django_assert_num_queries(2):
        response = client.get(reverse("portal:countries"))
    assert response.context["paginator"].count == 249
    assert len(response.context["countries"]) == 50
    assert len(client.get(reverse("portal:countries") + "?page=5").context["countries"]) == 49


def test_country_list_filters_by_region(client, db):
    response = client.get(reverse("portal:countries") + "?region=central_asia")
    assert {c.code for c in response.context["countries"]} == {"KZ", "KG", "TJ", "TM", "UZ"}


@pytest.mark.parametrize("query", ["肯尼亚", "kenya", " Kenya "])
def test_country_list_searches_chinese_and_english_names(client, db, query):
    response = client.get(reverse("portal:countries"), {"q": query})
    assert [c.code for c in response.context["countries"]] == ["KE"]


def test_country_list_search_finds_a_country_by_its_code(client, db):
    response = client.get(reverse("portal:countries"), {"q": "uz"})
    assert "UZ" in {c.code for c in response.context["countries"]}


def test_country_list_keeps_the_filter_when_paging(client, db):
    body = client.get(reverse("portal:countries") + "?region=africa").content.decode()
    assert "?region=africa&amp;page=2" in body


# --- Errors ---------------------------------------------------------------------------------


def test_unknown_page_is_a_friendly_404(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_unknown_api_path_is_a_json_404(client, db):
    response = client.get("/api/v1/no-such-resource/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_server_error_page_is_html_for_pages_and_json_for_the_api(db):
    page = views.server_error(RequestFactory().get("/inbox/"))
    assert page.status_code == 500
    assert "服务暂时不可用" in page.content.decode()
    api = views.server_error(RequestFactory().get("/api/v1/countries/"))
    assert api.status_code == 500
    assert api["Content-Type"] == "application/json"


# --- English --------------------------------------------------------------------------------


def test_english_site_renders_english(client, db):
    body = client.get("/en/").content.decode()
    assert '<html lang="en">' in body
    assert "Overseas Expansion Enterprise Service Portal" in body
    assert "Preferred Supplier Library" in body
    assert "走出去企业服务平台" not in body


def test_english_inbox_and_its_messages_are_english(cast, as_user):
    notification = NotificationFactory(recipient=cast.owner)
    client = as_user(cast.owner)
    body = client.get("/en/inbox/").content.decode()
    assert "Inbox" in body
    assert "消息中心" not in body
    response = client.post(f"/en/inbox/{notification.pk}/read/", {"next": "/en/inbox/"}, follow=True)
    assert "Marked as read." in messages_of(response)


def test_english_signup_errors_are_english(client, db):
    response = client.post("/en/signup/", signup_data(password2="Something-else-2026"))
    assert "The two passwords do not match." in response.content.decode()


def test_language_switch_goes_to_the_same_page_in_the_other_language(cast, as_user):
    client = as_user(cast.owner)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/inbox/?kind=system"})
    assert response.status_code == 302
    assert response["Location"] == "/en/inbox/?kind=system"
    assert client.get(response["Location"]).status_code == 200
    english = client.get("/en/countries/?region=africa").content.decode()
    back = re.search(r'name="next" value="([^"]*)"', english).group(1)
    response = client.post("/i18n/setlang/", {"language": "zh-hans", "next": back.replace("&amp;", "&")})
    assert response["Location"] == "/countries/?region=africa"
    assert '<html lang="zh-Hans">' in client.get(response["Location"]).content.decode()


def test_every_page_offers_the_language_switch(client, db):
    body = client.get(reverse("portal:home")).content.decode()
    assert 'action="/i18n/setlang/"' in body
    assert 'name="language" value="en"' in body


def test_signup_page_uses_no_inline_styles_or_scripts(client, db):
    body = client.get(reverse("portal:signup")).content.decode()
    assert "style=" not in body
    assert "<style" not in body
    assert not re.search(r"<script(?![^>]*\bsrc=)", body)


def test_a_form_posted_without_its_csrf_token_gets_a_friendly_page(cast):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.owner)
    response = client.post(reverse("portal:notifications_read_all"))
    assert response.status_code == 403
    assert "页面已过期" in response.content.decode()


# --- Security headers -----------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/en/", "/projects/", "/login/"])
def test_pages_carry_the_security_headers(client, db, path):
    from csp.utils import build_policy

    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["Content-Security-Policy"] == build_policy()
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_a_view_that_widens_its_policy_still_gets_its_own(client, db):
    response = client.get(reverse("api-docs"))
    assert response.status_code == 200
    assert "style-src 'self' 'unsafe-inline'" in response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_the_policy_header_follows_the_settings(client, db, settings):
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'none'"]}}
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = {"DIRECTIVES": {"default-src": ["'self'"]}}
    response = client.get("/")
    assert response.headers["Content-Security-Policy"] == "default-src 'none'"
    assert response.headers["Content-Security-Policy-Report-Only"] == "default-src 'self'"


def test_a_page_that_asks_for_a_nonce_gets_it_in_its_policy(rf, settings):
    from csp.constants import NONCE, SELF
    from django.http import HttpResponse

    from portal.middleware import CSPMiddleware

    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"script-src": [SELF, NONCE]}}

    def view(request):
        return HttpResponse(f'<script nonce="{request.csp_nonce}"></script>')

    middleware = CSPMiddleware(view)
    first, second = rf.get("/"), rf.get("/")
    for request in (first, second):
        policy = middleware(request).headers["Content-Security-Policy"]
        assert f"script-src 'self' 'nonce-{request._csp_nonce}'" in policy.split("; ")
    assert first._csp_nonce != second._csp_nonce
