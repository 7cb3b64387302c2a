"""`manage.py seed_demo` opens the roll-call of the severe Kenya bulletin, where the demo
enterprise has reported one project safe and one affected and the second demo enterprise is
silent; twice gives the same roll-call and reports."""

import io

import pytest
from django.core.management import call_command
from django.test import Client

from portal.models import AuditEvent, Notification, User
from risk import rollcalls
from risk.models import RiskBulletin, RollCall, RollCallEntry, RollCallReport

pytestmark = pytest.mark.django_db


def seed_demo():
    call_command("seed_demo", stdout=io.StringIO())


def snapshot():
    entries = RollCallEntry.objects.order_by("project_id").values_list(
        "rollcall_id", "project_id", "organization_id", "status", "injured", "missing", "evacuated", "note"
    )
    reports = RollCallReport.objects.order_by("pk").values_list("pk", "entry_id", "status", "reported_at")
    return list(RollCall.objects.values_list("pk", "bulletin_id", "status")), list(entries), list(reports)


def test_seed_demo_twice_gives_the_same_roll_call_and_reports(settings):
    settings.DEBUG = True
    seed_demo()
    first = snapshot()
    counts = (AuditEvent.objects.count(), Notification.objects.count())
    seed_demo()
    assert snapshot() == first
    assert (AuditEvent.objects.count(), Notification.objects.count()) == counts

    severe = RiskBulletin.objects.get(title="肯尼亚内罗毕抗议活动安全提醒")
    rollcall = RollCall.objects.get()
    assert rollcall.bulletin == severe and rollcall.is_open and rollcall.severity == "severe"
    assert list(rollcall.countries.values_list("code", flat=True)) == ["KE"]
    rows = {
        (e.organization.name, e.project.name): e for e in rollcall.entries.select_related("organization", "project")
    }
    assert {name: e.status for (_org, name), e in rows.items()} == {
        "蒙巴萨港扩建工程（二期）": "safe",
        "内罗毕供水管网改造项目": "affected",
        "内罗毕东部外环路改扩建工程": "pending",
    }
    affected = rows["湖北楚天国际工程有限公司", "内罗毕供水管网改造项目"]
    assert (affected.injured, affected.evacuated) == (2, 35) and affected.note
    assert affected.reported_by == User.objects.get(username="enterprise")
    assert RollCallReport.objects.count() == 2
    figures = rollcalls.figures(rollcall)
    assert (figures["organizations"], figures["silent_organizations"]) == (2, 1)
    asked = Notification.objects.filter(dedupe_key__startswith=f"rollcall:{rollcall.pk}:")
    assert list(asked.values_list("recipient__username", flat=True)) == ["enterprise2"]  # the silent one only


def test_seed_demo_opens_the_roll_call_once_on_a_database_seeded_before_roll_calls(settings):
    settings.DEBUG = True
    seed_demo()
    RollCall.objects.all().delete()  # as if the demo had been seeded before roll-calls existed
    seed_demo()
    seed_demo()
    assert RollCall.objects.count() == 1
    assert RollCallReport.objects.count() == 2


def test_the_official_sees_the_silent_demo_enterprise_first_on_the_board(settings):
    settings.DEBUG = True
    seed_demo()
    rollcall = RollCall.objects.get()
    client = Client()
    client.force_login(User.objects.get(username="official"))
    response = client.get(rollcalls.rollcall_url(rollcall))
    assert response.status_code == 200
    board = list(response.context["board"])
    assert [row["organization__name"] for row in board] == ["长沙湘江海外建设集团有限公司", "湖北楚天国际工程有限公司"]
    assert board[0]["last_reported_at"] is None and board[1]["affected"] == 1 and board[1]["safe"] == 1
