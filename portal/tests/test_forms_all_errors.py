"""Sign-up tells every problem at once, on the page and in the API alike: the fields' own checks
and the service's rules (organization_signup_check: the username free, the password strong
enough) come back in one answer; the error summary lists and links each of them."""

from __future__ import annotations

from django.urls import reverse

from portal.models import Organization, User

from .helpers import signup_data
from .test_api import signup_payload


def test_the_sign_up_page_shows_the_taken_username_beside_the_fields_errors(client, cast):
    data = signup_data(credit_code="123", contact_email="nope", username=cast.owner.username, password1="12345678901")
    response = client.post(reverse("portal:signup"), {**data, "password2": "12345678901"})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {"credit_code", "contact_email", "username", "password1"} <= errors.keys(), errors
    assert "该用户名已被使用" in " ".join(errors["username"])
    body = response.content.decode()
    assert 'data-testid="error-summary"' in body and 'tabindex="-1"' in body and 'role="alert"' in body
    for field in ("credit_code", "contact_email", "username", "password1"):
        assert f'href="#id_{field}"' in body
        assert f'id="id_{field}_error"' in body
    assert response["Cache-Control"].count("no-store") == 1  # the typed passwords come back
    assert not User.objects.filter(email=data["email"]).exists()


def test_each_problem_is_told_once(client, cast):
    response = client.post(reverse("portal:signup"), signup_data(username=cast.owner.username))
    assert response.context["form"].errors["username"] == ["该用户名已被使用。"]


def test_the_sign_up_api_answers_every_problem_in_one_400(api, cast):
    payload = signup_payload(credit_code="123", username=cast.owner.username, password="12345678901", email="x")
    response = api.post(reverse("api:auth-signup"), payload, format="json")
    assert response.status_code == 400
    body = response.json()
    assert "credit_code" in body["organization"]
    assert "该用户名已被使用" in " ".join(body["username"])
    assert body["password"] and body["email"]
    assert not Organization.objects.filter(name=payload["organization"]["name"]).exists()


def test_the_api_checks_the_password_against_the_username_even_when_another_field_is_wrong(api, db):
    payload = signup_payload(username="sanxia2026", password="sanxia2026", contact_email="nope")
    body = api.post(reverse("api:auth-signup"), payload, format="json").json()
    assert "contact_email" in body["organization"]
    assert body["password"]


def test_adding_a_member_tells_the_taken_username_beside_a_bad_e_mail(client, cast):
    client.force_login(cast.owner)
    response = client.post(
        reverse("portal:member_add"), {"username": cast.outsider.username, "email": "nope", "role": "member"}
    )
    errors = response.context["member_form"].errors
    assert {"username", "email"} <= errors.keys(), errors
    assert "该用户名已被使用" in " ".join(errors["username"])
    assert not User.objects.filter(email="nope").exists()
