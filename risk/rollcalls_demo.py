"""The demo safety roll-call for `manage.py seed_demo` (run from risk/demo.py, after the
bulletins): the severe Kenya bulletin's roll-call over the exposed demo projects, where the demo
enterprise (湖北楚天国际工程) has reported its Mombasa port safe and its Nairobi water network
affected, and the second demo enterprise (长沙湘江海外建设集团) has not reported its Nairobi
bypass: the official's board shows it first, as silent.

The demo publishes its bulletins without the workflow (risk/demo.py), so the roll-call is opened
here, once, with `rollcalls.rollcall_open_for_bulletin` as publishing would; the reports go
through `rollcalls.rollcall_report` as the enterprise's would, and the organisations still silent
are asked at once (`rollcalls.rollcall_remind`, as risk/demo.py alerts the bulletins' readers
without a worker). Idempotent: the roll-call's natural key is its bulletin, a report's is its
project in the roll-call (a project already reported is left as it is), the ask's is the
reminder interval's dedupe key, and nothing is reported once the roll-call has closed."""

from __future__ import annotations

from .choices import SafetyStatus
from .models import RiskBulletin, RollCall, RollCallEntry
from .rollcalls import rollcall_open_for_bulletin, rollcall_remind, rollcall_report

BULLETIN = "肯尼亚内罗毕抗议活动安全提醒"  # risk/demo.py BULLETINS: severe, Kenya

# (organisation key, project name): the report the organisation sends.
REPORTS = {
    ("enterprise", "蒙巴萨港扩建工程（二期）"): {"status": SafetyStatus.SAFE, "note": "全体人员在营地，安全。"},
    ("enterprise", "内罗毕供水管网改造项目"): {
        "status": SafetyStatus.AFFECTED,
        "injured": 2,
        "missing": 0,
        "evacuated": 35,
        "note": "看护营地附近发生抗议冲突，两名当地雇员轻伤已送医；35 人撤至蒙巴萨营地，其余人员闭门不出。",
    },
}


def seed(*, accounts, stdout) -> None:
    bulletin = RiskBulletin.objects.filter(title=BULLETIN).first()
    if bulletin is None:
        return
    rollcall = RollCall.objects.filter(bulletin=bulletin).order_by("opened_at", "pk").first()
    if rollcall is None:
        rollcall = rollcall_open_for_bulletin(bulletin=bulletin, actor=accounts.users.get("official"))
    if rollcall is None:  # nobody exposed in Kenya
        return
    reported = 0
    for (org_key, name), report in REPORTS.items():
        entry = (
            RollCallEntry.objects.filter(
                rollcall=rollcall, organization=accounts.organizations[org_key], project__name=name
            )
            .only("pk", "project_id", "reported_at")
            .first()
        )
        if entry is None or entry.reported_at is not None or not rollcall.is_open:
            continue
        rollcall_report(actor=accounts.users[org_key], rollcall=rollcall, project_id=entry.project_id, data=report)
        reported += 1
    rollcall_remind(rollcall=rollcall)  # the silent are asked now, without a worker
    projects = RollCallEntry.objects.filter(rollcall=rollcall).count()
    stdout.write(f"risk: the Kenya roll-call over {projects} projects, {reported} reports sent now")
