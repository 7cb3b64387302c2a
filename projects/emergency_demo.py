"""Demo emergency plans and drills for `manage.py seed_demo` (run from projects/demo.py): the
demo enterprise's Mombasa port with a current plan and a recent drill, its Lagos road with a
plan more than a year old and an overdue obligation (Nigeria is at level 3 in the risk demo),
and its Phnom Penh service areas with an obligation due within a week. Idempotent."""

from __future__ import annotations

import datetime as dt

from django.core.files.base import ContentFile
from django.utils import timezone

from portal.testing.files import pdf_bytes

from .models import EmergencyDrill, EmergencyPlan, PlanObligation, Project

PLAN = {
    "contacts": "项目经理 李工 +254 700 000 001；安全总监 王工 +254 700 000 002；国内应急值班 027-8888 0000",
    "evacuation_routes": "营地—蒙巴萨港区—莫伊国际机场；备用：营地—A109 公路—内罗毕。",
    "embassy": "中国驻蒙巴萨总领事馆，领事保护电话 +254 41 222 0000",
    "hospitals": "阿迦汗医院蒙巴萨分院（24 小时急诊），距营地 6 公里。",
}


def _plan(project: Project, *, reviewed_days_ago: int, actor) -> None:
    plan = EmergencyPlan.objects.filter(project=project).first() or EmergencyPlan(project=project)
    for field, value in PLAN.items():
        setattr(plan, field, value)
    plan.reviewed_on = timezone.localdate() - dt.timedelta(days=reviewed_days_ago)
    plan.updated_by = actor
    if not plan.file:
        plan.file.save(f"plan-{project.pk}.pdf", ContentFile(pdf_bytes(f"Emergency plan {project.pk}")), save=False)
    plan.save()


def seed(*, accounts, stdout) -> None:
    actor = accounts.users["enterprise"]
    mine = Project.objects.filter(organization=accounts.organizations["enterprise"])
    today = timezone.localdate()
    mombasa = mine.filter(country_id="KE", location="蒙巴萨").first()
    lagos = mine.filter(country_id="NG").first()
    phnom_penh = mine.filter(country_id="KH").first()
    if mombasa:
        _plan(mombasa, reviewed_days_ago=60, actor=actor)
        EmergencyDrill.objects.get_or_create(
            project=mombasa,
            held_on=today - dt.timedelta(days=45),
            defaults={
                "participants": 86,
                "findings": "夜间撤离集合时间超过预期，已增设集合点照明。",
                "created_by": actor,
            },
        )
    if lagos:
        _plan(lagos, reviewed_days_ago=400, actor=actor)
        if not PlanObligation.objects.filter(project=lagos, closed_at__isnull=True).exists():
            PlanObligation.objects.create(project=lagos, level=3, due_on=today - dt.timedelta(days=5))
    if phnom_penh and not PlanObligation.objects.filter(project=phnom_penh, closed_at__isnull=True).exists():
        PlanObligation.objects.create(project=phnom_penh, level=3, due_on=today + dt.timedelta(days=6))
    stdout.write("  projects: emergency plans, a drill and plan obligations (one overdue)")
