"""The portal shell's organisation page: its details, its admin's edits and its members."""

import pytest
from django.core import mail
from django.urls import reverse

from portal.choices import MembershipRole
from portal.models import Membership, User
from portal.testing.factories import member

from .helpers import messages_of

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
    # Masked after it was first shown (test_webhook_secret.py).
    assert cast.enterprise.webhook_secret[-4:] in admin_page
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
