"""The project form tells every problem in one submission: the form's own checks, the rules
across fields and the missing exchange rate together (services.project_check)."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from projects import services
from projects.models import Project

from .factories import ProjectFactory, project_payload
from .test_views import project_data


def test_one_post_of_a_bad_project_form_names_every_problem(cast, client):
    client.force_login(cast.owner)
    data = project_data(
        name="",
        chinese_staff="-3",
        currency="CHF",
        planned_completion="2024-12-31",
        embassy_registered="on",
    )
    response = client.post(reverse("projects:create"), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {"name", "chinese_staff", "currency", "planned_completion", "embassy_registered_on"} <= errors.keys()
    assert "尚无 CHF 对美元的汇率" in " ".join(errors["currency"])
    assert all(len(messages) == 1 for messages in errors.values()), errors
    assert not Project.objects.exists()


def test_the_service_itself_reports_every_rule_at_once(db):
    # What a form cleaned, without the country it refused.
    data = {
        "name": "蒙巴萨港扩建工程",
        "contract_value": 5,
        "currency": "",
        "start_date": date(2025, 1, 15),
        "planned_completion": date(2024, 1, 1),
        "embassy_registered": True,
    }
    with pytest.raises(ValidationError) as caught:
        services.project_check(data=data, refused=("country",))
    assert {"currency", "planned_completion", "embassy_registered_on"} <= caught.value.message_dict.keys()
    assert "country" not in caught.value.message_dict


def test_the_api_answers_every_problem_of_a_project_in_one_400(cast, api):
    payload = project_payload(
        name="", chinese_staff=-3, currency="CHF", start_date="2025-03-01", planned_completion="2024-12-31"
    )
    response = api.as_user(cast.owner).post(reverse("api:project-list"), {**payload, "embassy_registered": True})
    assert response.status_code == 400
    body = response.json()
    assert {"name", "chinese_staff", "currency", "planned_completion", "embassy_registered_on"} <= body.keys(), body
    assert "尚无 CHF 对美元的汇率" in " ".join(body["currency"])
    assert not Project.objects.exists()


def test_a_patch_with_a_bad_field_is_told_of_the_rules_across_fields_too(cast, api):
    project = ProjectFactory(organization=cast.enterprise)
    url = reverse("api:project-detail", kwargs={"pk": project.pk})
    response = api.as_user(cast.owner).patch(url, {"name": "", "planned_completion": "2020-01-01"}, format="json")
    assert response.status_code == 400
    assert {"name", "planned_completion"} <= response.json().keys()
