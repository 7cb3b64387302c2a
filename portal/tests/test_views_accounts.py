"""The portal shell's account pages: sign-up, sign-in, lockout and password reset."""

import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils.html import escape

from portal.choices import OrganizationKind
from portal.models import Membership, Organization, User
from portal.testing.factories import TEST_PASSWORD, valid_credit_code

from .helpers import signup_data

# --- Sign-up --------------------------------------------------------------------------------


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


def test_password_reset_mails_a_link_that_sets_a_new_password(cast, client, settings):
    response = client.post(reverse("portal:password_reset"), {"email": cast.owner.email})
    assert response["Location"] == reverse("portal:password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "重置您的走出去企业服务平台密码"
    # The link starts with SITE_URL, never with the request's host (test_password_reset.py).
    link = re.search(re.escape(settings.SITE_URL) + r"(/password/reset/\S+/)", message.body).group(1)
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
