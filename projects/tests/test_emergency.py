"""Emergency plans and drills (应急预案与演练): the enterprise keeps its projects' plans (a private
file and the essentials) and drills, officials read them, nobody else sees them; a country's
level rising to 3 or 4 opens an obligation for each exposed project, reminded 14, 7 and 1 days
before it is due (once each), told to officials when overdue, closed by an updated plan; the
to-do list and the officials' compliance by country and organisation."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from portal.models import AuditEvent, Notification
from portal.testing.api import APIMatrix
from portal.testing.cast import roles
from portal.testing.files import pdf_bytes, upload
from portal.testing.pages import LOGIN, PageMatrix
from projects import emergency, tasks
from projects.choices import Stage
from projects.models import EmergencyDrill, EmergencyPlan, PlanObligation
from risk import services as risk_services
from risk.tests.factories import CountryRiskFactory

from .factories import ProjectFactory

pytestmark = pytest.mark.django_db

OFFICIALS = ("reviewer", "publisher", "trainer", "official")
TODAY = dt.date(2026, 6, 1)


@pytest.fixture(autouse=True)
def private_root(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private")


def officials(value) -> dict:
    return dict.fromkeys(OFFICIALS, value)


def plan_data(**overrides) -> dict:
    return {
        "contacts": "项目经理 李工 +254 700 000 001",
        "evacuation_routes": "营地—港区—机场",
        "embassy": "中国驻蒙巴萨总领事馆",
        "hospitals": "阿迦汗医院",
        "file": upload("预案.pdf", pdf_bytes("plan")),
    } | overrides


def a_plan(project, **overrides) -> EmergencyPlan:
    owner = project.organization.memberships.first().user
    return emergency.plan_set(actor=owner, project=project, data=plan_data(**overrides))


@pytest.fixture
def project(cast):
    return ProjectFactory(organization=cast.enterprise, approved=True, country_id="KE")


# --- The plan and the drills ------------------------------------------------------------------


def test_saving_a_plan_counts_as_its_review_closes_the_obligation_and_is_audited(cast, project):
    obligation = PlanObligation.objects.create(project=project, level=3, due_on=timezone.localdate())
    plan = emergency.plan_set(actor=cast.owner, project=project, data=plan_data())
    assert (plan.reviewed_on, plan.updated_by, plan.contacts) == (
        timezone.localdate(),
        cast.owner,
        "项目经理 李工 +254 700 000 001",
    )
    assert plan.file.name.endswith(".pdf")
    obligation.refresh_from_db()
    assert obligation.closed_at is not None
    event = AuditEvent.objects.get(action="emergency_plan.set")
    assert (event.data["created"], event.data["obligations_closed"]) == (True, 1)


def test_a_revision_may_keep_the_file_and_a_new_file_replaces_the_old(
    cast, project, django_capture_on_commit_callbacks
):
    first = a_plan(project)
    old_name = first.file.name
    storage = first.file.storage
    kept = emergency.plan_set(actor=cast.owner, project=project, data=plan_data(file=None, hospitals="新医院"))
    assert (kept.pk, kept.file.name, kept.hospitals) == (first.pk, old_name, "新医院")
    with django_capture_on_commit_callbacks(execute=True):
        replaced = emergency.plan_set(
            actor=cast.owner, project=project, data=plan_data(file=upload("b.pdf", pdf_bytes("b")))
        )
    assert replaced.file.name != old_name
    assert storage.exists(replaced.file.name) and not storage.exists(old_name)


def test_a_plan_missing_everything_says_each_thing_at_once_and_saves_nothing(cast, project):
    with pytest.raises(ValidationError) as caught:
        emergency.plan_set(
            actor=cast.owner,
            project=project,
            data={"contacts": "", "evacuation_routes": " ", "embassy": "", "hospitals": "", "file": None},
        )
    assert set(caught.value.message_dict) == {"contacts", "evacuation_routes", "embassy", "hospitals", "file"}
    assert not EmergencyPlan.objects.exists()


def test_a_file_that_claims_to_be_a_pdf_but_is_not_is_refused(cast, project, client):
    client.force_login(cast.owner)
    response = client.post(
        reverse("projects:emergency", kwargs={"pk": project.pk}),
        plan_data(file=upload("预案.pdf", b"MZ\x90\x00 not a pdf")),
    )
    assert response.status_code == 400
    assert "文件类型不支持" in response.content.decode()
    assert not EmergencyPlan.objects.exists()


def test_officials_read_plans_but_only_the_enterprise_writes_them(cast, project):
    with pytest.raises(PermissionError):
        emergency.plan_set(actor=cast.official, project=project, data=plan_data())
    with pytest.raises(PermissionError):
        emergency.plan_set(actor=cast.outsider, project=project, data=plan_data())
    with pytest.raises(PermissionError):
        emergency.drill_add(actor=cast.reviewer, project=project, data={"held_on": TODAY, "participants": 3})


def test_a_completed_project_needs_no_plan(cast):
    done = ProjectFactory(organization=cast.enterprise, approved=True, stage=Stage.COMPLETED)
    with pytest.raises(ValidationError) as caught:
        emergency.plan_set(actor=cast.owner, project=done, data=plan_data())
    assert "已竣工" in str(caught.value)


def test_a_drill_in_the_future_or_without_participants_is_refused_with_the_field(cast, project, api):
    client = api.as_user(cast.owner)
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    response = client.post(
        reverse("api:emergency-drill-list"),
        {"project": project.pk, "held_on": tomorrow, "participants": -2},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()) >= {"participants"}
    response = client.post(
        reverse("api:emergency-drill-list"),
        {"project": project.pk, "held_on": tomorrow, "participants": 5},
        format="json",
    )
    assert response.status_code == 400
    assert "演练日期不能晚于今天。" in response.json()["held_on"]
    assert not EmergencyDrill.objects.exists()


def test_a_drill_for_another_organisations_project_is_a_field_error(cast, api):
    theirs = ProjectFactory(organization=cast.outsider_org, approved=True)
    response = api.as_user(cast.owner).post(
        reverse("api:emergency-drill-list"),
        {"project": theirs.pk, "held_on": "2026-01-05", "participants": 5},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"project": ["项目不存在。"]}


def test_officials_writing_get_403_before_any_field_is_read(cast, api):
    for name in ("api:emergency-drill-list", "api:emergency-plan-list"):
        assert api.as_user(cast.official).post(reverse(name), {}, format="json").status_code == 403
        assert api.as_user(cast.supplier).post(reverse(name), {}, format="json").status_code == 403


# --- API matrices -----------------------------------------------------------------------------


class TestPlanAPI(APIMatrix):
    basename = "emergency-plan"
    create_format = "multipart"
    expect = {
        # The enterprise's and the officials'; nobody else's (404 for the outsider).
        "list": roles(False, {"owner": True, "colleague": True}, officials(True), anonymous=401),
        "retrieve": roles(404, {"owner": 200, "colleague": 200}, officials(200), anonymous=401),
        # Another enterprise naming this one's project: a field error, as if it did not exist.
        "create": roles(403, {"owner": 201, "colleague": 201, "outsider": 400}, anonymous=401),
    }

    def make_record(self, cast):
        project = ProjectFactory(organization=cast.enterprise, approved=True)
        return emergency.plan_set(actor=cast.owner, project=project, data=plan_data())

    def create_data(self, cast):
        fresh = ProjectFactory(organization=cast.enterprise, approved=True)
        return {**plan_data(file=upload("p.pdf", pdf_bytes("p"))), "project": fresh.pk}


def test_the_plan_downloads_for_the_enterprise_and_officials_only(cast, project, api):
    plan = a_plan(project)
    url = reverse("api:emergency-plan-download", kwargs={"pk": plan.pk})
    response = api.as_user(cast.owner).get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    assert api.as_user(cast.reviewer).get(url).status_code == 200
    assert api.as_user(cast.outsider).get(url).status_code == 404
    assert api.as_user(cast.supplier).get(url).status_code == 404


def test_a_plan_uploaded_over_the_api_creates_then_revises(cast, project, api):
    client = api.as_user(cast.owner)
    first = client.post(reverse("api:emergency-plan-list"), {**plan_data(), "project": project.pk}, format="multipart")
    assert first.status_code == 201, first.content
    assert first.json()["file"].endswith(f"/api/v1/emergency-plans/{first.json()['id']}/download/")
    again = client.post(
        reverse("api:emergency-plan-list"),
        {**plan_data(hospitals="新医院"), "project": project.pk, "file": upload("b.pdf", pdf_bytes("b"))},
        format="multipart",
    )
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]


class TestDrillAPI(APIMatrix):
    basename = "emergency-drill"
    expect = {
        "list": roles(False, {"owner": True, "colleague": True}, officials(True), anonymous=401),
        "retrieve": roles(404, {"owner": 200, "colleague": 200}, officials(200), anonymous=401),
        "create": roles(403, {"owner": 201, "colleague": 201, "outsider": 400}, anonymous=401),
    }

    def make_record(self, cast):
        project = ProjectFactory(organization=cast.enterprise, approved=True)
        return emergency.drill_add(actor=cast.owner, project=project, data={"held_on": TODAY, "participants": 40})

    def create_data(self, cast):
        return {"project": EmergencyDrill.objects.get().project_id, "held_on": "2026-05-20", "participants": 12}


class TestObligationAPI(APIMatrix):
    basename = "plan-obligation"
    expect = {
        "list": roles(False, {"owner": True, "colleague": True}, officials(True), anonymous=401),
        "retrieve": roles(404, {"owner": 200, "colleague": 200}, officials(200), anonymous=401),
    }

    def make_record(self, cast):
        project = ProjectFactory(organization=cast.enterprise, approved=True)
        return PlanObligation.objects.create(project=project, level=3, due_on=TODAY)


@pytest.mark.parametrize("basename", ["emergency-plan", "emergency-drill", "plan-obligation"])
def test_each_list_costs_the_same_queries_for_one_record_or_many(cast, api, basename, django_assert_num_queries):
    for _n in range(6):
        project = ProjectFactory(organization=cast.enterprise, approved=True)
        a_plan(project)
        emergency.drill_add(actor=cast.owner, project=project, data={"held_on": TODAY, "participants": 3})
        PlanObligation.objects.create(project=project, level=3, due_on=TODAY)
    client = api.as_user(cast.owner)
    client.get(reverse(f"api:{basename}-list"))  # the membership is cached on the user
    for size in (1, 6):
        with django_assert_num_queries(2):  # the count; the page
            response = client.get(reverse(f"api:{basename}-list"), {"page_size": size})
        assert len(response.json()["results"]) == size


# --- Pages ------------------------------------------------------------------------------------


class TestEmergencyPages(PageMatrix):
    url_name = "projects:emergency"
    watch = (EmergencyPlan, EmergencyDrill)
    post_data = {
        "post": lambda cast, project: plan_data(),
        "post:drill_add": {"held_on": "2026-01-05", "participants": "20", "findings": "集合点照明不足"},
    }
    effects = {
        "post": lambda project: project.emergency_plan.contacts.startswith("项目经理"),
        "post:drill_add": lambda project: project.drills.get().participants == 20,
    }
    expect = {
        # The project is public (approved), its emergency page is not.
        "get": roles(404, {"owner": 200, "colleague": 200}, officials(200), anonymous=LOGIN),
        "post": roles(404, {"owner": "done", "colleague": "done"}, officials(403), anonymous=LOGIN),
        "post:drill_add": roles(404, {"owner": "done", "colleague": "done"}, officials(403), anonymous=LOGIN),
        "get:plan_file": roles(404, officials(404), {"owner": 404, "colleague": 404}, anonymous=LOGIN),
    }

    def make_record(self, cast):
        return ProjectFactory(organization=cast.enterprise, approved=True)


def test_the_plan_file_downloads_from_the_page(cast, project, client):
    a_plan(project)
    client.force_login(cast.reviewer)
    response = client.get(reverse("projects:plan_file", kwargs={"pk": project.pk}))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    client.force_login(cast.outsider)
    assert client.get(reverse("projects:plan_file", kwargs={"pk": project.pk})).status_code == 404


def test_the_page_shows_the_plan_the_drills_and_what_is_required(cast, project, client):
    CountryRiskFactory(country_id="KE", level=3)
    client.force_login(cast.owner)
    body = client.get(reverse("projects:emergency", kwargs={"pk": project.pk})).content.decode()
    assert "尚未上传应急预案。" in body and "待完善" in body and 'data-testid="plan-save"' in body
    a_plan(project)
    emergency.drill_add(actor=cast.owner, project=project, data={"held_on": timezone.localdate(), "participants": 9})
    body = client.get(reverse("projects:emergency", kwargs={"pk": project.pk})).content.decode()
    assert "符合要求" in body and "阿迦汗医院" in body and 'data-testid="plan-file"' in body
    client.force_login(cast.reviewer)
    body = client.get(reverse("projects:emergency", kwargs={"pk": project.pk})).content.decode()
    assert 'data-testid="plan-save"' not in body  # officials read


def test_a_bad_plan_form_shows_every_error_and_saves_nothing(cast, project, client):
    client.force_login(cast.owner)
    response = client.post(reverse("projects:emergency", kwargs={"pk": project.pk}), {"contacts": "x"})
    body = response.content.decode()
    assert response.status_code == 400
    assert "请填写撤离路线。" in body and "请上传应急预案文件" in body
    response = client.post(
        reverse("projects:drill_add", kwargs={"pk": project.pk}), {"held_on": "2999-01-01", "participants": "0"}
    )
    assert response.status_code == 400
    assert "演练日期不能晚于今天。" in response.content.decode()
    assert not EmergencyPlan.objects.exists() and not EmergencyDrill.objects.exists()


class TestEmergencyListPage(PageMatrix):
    url_name = "projects:emergency_list"
    expect = {
        "get": roles(403, {"owner": 200, "colleague": 200, "outsider": 200}, officials(200), anonymous=LOGIN),
    }


# --- Obligations ------------------------------------------------------------------------------


def test_a_rise_to_3_opens_an_obligation_for_each_exposed_project_there_only(cast):
    risk = CountryRiskFactory(country_id="KE", level=2)
    on_site = ProjectFactory(organization=cast.enterprise, approved=True, country_id="KE")
    submitted = ProjectFactory(organization=cast.outsider_org, submitted=True, country_id="KE")
    ProjectFactory(organization=cast.enterprise, country_id="KE")  # a draft
    ProjectFactory(organization=cast.enterprise, approved=True, country_id="KE", stage=Stage.COMPLETED)
    ProjectFactory(organization=cast.enterprise, approved=True, country_id="TZ")

    risk_services.country_risk_set(actor=cast.publisher, country_risk=risk, data={"level": 3, "reason": "骚乱"})

    opened = PlanObligation.objects.all()
    assert {o.project_id for o in opened} == {on_site.pk, submitted.pk}
    assert {o.due_on for o in opened} == {timezone.localdate() + dt.timedelta(days=30)}
    # 3 → 4 is no new rise; 4 → 2 → 3 is, but the open obligations stay single.
    risk_services.country_risk_set(actor=cast.publisher, country_risk=risk, data={"level": 4, "reason": "冲突"})
    risk_services.country_risk_set(actor=cast.publisher, country_risk=risk, data={"level": 2, "reason": "缓和"})
    risk_services.country_risk_set(actor=cast.publisher, country_risk=risk, data={"level": 3, "reason": "反复"})
    assert PlanObligation.objects.count() == 2


def test_a_first_level_of_3_opens_obligations_too(cast):
    project = ProjectFactory(organization=cast.enterprise, approved=True, country_id="NG")
    risk_services.country_risk_set(
        actor=cast.publisher,
        data={"country": project.country, "level": 3, "reason": "首次评估"},
    )
    assert PlanObligation.objects.filter(project=project).exists()


def test_reminders_go_at_14_7_and_1_days_once_each_and_officials_hear_of_the_overdue_once(cast, project):
    obligation = PlanObligation.objects.create(project=project, level=3, due_on=TODAY + dt.timedelta(days=20))
    for day in range(23):
        for _run in range(2):
            emergency.obligations_remind(today=TODAY + dt.timedelta(days=day))
    keys = list(Notification.objects.filter(recipient=cast.owner).order_by("id").values_list("dedupe_key", flat=True))
    assert keys == [f"plan-obligation:{obligation.pk}:{days}" for days in (14, 7, 1)]
    told = Notification.objects.filter(dedupe_key=f"plan-obligation-overdue:{obligation.pk}")
    assert set(told.values_list("recipient_id", flat=True)) == {cast.publisher.pk, cast.official.pk}
    assert "逾期" in told.first().title


def test_an_updated_plan_stops_the_reminders(cast, project):
    PlanObligation.objects.create(project=project, level=3, due_on=timezone.localdate() + dt.timedelta(days=10))
    a_plan(project)
    assert emergency.obligations_remind() == {"reminded": 0, "overdue": 0}


def test_the_reminder_job_is_daily_in_the_beat_schedule(cast, project):
    entry = django_settings.PORTAL_BEAT_SCHEDULE["projects-emergency-remind"]
    assert entry["task"] == "projects.emergency_remind" == tasks.emergency_remind.name
    PlanObligation.objects.create(project=project, level=3, due_on=timezone.localdate() + dt.timedelta(days=1))
    assert tasks.emergency_remind() == {"reminded": 2, "overdue": 0}


@pytest.mark.parametrize("count", [1, 12])
def test_the_reminder_job_costs_the_same_queries_however_many_are_due(cast, count, django_assert_max_num_queries):
    for _n in range(count):
        project = ProjectFactory(organization=cast.enterprise, approved=True)
        PlanObligation.objects.create(project=project, level=3, due_on=TODAY + dt.timedelta(days=5))
        PlanObligation.objects.create(
            project=ProjectFactory(organization=cast.outsider_org, approved=True), level=3, due_on=TODAY
        )
    with django_assert_max_num_queries(16):
        emergency.obligations_remind(today=TODAY + dt.timedelta(days=2))


# --- To-do and compliance ---------------------------------------------------------------------


def test_the_enterprise_sees_its_to_do_and_officials_see_compliance(cast, client):
    CountryRiskFactory(country_id="KE", level=3)
    CountryRiskFactory(country_id="NG", level=4)
    kenya = ProjectFactory(organization=cast.enterprise, approved=True, country_id="KE", name="蒙巴萨港")
    nigeria = ProjectFactory(organization=cast.enterprise, approved=True, country_id="NG", name="莱基道路")
    ProjectFactory(organization=cast.enterprise, approved=True, country_id="TZ", name="达市医院")  # level unknown
    a_plan(kenya)
    emergency.drill_add(actor=cast.owner, project=kenya, data={"held_on": timezone.localdate(), "participants": 9})
    PlanObligation.objects.create(project=nigeria, level=4, due_on=timezone.localdate() - dt.timedelta(days=1))

    todo = emergency.todo_for(cast.owner)
    assert [(row["project"].name, row["overdue"]) for row in todo] == [("莱基道路", True)]
    client.force_login(cast.owner)
    body = client.get(reverse("projects:emergency_list")).content.decode()
    assert "莱基道路" in body and "已逾期" in body and "蒙巴萨港" not in body

    by_country = {row["risk"].country_id: row for row in emergency.compliance_by_country()}
    assert (by_country["KE"]["projects"], by_country["KE"]["plans"], by_country["KE"]["drills"]) == (1, 1, 1)
    assert (by_country["NG"]["overdue"], by_country["NG"]["plans"]) == (1, 0)
    (org,) = emergency.compliance_by_organization()
    assert (org["projects"], org["without_plan"], org["without_drill"], org["overdue"]) == (2, 1, 1, 1)
    client.force_login(cast.reviewer)
    body = client.get(reverse("projects:emergency_list")).content.decode()
    assert 'data-testid="compliance-by-country"' in body and cast.enterprise.name in body


def test_seed_demo_twice_gives_the_same_plans_drill_and_obligations(settings):
    import io

    from django.core.management import call_command

    from risk.models import NegativeCase

    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())
    assert EmergencyPlan.objects.count() == 2 and EmergencyDrill.objects.count() == 1
    overdue = PlanObligation.objects.filter(closed_at__isnull=True, due_on__lt=timezone.localdate())
    assert PlanObligation.objects.filter(closed_at__isnull=True).count() == 2 and overdue.count() == 1
    assert all(plan.file.storage.exists(plan.file.name) for plan in EmergencyPlan.objects.all())
    assert NegativeCase.objects.count() == 12
    from talent.trainings.models import AgendaItem

    assert AgendaItem.objects.filter(negative_case__country_id="KH").count() == 1  # the training links a case
