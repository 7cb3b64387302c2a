"""Safety roll-calls (平安报备) as services: opened by a severe or extreme bulletin over exactly
the exposed organisations' projects (or by hand), reported on by each organisation for its own
projects only, reminded once per interval until reported, closed with the figures frozen."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from portal.models import AuditEvent, Notification
from projects.choices import FilingStatus, Stage
from projects.tests.factories import ProjectFactory
from risk import bulletins, rollcalls, tasks
from risk.models import RollCall, RollCallEntry, RollCallReport

from .factories import BulletinFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks_run_here")]


def publish(cast, capture, **fields):
    bulletin = BulletinFactory(**{"severity": "severe", "countries": ["KE"], **fields})
    with capture(execute=True):
        bulletins.bulletin_publish(actor=cast.publisher, bulletin=bulletin)
    return bulletin


@pytest.fixture
def exposed(cast):
    """Two projects of the enterprise in Kenya, one of the outsider's; and what is not exposed."""
    mombasa = ProjectFactory(
        organization=cast.enterprise, approved=True, country_id="KE", chinese_staff=40, local_staff=120
    )
    nairobi = ProjectFactory(
        organization=cast.enterprise, country_id="KE", filing_status=FilingStatus.SUBMITTED, chinese_staff=12
    )
    theirs = ProjectFactory(organization=cast.outsider_org, approved=True, country_id="KE", chinese_staff=7)
    ProjectFactory(organization=cast.enterprise, country_id="KE")  # a draft
    ProjectFactory(organization=cast.outsider_org, approved=True, country_id="KE", stage=Stage.COMPLETED)
    ProjectFactory(organization=cast.outsider_org, approved=True, country_id="TZ")
    return {"mombasa": mombasa, "nairobi": nairobi, "theirs": theirs}


def report(user, rollcall, project, status="safe", **data):
    return rollcalls.rollcall_report(
        actor=user, rollcall=rollcall, project_id=project.pk, data={"status": status, **data}
    )


# --- Opening ----------------------------------------------------------------------------------


def test_a_severe_bulletin_opens_a_roll_call_over_exactly_the_exposed_projects(
    cast, exposed, django_capture_on_commit_callbacks
):
    bulletin = publish(cast, django_capture_on_commit_callbacks)
    rollcall = RollCall.objects.get()
    assert (rollcall.bulletin, rollcall.severity, rollcall.remind_every_hours) == (bulletin, "severe", 12)
    assert rollcall.ends_at == bulletin.expires_at
    entries = RollCallEntry.objects.filter(rollcall=rollcall)
    assert {e.project_id for e in entries} == {p.pk for p in exposed.values()}
    assert {(e.project_id, e.organization_id, e.chinese_staff, e.status) for e in entries} == {
        (exposed["mombasa"].pk, cast.enterprise.pk, 40, "pending"),
        (exposed["nairobi"].pk, cast.enterprise.pk, 12, "pending"),
        (exposed["theirs"].pk, cast.outsider_org.pk, 7, "pending"),
    }
    # The first ask went out after commit to both organisations' members, and nobody else.
    asked = Notification.objects.filter(dedupe_key__startswith=f"rollcall:{rollcall.pk}:")
    assert set(asked.values_list("recipient_id", flat=True)) == {cast.owner.pk, cast.colleague.pk, cast.outsider.pk}
    assert "请报送平安报备" in asked.first().title
    assert AuditEvent.objects.get(action="rollcall.open").data["projects"] == 3


def test_an_extreme_bulletin_reminds_every_2_hours(cast, exposed, django_capture_on_commit_callbacks):
    publish(cast, django_capture_on_commit_callbacks, severity="extreme")
    assert RollCall.objects.get().remind_every_hours == 2


@pytest.mark.parametrize("severity", ["minor", "moderate"])
def test_a_lesser_bulletin_opens_none(cast, exposed, severity, django_capture_on_commit_callbacks):
    publish(cast, django_capture_on_commit_callbacks, severity=severity)
    assert not RollCall.objects.exists()


def test_no_roll_call_when_nobody_is_exposed(cast, django_capture_on_commit_callbacks):
    publish(cast, django_capture_on_commit_callbacks, countries=["VN"])
    assert not RollCall.objects.exists()


def test_an_update_of_a_bulletin_whose_roll_call_is_open_keeps_that_one(
    cast, exposed, django_capture_on_commit_callbacks
):
    first = publish(cast, django_capture_on_commit_callbacks)
    publish(cast, django_capture_on_commit_callbacks, supersedes=first, change_note="局势升级")
    assert RollCall.objects.count() == 1


def test_cancelling_the_bulletin_closes_its_roll_call(cast, exposed, django_capture_on_commit_callbacks):
    bulletin = publish(cast, django_capture_on_commit_callbacks)
    report(cast.owner, RollCall.objects.get(), exposed["mombasa"])
    with django_capture_on_commit_callbacks(execute=True):
        bulletins.bulletin_cancel(actor=cast.publisher, bulletin=bulletin, reason="误发")
    rollcall = RollCall.objects.get()
    assert rollcall.status == "closed" and rollcall.final_figures["statuses"]["safe"]["projects"] == 1


