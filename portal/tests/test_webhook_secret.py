"""The organisation's webhook signing secret is shown in full once (after sign-up, after a
rotation) and masked to its last four characters after; its admins rotate it, POST only,
after a confirmation, and the rotation is in the audit trail."""

from django.urls import reverse

from portal.models import AuditEvent, Organization, User
from portal.testing.factories import valid_credit_code

from .helpers import signup_data

ORG_PAGE = "portal:organization"
ROTATE = "portal:webhook_secret_rotate"
SHOWN_ONCE = "密钥只显示这一次"


def secret_on_page(page: str) -> str:
    start = page.index('data-testid="webhook-secret">') + len('data-testid="webhook-secret">')
    return page[start : page.index("</code>", start)]


def test_a_new_organisation_sees_its_secret_once_then_only_its_last_four_characters(client, db):
    client.post(reverse("portal:signup"), signup_data())
    secret = Organization.objects.get(name="湖北江汉海外工程有限公司").webhook_secret
    first = client.get(reverse(ORG_PAGE)).content.decode()
    assert secret_on_page(first) == secret
    assert SHOWN_ONCE in first
    second = client.get(reverse(ORG_PAGE)).content.decode()
    assert secret not in second
    assert secret_on_page(second) == "••••" + secret[-4:]
    assert SHOWN_ONCE not in second


def test_an_existing_organisation_page_masks_the_secret(cast, as_user):
    page = as_user(cast.owner).get(reverse(ORG_PAGE)).content.decode()
    assert cast.enterprise.webhook_secret not in page
    assert secret_on_page(page) == "••••" + cast.enterprise.webhook_secret[-4:]
    assert f'href="{reverse(ROTATE)}"' in page


def test_the_admin_confirms_then_rotates_and_sees_the_new_secret_once(cast, as_user):
    client = as_user(cast.owner)
    old = cast.enterprise.webhook_secret
    confirm = client.get(reverse(ROTATE))
    assert "确定更换“湖北楚天国际工程有限公司”的 Webhook 签名密钥吗？" in confirm.content.decode()
    cast.enterprise.refresh_from_db()
    assert cast.enterprise.webhook_secret == old  # asking changes nothing

    response = client.post(reverse(ROTATE), follow=True)
    cast.enterprise.refresh_from_db()
    new = cast.enterprise.webhook_secret
    assert new != old and len(new) == 64
    page = response.content.decode()
    assert "Webhook 签名密钥已更换。" in page
    assert secret_on_page(page) == new
    assert old not in page
    assert new not in client.get(reverse(ORG_PAGE)).content.decode()
    event = AuditEvent.objects.get(action="organization.webhook_secret_rotate")
    assert (event.actor, event.organization) == (cast.owner, cast.enterprise)
    assert new not in str(event.data)


def test_a_colleague_who_is_not_an_admin_cannot_rotate_and_is_told_why(cast, as_user):
    client = as_user(cast.colleague)
    old = cast.enterprise.webhook_secret
    for response in (client.get(reverse(ROTATE)), client.post(reverse(ROTATE))):
        assert response.status_code == 403
        assert "只有本组织的管理员可以更换 Webhook 签名密钥。" in response.content.decode()
    cast.enterprise.refresh_from_db()
    assert cast.enterprise.webhook_secret == old
    assert not AuditEvent.objects.filter(action="organization.webhook_secret_rotate").exists()


def test_rotating_needs_an_organisation_and_a_sign_in(cast, as_user, client):
    assert client.post(reverse(ROTATE))["Location"].startswith(reverse("portal:login"))
    assert as_user(cast.talent).post(reverse(ROTATE)).status_code == 404


# --- The API ----------------------------------------------------------------------------------


def test_the_api_gives_the_secret_in_full_only_in_the_sign_up_answer(api, db):
    body = {
        "organization": {
            "name": "宜昌三峡海外工程有限公司",
            "kind": "enterprise",
            "credit_code": valid_credit_code(),
            "province": "湖北省",
            "contact_email": "overseas@example.cn",
        },
        "username": "sanxia",
        "email": "admin@example.cn",
        "password": "a long passphrase 2026",
    }
    created = api.post(reverse("api:auth-signup"), body, format="json").json()
    org = Organization.objects.get(pk=created["id"])
    assert created["webhook_secret"] == org.webhook_secret
    admin = User.objects.get(username="sanxia")
    again = api.as_user(admin).get(reverse("api:organization-detail", kwargs={"pk": org.pk})).json()
    assert again["webhook_secret"] is None
    assert again["webhook_secret_hint"] == "••••" + org.webhook_secret[-4:]


def test_an_admin_rotates_the_secret_through_the_api_and_gets_the_new_one_once(api, cast):
    url = reverse("api:organization-webhook-secret", kwargs={"pk": cast.enterprise.pk})
    old = cast.enterprise.webhook_secret
    response = api.as_user(cast.owner).post(url)
    assert response.status_code == 200
    cast.enterprise.refresh_from_db()
    assert response.json()["webhook_secret"] == cast.enterprise.webhook_secret != old
    assert AuditEvent.objects.filter(action="organization.webhook_secret_rotate", actor=cast.owner).count() == 1
    detail = api.get(reverse("api:organization-detail", kwargs={"pk": cast.enterprise.pk})).json()
    assert detail["webhook_secret"] is None


def test_only_the_organisations_admins_rotate_its_secret(api, cast):
    url = reverse("api:organization-webhook-secret", kwargs={"pk": cast.enterprise.pk})
    old = cast.enterprise.webhook_secret
    assert api.as_user(None).post(url).status_code == 401
    assert api.as_user(cast.colleague).post(url).status_code == 403
    assert api.as_user(cast.official).post(url).status_code == 403  # sees the organisation, may not change it
    assert api.as_user(cast.outsider).post(url).status_code == 404
    assert api.as_user(cast.owner).get(url).status_code == 405
    cast.enterprise.refresh_from_db()
    assert cast.enterprise.webhook_secret == old
