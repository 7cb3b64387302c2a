"""What officials read is guarded by the permission it needs, on the API as on the pages: the
review queue and a survey's answers by `review` (an official without it gets 403, as does an
enterprise), the statistics by being an official. A refused page says why."""

import pytest
from django.urls import reverse

from .factories import SurveyFactory

# Who may read what: the status each role gets.
REVIEW_ONLY = {
    "anonymous": 401,
    "owner": 403,
    "colleague": 403,
    "outsider": 403,
    "supplier": 403,
    "talent": 403,
    "publisher": 403,  # an official, without `review`
    "trainer": 403,  # an official, without `review`
    "reviewer": 200,
    "official": 200,
}
OFFICIALS = {**REVIEW_ONLY, "publisher": 200, "trainer": 200}


@pytest.mark.parametrize(("role", "status"), REVIEW_ONLY.items())
def test_the_review_queue_api_is_for_officials_with_review(api, cast, role, status):
    response = api.as_user(cast.user(role)).get(reverse("api:project-review-queue"))
    assert response.status_code == status
    if status == 403:
        assert response.json()["detail"] == "需要“审核备案与入库申请”权限。"


@pytest.mark.parametrize(("role", "status"), REVIEW_ONLY.items())
def test_a_surveys_answers_are_for_officials_with_review(api, cast, role, status):
    survey = SurveyFactory(opened_by=cast.reviewer)
    response = api.as_user(cast.user(role)).get(reverse("api:project-survey-answers", kwargs={"pk": survey.pk}))
    assert response.status_code == status
    if status == 200:
        assert {row["organization_id"] for row in response.json()} >= {cast.enterprise.pk, cast.outsider_org.pk}


@pytest.mark.parametrize(("role", "status"), OFFICIALS.items())
def test_the_statistics_api_is_for_officials(api, cast, role, status):
    assert api.as_user(cast.user(role)).get(reverse("api:project-statistics")).status_code == status


PAGE_REASONS = [
    ("projects:review_queue", {}, "owner", "审核队列仅对具有审核权限的主管部门人员开放。"),
    ("projects:review_queue", {}, "publisher", "审核队列仅对具有审核权限的主管部门人员开放。"),
    ("projects:survey_list", {}, "trainer", "意向项目调查的管理仅对具有审核权限的主管部门人员开放。"),
    ("projects:statistics", {}, "owner", "项目统计仅对主管部门工作人员开放。"),
    ("projects:statistics_export", {}, "supplier", "项目统计仅对主管部门工作人员开放。"),
    ("projects:workspace", {}, "official", "项目工作台仅对企业用户开放。"),
    ("projects:create", {}, "reviewer", "只有企业用户可以登记项目。"),
]


@pytest.mark.parametrize(("url_name", "kwargs", "role", "reason"), PAGE_REASONS)
def test_a_refused_page_says_why(cast, client, url_name, kwargs, role, reason):
    client.force_login(cast.user(role))
    response = client.get(reverse(url_name, kwargs=kwargs))
    assert response.status_code == 403
    body = response.content.decode()
    assert reason in body
    assert "如需修改本组织的信息" not in body


def test_a_surveys_answers_page_says_why_to_an_official_without_review(cast, client):
    survey = SurveyFactory(opened_by=cast.reviewer)
    client.force_login(cast.publisher)
    response = client.get(reverse("projects:survey_detail", kwargs={"pk": survey.pk}))
    assert response.status_code == 403
    assert "意向项目调查的管理仅对具有审核权限的主管部门人员开放。" in response.content.decode()
