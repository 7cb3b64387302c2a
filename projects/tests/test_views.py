"""The project library's pages: who may open which, what the public never sees, the filters and
search of the list, the filing workflow through the forms, the workspace, the review queue, the
survey, the statistics and the map."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.testing.cast import Cast
from projects.choices import BusinessModel, FilingStatus, ReviewAction, Sector, Stage
from projects.models import IntendedProjectSurvey, Project, ProjectReport, ProjectReview, SurveyResponse
from projects.search import search_text
from projects.tests.factories import ProjectFactory

SIGNED_IN_ROLES = [role for role in Cast.ROLES if role != "anonymous"]
PUBLIC_ROLES = ["anonymous", "outsider", "supplier", "talent"]
# A contract value no other number on the pages resembles, in both groupings the pages may use.
SECRET_VALUE = Decimal("987654321")
SECRET_STRINGS = ("987654321", "987,654,321")


@pytest.fixture
def as_user(client):
    """`as_user(user)` signs the test client in as `user` (None stays anonymous)."""

    def sign_in(user):
        if user is not None:
            client.force_login(user)
        return client

    return sign_in


def make_project(organization, *, status=FilingStatus.APPROVED, **fields) -> Project:
    """A project as the workflow would have left it (written directly, to set up a page)."""
    values = {
        "name": "蒙巴萨港口扩建工程",
        "name_en": "Mombasa Port Expansion",
        "country_id": "KE",
        "location": "蒙巴萨",
        "sector": Sector.TRANSPORT,
        "business_model": BusinessModel.EPC,
        "stage": Stage.UNDER_CONSTRUCTION,
        "contract_value": SECRET_VALUE,
        "currency": "USD",
        "contract_value_usd": SECRET_VALUE,
        "chinese_staff": 120,
        "local_staff": 860,
        "start_date": date(2024, 3, 1),
    }
    values.update(fields)
    now = timezone.now()
    if status in (FilingStatus.SUBMITTED, FilingStatus.APPROVED):
        values.setdefault("submitted_at", now)
    if status == FilingStatus.APPROVED:
        values.setdefault("approved_at", now)
    values["search_text"] = search_text(values["name"], values.get("name_en", ""), values.get("location", ""))
    return Project.objects.create(organization=organization, filing_status=status, **values)


def project_data(**overrides) -> dict:
    """A valid POST of the project form."""
    data = {
        "name": "达累斯萨拉姆快速公交三期工程",
        "name_en": "Dar es Salaam BRT Phase III",
        "country": "TZ",
        "location": "达累斯萨拉姆",
        "sector": Sector.TRANSPORT,
        "business_model": BusinessModel.EPC,
        "stage": Stage.SIGNED,
        "contract_value": "250000000",
        "currency": "USD",
        "start_date": "2025-01-15",
        "planned_completion": "2027-12-31",
        "chinese_staff": "80",
        "local_staff": "450",
        "description": "快速公交专用道及站台建设。",
    }
    data.update(overrides)
    return data


def page_text(response) -> str:
    return response.content.decode()


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


# --- Who may open which page ----------------------------------------------------------------


@pytest.mark.parametrize("page", ["projects:list", "projects:map"])
@pytest.mark.parametrize("role", Cast.ROLES)
def test_list_and_map_answer_everyone(cast, as_user, role, page):
    response = as_user(cast.user(role)).get(reverse(page))
    assert response.status_code == 200
    assert "海外项目库" in page_text(response)


@pytest.mark.parametrize(
    ("page", "allowed"),
    [
        ("projects:workspace", {"owner", "colleague", "outsider"}),
        ("projects:create", {"owner", "colleague", "outsider"}),
        ("projects:review_queue", {"reviewer", "official"}),
        ("projects:survey_list", {"reviewer", "official"}),
        ("projects:statistics", {"reviewer", "publisher", "trainer", "official"}),
        ("projects:statistics_export", {"reviewer", "publisher", "trainer", "official"}),
    ],
)
@pytest.mark.parametrize("role", SIGNED_IN_ROLES)
def test_role_pages_answer_their_roles_and_forbid_the_others(cast, as_user, role, page, allowed):
    response = as_user(cast.user(role)).get(reverse(page))
    assert response.status_code == (200 if role in allowed else 403)


@pytest.mark.parametrize(
    "page",
    [
        "projects:workspace",
        "projects:create",
        "projects:review_queue",
        "projects:survey_list",
        "projects:statistics",
        "projects:statistics_export",
    ],
)
def test_role_pages_send_anonymous_users_to_login(client, db, page):
    url = reverse(page)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('portal:login')}?next={url}"


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("owner", 200),
        ("colleague", 200),
        ("reviewer", 200),
        ("official", 200),
        ("outsider", 404),
        ("supplier", 404),
        ("talent", 404),
        ("anonymous", 404),
    ],
)
def test_a_draft_is_seen_by_its_organisation_and_officials_only(cast, as_user, role, status):
    draft = make_project(cast.enterprise, status=FilingStatus.DRAFT)
    assert as_user(cast.user(role)).get(reverse("projects:detail", args=[draft.pk])).status_code == status


def test_outsider_cannot_open_the_edit_or_delete_page_of_another_enterprises_draft(cast, as_user):
    draft = make_project(cast.enterprise, status=FilingStatus.DRAFT)
    client = as_user(cast.outsider)
    assert client.get(reverse("projects:edit", args=[draft.pk])).status_code == 404
    assert client.get(reverse("projects:delete", args=[draft.pk])).status_code == 404
    assert client.post(reverse("projects:submit", args=[draft.pk])).status_code == 404
    assert Project.objects.get(pk=draft.pk).filing_status == FilingStatus.DRAFT


def test_outsider_may_see_but_not_edit_another_enterprises_approved_project(cast, as_user):
    approved = make_project(cast.enterprise)
    client = as_user(cast.outsider)
    assert client.get(reverse("projects:detail", args=[approved.pk])).status_code == 200
    assert client.get(reverse("projects:edit", args=[approved.pk])).status_code == 403
    assert client.post(reverse("projects:report_create", args=[approved.pk]), {}).status_code == 403


def test_an_enterprise_without_review_permission_cannot_approve(cast, as_user):
    project = make_project(cast.enterprise, status=FilingStatus.SUBMITTED)
    response = as_user(cast.owner).post(reverse("projects:approve", args=[project.pk]))
    assert response.status_code == 403
    response = as_user(cast.publisher).post(reverse("projects:approve", args=[project.pk]))
    assert response.status_code == 403
    assert Project.objects.get(pk=project.pk).filing_status == FilingStatus.SUBMITTED


# --- What the public never sees -------------------------------------------------------------


@pytest.mark.parametrize("role", PUBLIC_ROLES)
@pytest.mark.parametrize("page", ["list", "detail", "map"])
def test_public_never_sees_contract_values_or_staff_numbers(cast, as_user, role, page):
    project = make_project(cast.enterprise, chinese_staff=7531, local_staff=8642)
    url = reverse("projects:detail", args=[project.pk]) if page == "detail" else reverse(f"projects:{page}")
    body = page_text(as_user(cast.user(role)).get(url))
    assert (project.country.name_zh if page == "map" else project.name) in body
    # The page names the signed-in user, whose factory name ("用户18642") may hold the digits.
    body = re.sub(r"用户\d+", "", body)
    for secret in (*SECRET_STRINGS, "7531", "7,531", "8642", "8,642"):
        assert secret not in body


@pytest.mark.parametrize("role", ["owner", "official"])
@pytest.mark.parametrize("page", ["list", "detail"])
def test_the_owner_and_officials_see_the_contract_value(cast, as_user, role, page):
    project = make_project(cast.enterprise)
    url = reverse("projects:detail", args=[project.pk]) if page == "detail" else reverse(f"projects:{page}")
    body = page_text(as_user(cast.user(role)).get(url))
    assert any(secret in body for secret in SECRET_STRINGS)


def test_the_map_gives_values_to_officials_only(cast, as_user):
    make_project(cast.enterprise)
    public = as_user(None).get(reverse("projects:map"))
    assert public.context["map_data"] == [{"code": "KE", "name": "肯尼亚", "count": 1}]
    official = as_user(cast.official).get(reverse("projects:map") + "?metric=value")
    assert official.context["map_data"] == [{"code": "KE", "name": "肯尼亚", "count": 1, "value": 987654321.0}]
    assert official.context["metric"] == "value"


def test_the_map_ignores_the_value_metric_for_the_public(cast, as_user):
    make_project(cast.enterprise)
    response = as_user(cast.outsider).get(reverse("projects:map") + "?metric=value")
    assert response.context["metric"] == "count"
    assert 'name="metric"' not in page_text(response)


def test_value_filters_are_ignored_for_the_public(cast, as_user):
    make_project(cast.enterprise, name="大额项目", contract_value_usd=Decimal("500000000"))
    make_project(cast.enterprise, name="小额项目", contract_value_usd=Decimal("1000"))
    url = reverse("projects:list") + "?value_min=1000000"
    public = as_user(None).get(url)
    assert {row["project"].name for row in public.context["rows"]} == {"大额项目", "小额项目"}
    official = as_user(cast.official).get(url)
    assert {row["project"].name for row in official.context["rows"]} == {"大额项目"}


# --- The list -------------------------------------------------------------------------------


def test_list_shows_approved_projects_and_the_users_own(cast, as_user):
    make_project(cast.enterprise, name="已备案项目")
    make_project(cast.enterprise, name="本企业草稿", status=FilingStatus.DRAFT)
    make_project(cast.outsider_org, name="他人草稿", status=FilingStatus.DRAFT)

    def names(user):
        return {row["project"].name for row in as_user(user).get(reverse("projects:list")).context["rows"]}

    assert names(None) == {"已备案项目"}
    assert names(cast.colleague) == {"已备案项目", "本企业草稿"}
    assert names(cast.outsider) == {"已备案项目", "他人草稿"}
    assert names(cast.official) == {"已备案项目", "本企业草稿", "他人草稿"}


def test_list_shows_the_filing_status_only_to_signed_in_organisations(cast, as_user):
    make_project(cast.enterprise)
    assert 'class="tag status' not in page_text(as_user(None).get(reverse("projects:list")))
    assert 'class="tag status' in page_text(as_user(cast.owner).get(reverse("projects:list")))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("港", {"蒙巴萨港口扩建工程"}),  # one character
        ("供水", {"内罗毕城市供水工程"}),  # two characters
        ("工程", {"蒙巴萨港口扩建工程", "内罗毕城市供水工程"}),
        ("蒙巴萨", {"蒙巴萨港口扩建工程"}),
        ("阿斯塔纳", {"光伏电站"}),  # the location
        ("water supply", {"内罗毕城市供水工程"}),  # the English name, any case
        ("隧道", set()),
    ],
)
def test_list_search_finds_chinese_substrings_of_name_english_name_and_location(cast, as_user, query, expected):
    make_project(cast.enterprise, name="蒙巴萨港口扩建工程")
    make_project(cast.enterprise, name="内罗毕城市供水工程", name_en="Nairobi Water Supply", location="内罗毕")
    make_project(cast.enterprise, name="光伏电站", name_en="Solar Plant", country_id="KZ", location="阿斯塔纳")
    response = as_user(None).get(reverse("projects:list"), {"search": query})
    assert {row["project"].name for row in response.context["rows"]} == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("country=KE", {"肯尼亚公路"}),
        ("country=ke,kz", {"肯尼亚公路", "哈萨克斯坦电站"}),
        ("region=central_asia", {"哈萨克斯坦电站"}),
        ("sector=power", {"哈萨克斯坦电站"}),
        ("stage=intended", {"越南工业园"}),
        ("stage=intended&stage=operating", {"越南工业园", "哈萨克斯坦电站"}),
        ("business_model=greenfield", {"越南工业园"}),
        ("library=intended", {"越南工业园"}),
        ("library=under_construction", {"肯尼亚公路"}),
        ("library=operating", {"越南工业园", "哈萨克斯坦电站"}),  # operating, and every investment
        ("library=completed", set()),
        ("start_after=2024-01-01", {"肯尼亚公路"}),
        ("start_before=2023-12-31", {"哈萨克斯坦电站"}),
        ("year=2022", {"哈萨克斯坦电站"}),
        ("sector=power&country=KE", set()),
    ],
)
def test_list_filters_like_the_api(cast, as_user, query, expected):
    make_project(cast.enterprise, name="肯尼亚公路", stage=Stage.UNDER_CONSTRUCTION, start_date=date(2024, 5, 1))
    make_project(
        cast.outsider_org,
        name="哈萨克斯坦电站",
        country_id="KZ",
        sector=Sector.POWER,
        stage=Stage.OPERATING,
        start_date=date(2022, 6, 1),
    )
    make_project(
        cast.enterprise,
        name="越南工业园",
        country_id="VN",
        sector=Sector.INDUSTRIAL,
        business_model=BusinessModel.GREENFIELD,
        stage=Stage.INTENDED,
        start_date=None,
    )
    response = as_user(None).get(reverse("projects:list") + "?" + query)
    assert {row["project"].name for row in response.context["rows"]} == expected


def test_list_filters_by_organisation_and_filing_status_for_officials(cast, as_user):
    make_project(cast.enterprise, name="甲")
    make_project(cast.outsider_org, name="乙", status=FilingStatus.SUBMITTED)
    client = as_user(cast.official)
    response = client.get(reverse("projects:list"), {"organization": cast.outsider_org.pk})
    assert [row["project"].name for row in response.context["rows"]] == ["乙"]
    response = client.get(reverse("projects:list"), {"filing_status": "approved"})
    assert [row["project"].name for row in response.context["rows"]] == ["甲"]


def test_list_tabs_keep_the_other_filters(cast, as_user):
    response = as_user(None).get(reverse("projects:list"), {"search": "港口", "library": "completed"})
    tabs = {tab["key"]: tab for tab in response.context["tabs"]}
    assert tabs["completed"]["current"]
    assert tabs["intended"]["query"] == "search=%E6%B8%AF%E5%8F%A3&library=intended"
    assert tabs[""]["query"] == "search=%E6%B8%AF%E5%8F%A3"


def test_list_shows_an_empty_state(cast, as_user):
    body = page_text(as_user(None).get(reverse("projects:list")))
    assert "暂无项目" in body
    body = page_text(as_user(None).get(reverse("projects:list"), {"search": "不存在"}))
    assert "没有符合条件的项目" in body


def test_list_pages_by_twenty(cast, as_user):
    for n in range(25):
        make_project(cast.enterprise, name=f"项目{n}")
    client = as_user(None)
    assert len(client.get(reverse("projects:list")).context["rows"]) == 20
    assert len(client.get(reverse("projects:list") + "?page=2").context["rows"]) == 5


@pytest.mark.parametrize("count", [1, 20])
def test_list_page_makes_the_same_queries_for_1_and_20_projects(cast, as_user, django_assert_num_queries, count):
    for n in range(count):
        make_project(cast.enterprise if n % 2 else cast.outsider_org, name=f"项目{n}")
    client = as_user(cast.owner)
    # 1 session, 2 user, 3 membership with organisation, 4 paginator count, 5 the page of
    # projects with organisation and country, 6 unread count (the header's badge), 7 the countries
    # of the filter bar.
    with django_assert_num_queries(7):
        response = client.get(reverse("projects:list"))
    assert len(response.context["rows"]) == count


@pytest.mark.parametrize("count", [1, 20])
def test_list_page_makes_the_same_queries_for_anonymous_users(cast, client, django_assert_num_queries, count):
    for n in range(count):
        make_project(cast.enterprise, name=f"项目{n}")
    # 1 paginator count, 2 the page of projects, 3 the countries of the filter bar.
    with django_assert_num_queries(3):
        client.get(reverse("projects:list"))


# --- One project ----------------------------------------------------------------------------


def test_detail_shows_the_owner_the_review_history_with_officials_comments(cast, as_user):
    project = make_project(cast.enterprise, status=FilingStatus.RETURNED)
    ProjectReview.objects.create(project=project, action=ReviewAction.SUBMITTED, actor=cast.owner)
    ProjectReview.objects.create(
        project=project, action=ReviewAction.RETURNED, actor=cast.reviewer, comment="请补充合同扫描件"
    )
    body = page_text(as_user(cast.colleague).get(reverse("projects:detail", args=[project.pk])))
    assert "请补充合同扫描件" in body
    assert "主管部门退回意见" in body
    assert "退回修改" in body


def test_detail_hides_the_review_history_and_reports_from_the_public(cast, as_user):
    project = make_project(cast.enterprise)
    ProjectReview.objects.create(project=project, action=ReviewAction.APPROVED, actor=cast.reviewer, comment="同意备案")
    ProjectReport.objects.create(project=project, year=2025, half=1, revenue_usd=Decimal("4567123"))
    body = page_text(as_user(cast.outsider).get(reverse("projects:detail", args=[project.pk])))
    assert "同意备案" not in body
    assert "4567123" not in body
    assert "备案记录" not in body


def test_detail_offers_each_role_its_actions(cast, as_user):
    draft = make_project(cast.enterprise, status=FilingStatus.DRAFT)
    body = page_text(as_user(cast.owner).get(reverse("projects:detail", args=[draft.pk])))
    assert reverse("projects:submit", args=[draft.pk]) in body
    assert reverse("projects:edit", args=[draft.pk]) in body
    assert reverse("projects:delete", args=[draft.pk]) in body
    assert reverse("projects:approve", args=[draft.pk]) not in body

    submitted = make_project(cast.enterprise, status=FilingStatus.SUBMITTED)
    body = page_text(as_user(cast.owner).get(reverse("projects:detail", args=[submitted.pk])))
    assert reverse("projects:withdraw", args=[submitted.pk]) in body
    assert reverse("projects:edit", args=[submitted.pk]) not in body
    body = page_text(as_user(cast.reviewer).get(reverse("projects:detail", args=[submitted.pk])))
    assert reverse("projects:approve", args=[submitted.pk]) in body
    assert reverse("projects:return", args=[submitted.pk]) in body
    assert reverse("projects:withdraw", args=[submitted.pk]) not in body

    approved = make_project(cast.enterprise)
    body = page_text(as_user(cast.owner).get(reverse("projects:detail", args=[approved.pk])))
    assert reverse("projects:report_create", args=[approved.pk]) in body
    assert reverse("projects:progress", args=[approved.pk]) in body
    assert reverse("projects:delete", args=[approved.pk]) not in body


def test_detail_shows_officials_the_subsidy_estimate(cast, as_user):
    project = make_project(cast.enterprise)
    body = page_text(as_user(cast.reviewer).get(reverse("projects:detail", args=[project.pk])))
    assert "资助测算（估算）" in body
    assert "资助测算" not in page_text(as_user(cast.outsider).get(reverse("projects:detail", args=[project.pk])))


# --- Create and edit ------------------------------------------------------------------------


def test_enterprise_creates_a_draft_through_the_form(cast, as_user):
    response = as_user(cast.colleague).post(reverse("projects:create"), project_data())
    project = Project.objects.get(name="达累斯萨拉姆快速公交三期工程")
    assert response.status_code == 302
    assert response["Location"] == reverse("projects:detail", args=[project.pk])
    assert project.organization == cast.enterprise
    assert project.filing_status == FilingStatus.DRAFT
    assert project.contract_value_usd == Decimal("250000000.00")
    assert project.created_by == cast.colleague


def test_the_form_converts_a_local_currency_to_usd(cast, as_user):
    as_user(cast.owner).post(reverse("projects:create"), project_data(contract_value="1000000", currency="KES"))
    assert Project.objects.get().currency == "KES"
    assert Project.objects.get().contract_value_usd > 0


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"contract_value": "-1"}, "contract_value", "0"),
        ({"currency": "XYZ"}, "currency", "XYZ"),
        ({"currency": "CHF"}, "currency", "尚无 CHF 对美元的汇率"),
        ({"currency": ""}, "currency", "填写合同金额时必须选择币种"),
        ({"planned_completion": "2024-12-31"}, "planned_completion", "计划竣工日期不能早于开工日期"),
        ({"embassy_registered": "on"}, "embassy_registered_on", "请填写报到登记日期"),
        ({"country": "XX"}, "country", ""),
        ({"name": ""}, "name", ""),
        ({"chinese_staff": "-3"}, "chinese_staff", "0"),
    ],
)
def test_the_form_rejects_bad_input_on_its_field_and_creates_nothing(cast, as_user, overrides, field, message):
    response = as_user(cast.owner).post(reverse("projects:create"), project_data(**overrides))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors, errors
    assert message in " ".join(errors[field])
    assert not Project.objects.exists()
    assert "提交的信息有误" in page_text(response)


def test_the_edit_form_saves_through_the_service_and_keeps_a_draft_a_draft(cast, as_user):
    project = make_project(cast.enterprise, status=FilingStatus.DRAFT)
    response = as_user(cast.colleague).post(
        reverse("projects:edit", args=[project.pk]), project_data(name="蒙巴萨港口扩建工程（二期）")
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.name == "蒙巴萨港口扩建工程（二期）"
    assert project.country_id == "TZ"
    assert project.filing_status == FilingStatus.DRAFT


def test_editing_a_key_field_of_an_approved_project_sends_it_back_to_review(cast, as_user):
    project = make_project(cast.enterprise)
    data = project_data(name=project.name, country="KE", contract_value="1", currency="USD")
    response = as_user(cast.owner).post(reverse("projects:edit", args=[project.pk]), data, follow=True)
    project.refresh_from_db()
    assert project.filing_status == FilingStatus.SUBMITTED
    assert "已重新提交主管部门审核" in " ".join(messages_of(response))


def test_a_submitted_project_cannot_be_edited_until_withdrawn(cast, as_user):
    project = make_project(cast.enterprise, status=FilingStatus.SUBMITTED)
    response = as_user(cast.owner).get(reverse("projects:edit", args=[project.pk]), follow=True)
    assert "请先撤回" in " ".join(messages_of(response))
    assert response.redirect_chain[-1][0] == reverse("projects:detail", args=[project.pk])


def test_embassy_registration_is_recorded_through_the_edit_form(cast, as_user):
    project = make_project(cast.enterprise, status=FilingStatus.DRAFT)
    data = project_data(embassy_registered="on", embassy_registered_on="2025-02-01")
    as_user(cast.owner).post(reverse("projects:edit", args=[project.pk]), data)
    project.refresh_from_db()
    assert project.embassy_registered
    assert project.embassy_registered_on == date(2025, 2, 1)


def test_delete_asks_for_confirmation_then_deletes_the_draft(cast, as_user):
    project = make_project(cast.enterprise, status=FilingStatus.DRAFT)
    client = as_user(cast.owner)
    body = page_text(client.get(reverse("projects:delete", args=[project.pk])))
    assert "确定删除项目" in body
    response = client.post(reverse("projects:delete", args=[project.pk]))
    assert response["Location"] == reverse("projects:workspace")
    assert not Project.objects.filter(pk=project.pk).exists()


def test_an_approved_project_cannot_be_deleted(cast, as_user):
    project = make_project(cast.enterprise)
    response = as_user(cast.owner).post(reverse("projects:delete", args=[project.pk]), follow=True)
    assert "不能删除" in " ".join(messages_of(response))
    assert Project.objects.filter(pk=project.pk).exists()


# --- The filing workflow --------------------------------------------------------------------


def test_the_filing_round_trip_through_the_pages(cast, as_user, client):
    client.force_login(cast.owner)
    client.post(reverse("projects:create"), project_data())
    project = Project.objects.get()
    client.post(reverse("projects:submit", args=[project.pk]))
    assert Project.objects.get().filing_status == FilingStatus.SUBMITTED

    client.force_login(cast.reviewer)
    queue = client.get(reverse("projects:review_queue"))
    assert list(queue.context["projects"]) == [project]
    response = client.post(reverse("projects:return", args=[project.pk]), {"comment": "请补充开工日期依据"})
    assert response["Location"] == reverse("projects:review_queue")
    assert Project.objects.get().filing_status == FilingStatus.RETURNED

    client.force_login(cast.colleague)
    body = page_text(client.get(reverse("projects:detail", args=[project.pk])))
    assert "请补充开工日期依据" in body
    client.post(reverse("projects:edit", args=[project.pk]), project_data(start_date="2025-02-01"))
    client.post(reverse("projects:submit", args=[project.pk]))
    assert Project.objects.get().filing_status == FilingStatus.SUBMITTED

    client.force_login(cast.reviewer)
    client.post(reverse("projects:approve", args=[project.pk]), {"comment": ""})
    project.refresh_from_db()
    assert project.filing_status == FilingStatus.APPROVED
    assert [r.action for r in project.reviews.all()] == [
        ReviewAction.SUBMITTED,
        ReviewAction.RETURNED,
        ReviewAction.SUBMITTED,
        ReviewAction.APPROVED,
    ]


def test_returning_a_filing_requires_a_comment(cast, as_user):
    project = make_project(cast.enterprise, status=FilingStatus.SUBMITTED)
    response = as_user(cast.reviewer).post(reverse("projects:return", args=[project.pk]), {"comment": "  "})
    assert response.status_code == 200
    assert "退回时必须填写意见" in " ".join(response.context["review_form"].errors["comment"])
    assert "退回时必须填写意见" in page_text(response)
    assert Project.objects.get(pk=project.pk).filing_status == FilingStatus.SUBMITTED


def test_withdraw_puts_a_submitted_filing_back_in_the_enterprises_hands(cast, as_user):
    project = make_project(cast.enterprise, status=FilingStatus.SUBMITTED)
    response = as_user(cast.colleague).post(reverse("projects:withdraw", args=[project.pk]), follow=True)
    assert Project.objects.get(pk=project.pk).filing_status == FilingStatus.WITHDRAWN
    assert "已撤回备案" in " ".join(messages_of(response))


def test_a_workflow_step_out_of_turn_is_a_message_not_an_error(cast, as_user):
    project = make_project(cast.enterprise)
    response = as_user(cast.owner).post(reverse("projects:withdraw", args=[project.pk]), follow=True)
    assert response.status_code == 200
    assert "只有待审核的项目可以撤回" in " ".join(messages_of(response))


def test_workflow_steps_are_posts(cast, as_user):
    project = make_project(cast.enterprise, status=FilingStatus.DRAFT)
    assert as_user(cast.owner).get(reverse("projects:submit", args=[project.pk])).status_code == 405


# --- Progress and reports -------------------------------------------------------------------


def test_after_approval_the_enterprise_updates_stage_and_staff_without_new_review(cast, as_user):
    project = make_project(cast.enterprise, stage=Stage.SIGNED)
    data = {"stage": Stage.UNDER_CONSTRUCTION, "chinese_staff": "150", "local_staff": "900"}
    as_user(cast.owner).post(reverse("projects:progress", args=[project.pk]), data)
    project.refresh_from_db()
    assert (project.stage, project.chinese_staff, project.local_staff) == (Stage.UNDER_CONSTRUCTION, 150, 900)
    assert project.filing_status == FilingStatus.APPROVED
    assert project.stage_changes.filter(to_stage=Stage.UNDER_CONSTRUCTION).exists()


def test_the_enterprise_files_one_report_per_half_year(cast, as_user):
    project = make_project(cast.enterprise)
    client = as_user(cast.owner)
    data = {"year": "2025", "half": "1", "revenue_usd": "3500000", "new_contracts_usd": "0", "notes": "按期推进"}
    data |= {"chinese_staff": "100", "local_staff": "700"}
    response = client.post(reverse("projects:report_create", args=[project.pk]), data)
    assert response.status_code == 302
    assert ProjectReport.objects.get().revenue_usd == Decimal("3500000")
    response = client.post(reverse("projects:report_create", args=[project.pk]), data)
    assert response.status_code == 200
    assert "该半年度已填报" in " ".join(response.context["report_form"].errors["half"])
    assert ProjectReport.objects.count() == 1


def test_a_report_rejects_a_negative_revenue(cast, as_user):
    project = make_project(cast.enterprise)
    data = {"year": "2025", "half": "1", "revenue_usd": "-5", "new_contracts_usd": "0"}
    data |= {"chinese_staff": "0", "local_staff": "0"}
    response = as_user(cast.owner).post(reverse("projects:report_create", args=[project.pk]), data)
    assert "revenue_usd" in response.context["report_form"].errors
    assert not ProjectReport.objects.exists()


# --- Workspace and survey -------------------------------------------------------------------


def test_workspace_groups_the_enterprises_own_projects_by_filing_status(cast, as_user):
    make_project(cast.enterprise, name="草稿项目", status=FilingStatus.DRAFT)
    make_project(cast.enterprise, name="退回项目", status=FilingStatus.RETURNED)
    make_project(cast.enterprise, name="已备案项目")
    make_project(cast.outsider_org, name="他人项目")
    response = as_user(cast.colleague).get(reverse("projects:workspace"))
    groups = {g["status"]: [p.name for p in g["projects"]] for g in response.context["groups"]}
    assert groups[FilingStatus.DRAFT] == ["草稿项目"]
    assert groups[FilingStatus.RETURNED] == ["退回项目"]
    assert groups[FilingStatus.APPROVED] == ["已备案项目"]
    assert response.context["groups"][0]["status"] == FilingStatus.RETURNED  # needs attention first
    assert "他人项目" not in page_text(response)


def test_workspace_shows_the_subsidy_estimate_as_an_estimate(cast, as_user):
    project = make_project(cast.enterprise)
    year = timezone.localdate().year - 1
    ProjectReport.objects.create(project=project, year=year, half=1, revenue_usd=Decimal("4000000"))
    response = as_user(cast.owner).get(reverse("projects:workspace"))
    last_year, this_year = response.context["estimates"]
    assert (last_year.year, this_year.year) == (year, year + 1)
    assert last_year.estimate_cny == Decimal("200000")  # first time, 3 million USD or more
    body = page_text(response)
    assert "资助测算（估算）" in body
    assert "仅供参考" in body


def test_workspace_banner_lets_the_enterprise_confirm_the_open_survey(cast, as_user):
    today = timezone.localdate()
    survey = IntendedProjectSurvey.objects.create(
        year=today.year, opens_on=today - timedelta(days=1), closes_on=today + timedelta(days=20)
    )
    client = as_user(cast.owner)
    body = page_text(client.get(reverse("projects:workspace")))
    assert "确认意向项目" in body
    response = client.post(reverse("projects:survey_respond", args=[survey.pk]), follow=True)
    assert SurveyResponse.objects.filter(survey=survey, organization=cast.enterprise).exists()
    assert "已确认本企业" in " ".join(messages_of(response))
    assert "本企业已确认意向项目" in page_text(response)


def test_official_opens_a_survey_and_sees_who_answered(cast, as_user):
    today = timezone.localdate()
    client = as_user(cast.reviewer)
    data = {"year": today.year, "opens_on": today.isoformat(), "closes_on": (today + timedelta(days=30)).isoformat()}
    response = client.post(reverse("projects:survey_list"), data)
    survey = IntendedProjectSurvey.objects.get()
    assert response["Location"] == reverse("projects:survey_detail", args=[survey.pk])
    SurveyResponse.objects.create(survey=survey, organization=cast.enterprise, confirmed_by=cast.owner)
    response = client.get(reverse("projects:survey_detail", args=[survey.pk]))
    assert response.context["answered"] == 1
    answered = {row["organization"].name: row["answered"] for row in response.context["answers"]}
    assert answered == {cast.enterprise.name: True, cast.outsider_org.name: False}


def test_a_survey_with_closing_before_opening_is_rejected_on_the_field(cast, as_user):
    today = timezone.localdate()
    data = {"year": today.year, "opens_on": today.isoformat(), "closes_on": today.isoformat()}
    response = as_user(cast.reviewer).post(reverse("projects:survey_list"), data)
    assert "closes_on" in response.context["form"].errors
    assert not IntendedProjectSurvey.objects.exists()


# --- Review queue ---------------------------------------------------------------------------


def test_review_queue_lists_submitted_filings_oldest_first_and_filters(cast, as_user):
    now = timezone.now()
    newer = make_project(cast.enterprise, name="较新", status=FilingStatus.SUBMITTED, submitted_at=now)
    older = make_project(
        cast.outsider_org,
        name="较早",
        status=FilingStatus.SUBMITTED,
        submitted_at=now - timedelta(days=3),
        country_id="KZ",
        sector=Sector.POWER,
    )
    make_project(cast.enterprise, name="已备案")
    client = as_user(cast.reviewer)
    assert list(client.get(reverse("projects:review_queue")).context["projects"]) == [older, newer]
    assert list(client.get(reverse("projects:review_queue"), {"country": "KZ"}).context["projects"]) == [older]
    assert list(client.get(reverse("projects:review_queue"), {"sector": "transport"}).context["projects"]) == [newer]
    response = client.get(reverse("projects:review_queue"), {"organization": cast.enterprise.pk})
    assert list(response.context["projects"]) == [newer]


@pytest.mark.parametrize("count", [1, 20])
def test_review_queue_makes_the_same_queries_for_1_and_20_filings(cast, as_user, django_assert_num_queries, count):
    for n in range(count):
        make_project(cast.enterprise, name=f"待审{n}", status=FilingStatus.SUBMITTED)
    client = as_user(cast.reviewer)
    # 1 session, 2 user, 3 membership with organisation, 4 paginator count, 5 unread count,
    # 6 the countries and 7 the enterprises of the filter bar, 8 the page of filings with
    # organisation and country.
    with django_assert_num_queries(8):
        response = client.get(reverse("projects:review_queue"))
    assert len(response.context["projects"]) == count


# --- Statistics -----------------------------------------------------------------------------


def make_statistics_projects(cast):
    make_project(cast.enterprise, contract_value_usd=Decimal("100"), chinese_staff=10, local_staff=20)
    make_project(cast.outsider_org, contract_value_usd=Decimal("50"), chinese_staff=1, local_staff=2)
    make_project(cast.enterprise, country_id="KZ", sector=Sector.POWER, contract_value_usd=Decimal("7"))
    make_project(cast.enterprise, status=FilingStatus.DRAFT, contract_value_usd=Decimal("1000"))


def test_statistics_count_approved_projects_by_country(cast, as_user):
    make_statistics_projects(cast)
    response = as_user(cast.official).get(reverse("projects:statistics"))
    rows = {row["key"]: row for row in response.context["rows"]}
    assert rows["KE"]["count"] == 2
    assert rows["KE"]["contract_value_usd"] == Decimal("150")
    assert (rows["KE"]["chinese_staff"], rows["KE"]["local_staff"]) == (11, 22)
    assert rows["KZ"]["count"] == 1
    assert response.context["totals"]["count"] == 3
    assert response.context["chart"]["labels"] == ["肯尼亚", "哈萨克斯坦"]
    assert response.context["chart"]["value"] == [150.0, 7.0]
    assert 'id="statistics-data"' in page_text(response)


@pytest.mark.parametrize(
    ("by", "key", "count"),
    [
        ("region", "africa", 2),
        ("sector", "power", 1),
        ("stage", "under_construction", 3),
        ("business_model", "epc", 3),
        ("year", "2024", 3),
    ],
)
def test_statistics_by_each_dimension(cast, as_user, by, key, count):
    make_statistics_projects(cast)
    response = as_user(cast.official).get(reverse("projects:statistics"), {"by": by})
    rows = {row["key"]: row for row in response.context["rows"]}
    assert rows[key]["count"] == count


def test_statistics_filters_and_links_rows_to_the_list(cast, as_user):
    make_statistics_projects(cast)
    response = as_user(cast.official).get(reverse("projects:statistics"), {"by": "sector", "region": "africa"})
    assert [(row["key"], row["count"]) for row in response.context["rows"]] == [("transport", 2)]
    assert response.context["rows"][0]["query"] == "region=africa&sector=transport"
    response = as_user(cast.official).get(reverse("projects:statistics"), {"filing_status": "draft"})
    assert [(row["key"], row["count"]) for row in response.context["rows"]] == [("KE", 1)]


def test_statistics_export_is_a_csv_of_the_same_rows(cast, as_user):
    make_statistics_projects(cast)
    response = as_user(cast.official).get(reverse("projects:statistics_export"), {"by": "country"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["代码", "国家", "项目数"]
    assert rows[1][:4] == ["KE", "肯尼亚", "2", "150.00"]


@pytest.mark.parametrize("count", [1, 20])
def test_statistics_page_makes_the_same_queries_for_1_and_20_projects(cast, as_user, django_assert_num_queries, count):
    countries = ["KE", "TZ", "KZ", "VN", "ID"]
    for n in range(count):
        make_project(cast.enterprise, name=f"项目{n}", country_id=countries[n % len(countries)])
    client = as_user(cast.official)
    # 1 session, 2 user, 3 membership with organisation, 4 the statistics (one grouped query),
    # 5 unread count, 6 the countries and 7 the enterprises of the filter bar.
    with django_assert_num_queries(7):
        client.get(reverse("projects:statistics"))


# --- The map --------------------------------------------------------------------------------


def test_the_map_counts_approved_projects_and_links_each_country_to_its_list(cast, as_user):
    make_project(cast.enterprise)
    make_project(cast.enterprise, name="肯尼亚草稿", status=FilingStatus.DRAFT)
    make_project(cast.outsider_org, country_id="KZ", sector=Sector.POWER, stage=Stage.OPERATING)
    response = as_user(cast.owner).get(reverse("projects:map"), {"sector": "transport"})
    assert response.context["map_data"] == [{"code": "KE", "name": "肯尼亚", "count": 1}]
    body = page_text(response)
    link = f"{reverse('projects:list')}?country=KE&amp;sector=transport&amp;filing_status=approved"
    assert link in body
    assert 'id="map-data"' in body
    assert "projects/vendor/echarts/echarts" in body
    listed = as_user(cast.owner).get(reverse("projects:list") + "?country=KE&sector=transport&filing_status=approved")
    assert [row["project"].name for row in listed.context["rows"]] == ["蒙巴萨港口扩建工程"]


def test_the_map_filters_by_region_and_stage(cast, as_user):
    make_project(cast.enterprise)
    make_project(cast.outsider_org, country_id="KZ", stage=Stage.OPERATING)
    client = as_user(None)
    assert [r["code"] for r in client.get(reverse("projects:map"), {"region": "central_asia"}).context["map_data"]] == [
        "KZ"
    ]
    assert [
        r["code"] for r in client.get(reverse("projects:map"), {"stage": "under_construction"}).context["map_data"]
    ] == ["KE"]


def test_the_map_names_every_country_for_its_tooltips(cast, client):
    names = client.get(reverse("projects:map")).context["country_names"]
    assert len(names) == 249
    assert names["KE"] == "肯尼亚"


# --- English --------------------------------------------------------------------------------


def test_the_pages_speak_english_under_en(cast, as_user):
    make_project(cast.enterprise)
    body = page_text(as_user(None).get("/en/projects/"))
    assert "Kenya" in body
    assert "Overseas Project Library" in body
    names = as_user(None).get("/en/projects/map/").context["country_names"]
    assert names["KE"] == "Kenya"


def test_english_pages_show_english_names_with_the_chinese_beside_them(cast, as_user):
    project = ProjectFactory(
        organization=cast.enterprise, name="蒙巴萨港泊位扩建", name_en="Mombasa Port Berth Expansion", approved=True
    )
    client = as_user(cast.owner)
    english = client.get(f"/en/projects/{project.pk}/").content.decode()
    assert "<h1>Mombasa Port Berth Expansion</h1>" in english
    assert '<p class="muted" lang="zh-Hans">蒙巴萨港泊位扩建</p>' in english
    assert cast.enterprise.name_en in english
    listing = client.get("/en/projects/").content.decode()
    assert f'/en/projects/{project.pk}/">Mombasa Port Berth Expansion</a>' in listing
    assert '<span class="muted small" lang="zh-Hans">蒙巴萨港泊位扩建</span>' in listing
    chinese = client.get(f"/projects/{project.pk}/").content.decode()
    assert "<h1>蒙巴萨港泊位扩建</h1>" in chinese
    assert '<p class="muted" lang="en">Mombasa Port Berth Expansion</p>' in chinese


def test_a_record_without_an_english_name_keeps_its_chinese_name_on_english_pages(cast, as_user):
    project = ProjectFactory(organization=cast.enterprise, name="仅有中文名的项目", name_en="", approved=True)
    english = as_user(cast.owner).get(f"/en/projects/{project.pk}/").content.decode()
    assert "<h1>仅有中文名的项目</h1>" in english