def test_an_official_starts_one_by_hand_for_countries_and_a_window(cast, exposed):
    ends = timezone.now() + dt.timedelta(days=3)
    rollcall = rollcalls.rollcall_start(
        actor=cast.publisher,
        data={"title": "肯尼亚大选期间平安报备", "countries": ["KE", "TZ"], "severity": "severe", "ends_at": ends},
    )
    assert (rollcall.opened_by, rollcall.remind_every_hours, rollcall.ends_at) == (cast.publisher, 12, ends)
    assert RollCallEntry.objects.filter(rollcall=rollcall).count() == 4  # TZ's project too


def test_starting_one_by_hand_checks_every_field_at_once_and_makes_nothing(cast, exposed):
    with pytest.raises(ValidationError) as caught:
        rollcalls.rollcall_start(
            actor=cast.publisher,
            data={
                "title": "",
                "countries": ["VN"],
                "severity": "moderate",
                "ends_at": timezone.now() - dt.timedelta(hours=1),
                "remind_every_hours": 0,
            },
        )
    assert set(caught.value.message_dict) == {"title", "countries", "severity", "ends_at", "remind_every_hours"}
    assert "暂无在建项目" in caught.value.message_dict["countries"][0]
    assert not RollCall.objects.exists()
    with pytest.raises(PermissionError):
        rollcalls.rollcall_start(actor=cast.reviewer, data={})


# --- Reporting --------------------------------------------------------------------------------


@pytest.fixture
def rollcall(cast, exposed, django_capture_on_commit_callbacks):
    publish(cast, django_capture_on_commit_callbacks)
    return RollCall.objects.get()


def test_reports_update_the_row_and_every_one_is_kept_with_who_and_when(cast, exposed, rollcall):
    report(cast.owner, rollcall, exposed["mombasa"], "affected", injured=2, missing=1, evacuated=30, note="营地遭冲击")
    entry = report(cast.colleague, rollcall, exposed["mombasa"], "safe", evacuated=30)
    assert (entry.status, entry.injured, entry.evacuated, entry.reported_by) == ("safe", 0, 30, cast.colleague)
    history = list(RollCallReport.objects.filter(entry=entry).order_by("id"))
    assert [(r.status, r.injured, r.missing, r.reported_by) for r in history] == [
        ("affected", 2, 1, cast.owner),
        ("safe", 0, 0, cast.colleague),
    ]
    assert all(r.reported_at for r in history)
    assert AuditEvent.objects.filter(action="rollcall.report").count() == 2


def test_a_report_on_another_organisations_project_is_a_field_error_and_changes_nothing(cast, exposed, rollcall):
    with pytest.raises(ValidationError) as caught:
        report(cast.owner, rollcall, exposed["theirs"])
    assert caught.value.message_dict == {"project": ["项目不存在。"]}
    assert not RollCallReport.objects.exists()


def test_bad_counts_and_statuses_say_each_field(cast, exposed, rollcall):
    with pytest.raises(ValidationError) as caught:
        report(cast.owner, rollcall, exposed["mombasa"], "pending", injured=-1, missing="x", evacuated=True)
    assert set(caught.value.message_dict) == {"status", "injured", "missing", "evacuated"}
    with pytest.raises(ValidationError) as caught:
        report(cast.owner, rollcall, exposed["mombasa"], "affected", injured=1)
    assert caught.value.message_dict == {"note": ["请说明受影响的情况。"]}
    assert RollCallEntry.objects.get(project=exposed["mombasa"]).status == "pending"


def test_officials_and_outsiders_do_not_report(cast, exposed, rollcall):
    with pytest.raises(PermissionError):
        report(cast.publisher, rollcall, exposed["mombasa"])
    with pytest.raises(PermissionError):
        report(cast.talent, rollcall, exposed["mombasa"])


# --- Reminders --------------------------------------------------------------------------------


def reminders(rollcall, user):
    return list(
        Notification.objects.filter(recipient=user, dedupe_key__startswith=f"rollcall:{rollcall.pk}:")
        .order_by("id")
        .values_list("dedupe_key", flat=True)
    )


def test_reminders_go_once_per_interval_however_often_the_job_runs_and_stop_when_reported(cast, exposed, rollcall):
    start = rollcall.starts_at
    for hours in (0.5, 1, 11.9, 12.1, 12.2, 13):
        for _run in range(2):
            rollcalls.rollcalls_remind(now=start + dt.timedelta(hours=hours))
    org = cast.enterprise.pk
    assert reminders(rollcall, cast.owner) == [f"rollcall:{rollcall.pk}:{org}:{k}" for k in (0, 1)]
    report(cast.owner, rollcall, exposed["mombasa"])
    rollcalls.rollcalls_remind(now=start + dt.timedelta(hours=24.5))  # still one project pending
    assert reminders(rollcall, cast.owner)[-1] == f"rollcall:{rollcall.pk}:{org}:2"
    report(cast.owner, rollcall, exposed["nairobi"], "unreachable")
    rollcalls.rollcalls_remind(now=start + dt.timedelta(hours=36.5))
    assert len(reminders(rollcall, cast.owner)) == 3  # reported: no more
    assert reminders(rollcall, cast.outsider)[-1] == f"rollcall:{rollcall.pk}:{cast.outsider_org.pk}:3"


def test_the_job_closes_a_roll_call_whose_window_ended_and_reminds_no_more(cast, exposed, rollcall):
    after = rollcall.ends_at + dt.timedelta(minutes=1)
    assert rollcalls.rollcalls_remind(now=after) == {"closed": 1, "reminded": 0}
    rollcall.refresh_from_db()
    assert rollcall.status == "closed" and rollcall.closed_by is None
    assert rollcall.final_figures["statuses"]["pending"]["projects"] == 3


def test_the_reminder_job_is_in_the_beat_schedule_every_15_minutes(cast):
    entry = django_settings.PORTAL_BEAT_SCHEDULE["risk-rollcalls-remind"]
    assert (entry["task"], entry["schedule"]) == (tasks.rollcalls_remind.name, 900)
    assert tasks.rollcalls_remind() == {"closed": 0, "reminded": 0}


@pytest.mark.parametrize("organizations", [1, 8])
def test_reminding_costs_the_same_queries_however_many_organisations(
    cast, organizations, django_assert_max_num_queries
):
    from portal.choices import OrganizationKind
    from portal.testing.factories import OrganizationFactory, member

    for _n in range(organizations):
        org = OrganizationFactory(kind=OrganizationKind.ENTERPRISE)
        member(org)
        ProjectFactory(organization=org, approved=True, country_id="KE")
    rollcall = rollcalls.rollcall_start(
        actor=cast.publisher,
        data={
            "title": "点名",
            "countries": ["KE"],
            "severity": "extreme",
            "ends_at": timezone.now() + dt.timedelta(days=1),
        },
    )
    with django_assert_max_num_queries(14):
        assert rollcalls.rollcall_remind(rollcall=rollcall) == organizations


# --- Closing and figures ----------------------------------------------------------------------


def test_closing_freezes_the_figures_and_refuses_later_reports(cast, exposed, rollcall):
    report(cast.owner, rollcall, exposed["mombasa"], "affected", injured=2, missing=1, evacuated=5, note="骚乱")
    closed = rollcalls.rollcall_close(actor=cast.publisher, rollcall=rollcall)
    frozen = closed.final_figures
    assert (frozen["projects"], frozen["injured"], frozen["missing"], frozen["evacuated"]) == (3, 2, 1, 5)
    assert frozen["statuses"]["affected"] == {"projects": 1, "chinese_staff": 40, "local_staff": 120}
    assert (frozen["organizations"], frozen["silent_organizations"]) == (2, 1)
    assert closed.closed_by == cast.publisher and AuditEvent.objects.filter(action="rollcall.close").exists()
    with pytest.raises(ValidationError) as caught:
        report(cast.owner, rollcall, exposed["nairobi"])
    assert "已结束" in str(caught.value)
    RollCallEntry.objects.filter(project=exposed["nairobi"]).update(status="safe")  # a stray write
    assert rollcalls.figures(closed) == frozen
    assert rollcalls.rollcalls_remind(now=rollcall.starts_at + dt.timedelta(hours=13))["reminded"] == 0
    with pytest.raises(ValidationError):
        rollcalls.rollcall_close(actor=cast.publisher, rollcall=closed)


def test_the_board_puts_the_silent_organisations_first(cast, exposed, rollcall):
    from portal.choices import OrganizationKind
    from portal.testing.factories import OrganizationFactory

    quiet = OrganizationFactory(name="安静的企业", kind=OrganizationKind.ENTERPRISE)
    RollCallEntry.objects.create(
        rollcall=rollcall,
        project=ProjectFactory(organization=quiet, approved=True, country_id="KE"),
        organization=quiet,
    )
    report(cast.owner, rollcall, exposed["mombasa"])  # the enterprise: one reported, one pending
    report(cast.outsider, rollcall, exposed["theirs"])  # the outsider: all reported
    rows = list(rollcalls.board(rollcall))
    assert [r["organization_id"] for r in rows] == [quiet.pk, cast.enterprise.pk, cast.outsider_org.pk]
    assert (rows[1]["projects"], rows[1]["safe"], rows[1]["pending"], rows[1]["chinese_staff"]) == (2, 1, 1, 52)
    mine = list(rollcalls.board(rollcall, organization_id=cast.enterprise.pk))
    assert [r["organization_id"] for r in mine] == [cast.enterprise.pk]
