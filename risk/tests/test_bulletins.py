"""Risk bulletins as services: exactly who is told (each rule on its own, nobody twice), the
alert sent once however often it is published or the task runs, a minor update telling no one,
updates superseding, acknowledgement and the escalation after the deadline."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from portal.choices import MembershipRole, OrganizationKind
from portal.models import Delivery, Notification
from portal.services import notification_acknowledge
from portal.testing.factories import OrganizationFactory, member
from projects.choices import FilingStatus, Stage
from projects.tests.factories import ProjectFactory
from risk import bulletins, selectors
from risk.choices import AudienceReason
from risk.models import Follow, RiskBulletin
from risk.workflow import BULLETIN
from suppliers.models import Category, SupplyChainLink
from suppliers.tests.factories import SupplierFactory

from .factories import BulletinFactory

pytestmark = pytest.mark.django_db


def alerted(bulletin) -> set:
    return set(Notification.objects.filter(dedupe_key=bulletin.alert_key).values_list("recipient_id", flat=True))


def publish(cast, bulletin, capture):
    with capture(execute=True):
        return bulletins.bulletin_publish(actor=cast.publisher, bulletin=bulletin)


# --- Who is told ----------------------------------------------------------------------------


def test_members_of_an_enterprise_with_a_live_project_in_the_country_are_told(cast):
    ProjectFactory(organization=cast.enterprise, country_id="KH", filing_status=FilingStatus.SUBMITTED)
    bulletin = BulletinFactory()

    reasons = {r: set(q.values_list("pk", flat=True)) for r, q in selectors.audience_by_reason(bulletin).items()}

    assert reasons[AudienceReason.PROJECT] == {cast.owner.pk, cast.colleague.pk}
    assert set(selectors.audience(bulletin).values_list("pk", flat=True)) == {cast.owner.pk, cast.colleague.pk}


@pytest.mark.parametrize(
    ("stage", "filing_status"),
    [(Stage.COMPLETED, FilingStatus.APPROVED), (Stage.UNDER_CONSTRUCTION, FilingStatus.DRAFT)],
)
def test_an_enterprise_with_only_a_completed_or_draft_project_there_is_not_told(cast, stage, filing_status):
    ProjectFactory(organization=cast.enterprise, country_id="KH", stage=stage, filing_status=filing_status)
    ProjectFactory(organization=cast.outsider_org, country_id="VN", filing_status=FilingStatus.APPROVED)

    assert not selectors.audience(BulletinFactory()).exists()


def test_an_approved_supplier_serving_the_country_is_told_and_an_unapproved_one_is_not(cast):
    SupplierFactory(organization=cast.supplier_org, status="approved", countries=["KH"])
    other = OrganizationFactory(kind=OrganizationKind.SUPPLIER)
    other_admin = member(other, MembershipRole.ADMIN)
    SupplierFactory(organization=other, status="submitted", countries=["KH"])

    audience = set(selectors.audience(BulletinFactory()).values_list("pk", flat=True))

    assert cast.supplier.pk in audience
    assert other_admin.pk not in audience


def test_a_supplier_recorded_on_a_project_there_is_told(cast):
    supplier = SupplierFactory(organization=cast.supplier_org, status="approved", countries=["MY"])
    project = ProjectFactory(organization=cast.outsider_org, country_id="KH", filing_status=FilingStatus.APPROVED)
    SupplyChainLink.objects.create(project=project, supplier=supplier, category=Category.objects.first())

    reasons = selectors.audience_by_reason(BulletinFactory())

    assert list(reasons[AudienceReason.SUPPLIER]) == []
    assert list(reasons[AudienceReason.SUPPLY_CHAIN]) == [cast.supplier]


def test_followers_of_the_country_or_of_the_category_are_told_and_others_not(cast):
    Follow.objects.create(user=cast.talent, country_id="KH")
    Follow.objects.create(user=cast.outsider, category="security")
    Follow.objects.create(user=cast.colleague, country_id="KH", category="health")  # another category
    Follow.objects.create(user=cast.supplier, country_id="VN")

    audience = set(selectors.audience(BulletinFactory(category="security")).values_list("pk", flat=True))

    assert audience == {cast.talent.pk, cast.outsider.pk}


def test_an_extreme_bulletin_reaches_every_enterprise_member(cast):
    bulletin = BulletinFactory(severity="extreme", countries=["MM"])

    audience = set(selectors.audience(bulletin).values_list("pk", flat=True))

    assert audience == {cast.owner.pk, cast.colleague.pk, cast.outsider.pk}


def test_nobody_is_counted_twice_in_the_total_however_many_reasons(cast):
    ProjectFactory(organization=cast.enterprise, country_id="KH", filing_status=FilingStatus.APPROVED)
    ProjectFactory(organization=cast.enterprise, country_id="KH", filing_status=FilingStatus.SUBMITTED)
    Follow.objects.create(user=cast.owner, country_id="KH")
    Follow.objects.create(user=cast.owner, category="security")

    counts = selectors.audience_counts(BulletinFactory(countries=["KH", "VN"]))

    by_reason = {row["reason"]: row["people"] for row in counts["by_reason"]}
    assert by_reason[AudienceReason.PROJECT] == 2
    assert by_reason[AudienceReason.FOLLOW_COUNTRY] == by_reason[AudienceReason.FOLLOW_CATEGORY] == 1
    assert counts["total"] == 2


def test_inactive_users_are_not_in_the_audience(cast):
    Follow.objects.create(user=cast.talent, country_id="KH")
    cast.talent.is_active = False
    cast.talent.save(update_fields=["is_active"])

    assert selectors.audience_counts(BulletinFactory())["total"] == 0


# --- Publishing -----------------------------------------------------------------------------


def test_publishing_alerts_the_audience_once_and_publishing_twice_sends_nothing_new(
    cast, django_capture_on_commit_callbacks, tasks_run_here
):
    ProjectFactory(organization=cast.enterprise, country_id="KH", filing_status=FilingStatus.APPROVED)
    bulletin = BulletinFactory()

    bulletin = publish(cast, bulletin, django_capture_on_commit_callbacks)

    assert bulletin.status == "published" and bulletin.published_by == cast.publisher
    assert alerted(bulletin) == {cast.owner.pk, cast.colleague.pk}
    note = Notification.objects.get(recipient=cast.owner, dedupe_key=bulletin.alert_key)
    assert note.kind == "risk_alert" and not note.requires_ack
    assert note.url == f"/risk/bulletins/{bulletin.pk}/"
    assert bulletin.history.get().action == "published"

    with pytest.raises(ValidationError):
        publish(cast, bulletin, django_capture_on_commit_callbacks)
    assert bulletins.bulletin_alert(bulletin_id=bulletin.pk) == 0
    assert Notification.objects.filter(dedupe_key=bulletin.alert_key).count() == 2


def test_the_alert_keeps_its_audience_by_reason_as_it_was_when_it_went_out(
    cast, django_capture_on_commit_callbacks, tasks_run_here
):
    ProjectFactory(organization=cast.enterprise, country_id="KH", filing_status=FilingStatus.APPROVED)
    Follow.objects.create(user=cast.owner, country_id="KH")
    draft = BulletinFactory()
    assert draft.audience_counts is None
    preview = selectors.audience_counts(draft)

    bulletin = publish(cast, draft, django_capture_on_commit_callbacks)
    bulletin.refresh_from_db()

    assert bulletin.audience_counts == {
        "by_reason": [{"reason": row["reason"], "people": row["people"]} for row in preview["by_reason"]],
        "total": 2,
    }
    # A follower who comes later is counted by the preview, not in what the alert kept, even
    # when a second run of the task (a retry) tells them.
    Follow.objects.create(user=cast.talent, country_id="KH")
    assert bulletins.bulletin_alert(bulletin_id=bulletin.pk) == 1
    bulletin.refresh_from_db()
    assert selectors.alert_audience_counts(bulletin) == preview
    assert selectors.audience_counts(bulletin)["total"] == 3


def test_the_dispatch_counts_the_alerts_deliveries_only_even_when_another_notification_came_between(cast):
    bulletin = BulletinFactory(status="published")

    def note(user, key, channels):
        made = Notification.objects.create(recipient=user, kind="risk_alert", title="t", dedupe_key=key)
        for channel in channels:
            Delivery.objects.create(notification=made, channel=channel)

    note(cast.owner, bulletin.alert_key, ["email"])
    note(cast.owner, "something-else", ["email", "webhook"])  # its id falls between the alert's
    note(cast.colleague, bulletin.alert_key, ["email", "webhook"])
    assert [(d["channel"], d["count"]) for d in selectors.dispatch_summary(bulletin)["deliveries"]] == [
        ("email", 2),
        ("webhook", 1),
    ]
    note(cast.outsider, bulletin.alert_key, ["email"])  # no gap left after the last one
    Notification.objects.filter(dedupe_key="something-else").delete()
    summary = selectors.dispatch_summary(bulletin)
    assert summary["recipients"] == 3
    assert [(d["channel"], d["count"]) for d in summary["deliveries"]] == [("email", 3), ("webhook", 1)]


def test_a_severe_alert_requires_acknowledgement_and_reaches_every_channel(
    cast, django_capture_on_commit_callbacks, tasks_run_here
):
    ProjectFactory(organization=cast.enterprise, country_id="KH", filing_status=FilingStatus.APPROVED)
    bulletin = publish(cast, BulletinFactory(severity="severe"), django_capture_on_commit_callbacks)

    notes = Notification.objects.filter(dedupe_key=bulletin.alert_key)
    assert notes.count() == 2 and all(n.requires_ack for n in notes)
    assert notes.first().deliveries.filter(channel="email").exists()


def test_only_publishers_publish(cast):
    bulletin = BulletinFactory()
    for user in (cast.reviewer, cast.owner, cast.trainer):
        with pytest.raises(PermissionError):
            bulletins.bulletin_publish(actor=user, bulletin=bulletin)
    assert RiskBulletin.objects.get(pk=bulletin.pk).status == "draft"


def test_an_expired_draft_cannot_be_published(cast):
    bulletin = BulletinFactory(
        effective_at=timezone.now() - timedelta(days=3), expires_at=timezone.now() - timedelta(days=1)
    )
    with pytest.raises(ValidationError) as error:
        bulletins.bulletin_publish(actor=cast.publisher, bulletin=bulletin)
    assert "expires_at" in error.value.message_dict


def test_an_update_supersedes_the_old_bulletin_and_alerts_again(
    cast, django_capture_on_commit_callbacks, tasks_run_here
):
    Follow.objects.create(user=cast.talent, country_id="KH")
    old = publish(cast, BulletinFactory(), django_capture_on_commit_callbacks)
    data = {**bulletins.update_initial(old), "change_note": "事态升级", "severity": "severe"}
    new = bulletins.bulletin_create(actor=cast.publisher, data=data)

    new = publish(cast, new, django_capture_on_commit_callbacks)

    old.refresh_from_db()
    assert old.superseded_at is not None and not old.is_in_force()
    assert old.history.last().action == "superseded"
    assert new.is_in_force()
    assert list(RiskBulletin.objects.in_force()) == [new]
    assert alerted(new) == {cast.talent.pk}
    assert "更新" in Notification.objects.get(dedupe_key=new.alert_key).title


def test_a_minor_update_publishes_without_telling_anyone(cast, django_capture_on_commit_callbacks, tasks_run_here):
    Follow.objects.create(user=cast.talent, country_id="KH")
    old = publish(cast, BulletinFactory(), django_capture_on_commit_callbacks)
    data = {**bulletins.update_initial(old), "title": "更正：标题错字", "minor_update": True}
    correction = bulletins.bulletin_create(actor=cast.publisher, data=data)
    before = Notification.objects.count()

    correction = publish(cast, correction, django_capture_on_commit_callbacks)

    assert correction.status == "published" and correction.is_in_force()
    assert Notification.objects.count() == before
    assert bulletins.bulletin_alert(bulletin_id=correction.pk) == 0


def test_an_update_of_a_superseded_or_draft_bulletin_is_refused(cast):
    draft = BulletinFactory()
    with pytest.raises(ValidationError) as error:
        bulletins.bulletin_create(
            actor=cast.publisher, data={**bulletins.update_initial(draft), "countries": draft.countries.all()}
        )
    assert "supersedes" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        bulletins.bulletin_create(
            actor=cast.publisher,
            data={**bulletins.update_initial(draft), "supersedes": None, "minor_update": True},
        )
    assert "minor_update" in error.value.message_dict


def test_two_updates_racing_the_second_publish_is_refused(cast, django_capture_on_commit_callbacks):
    old = BulletinFactory(status="published")
    first = bulletins.bulletin_create(actor=cast.publisher, data=bulletins.update_initial(old))
    second = bulletins.bulletin_create(actor=cast.publisher, data=bulletins.update_initial(old))
    publish(cast, first, django_capture_on_commit_callbacks)

    with pytest.raises(ValidationError) as error:
        bulletins.bulletin_publish(actor=cast.publisher, bulletin=second)
    assert "supersedes" in error.value.message_dict


def test_cancelling_takes_a_bulletin_out_of_force_and_only_a_published_one(cast):
    bulletin = BulletinFactory(status="published")

    bulletin = bulletins.bulletin_cancel(actor=cast.publisher, bulletin=bulletin, reason="局势缓和")

    assert bulletin.status == "cancelled" and bulletin.cancelled_at is not None
    assert not RiskBulletin.objects.in_force().exists()
    assert bulletin.history.get().comment == "局势缓和"
    with pytest.raises(ValidationError):
        bulletins.bulletin_cancel(actor=cast.publisher, bulletin=bulletin)


def test_those_alerted_are_told_once_when_a_bulletin_is_cancelled(
    cast, django_capture_on_commit_callbacks, tasks_run_here
):
    Follow.objects.create(user=cast.talent, country_id="KH")
    bulletin = publish(cast, BulletinFactory(), django_capture_on_commit_callbacks)
    Follow.objects.create(user=cast.owner, country_id="KH")  # not alerted: not told of the cancel

    with django_capture_on_commit_callbacks(execute=True):
        bulletins.bulletin_cancel(actor=cast.publisher, bulletin=bulletin, reason="局势缓和")

    told = Notification.objects.filter(dedupe_key=f"risk-bulletin:{bulletin.pk}:cancelled")
    assert [n.recipient for n in told] == [cast.talent]
    assert "局势缓和" in told.get().body
    assert bulletins.bulletin_cancelled_notify(bulletin_id=bulletin.pk) == 0
    assert bulletins.bulletin_cancelled_notify(bulletin_id=BulletinFactory().pk) == 0


def test_the_workflow_allows_edit_and_publish_on_drafts_and_update_and_cancel_on_published(cast):
    assert BULLETIN.allowed_actions(obj=BulletinFactory(), user=cast.publisher) == {"edit", "publish"}
    assert BULLETIN.allowed_actions(obj=BulletinFactory(status="published"), user=cast.publisher) == {
        "update",
        "cancel",
    }
    assert BULLETIN.allowed_actions(obj=BulletinFactory(status="cancelled"), user=cast.publisher) == set()
    assert BULLETIN.allowed_actions(obj=BulletinFactory(), user=cast.reviewer) == set()


def test_an_extreme_draft_gets_a_two_hour_deadline(cast):
    data = {
        "countries": ["MM"],
        "title": "缅甸局势",
        "body": "武装冲突升级。",
        "category": "civil_unrest",
        "severity": "extreme",
        "effective_at": timezone.now(),
        "expires_at": timezone.now() + timedelta(days=3),
    }
    assert bulletins.bulletin_create(actor=cast.publisher, data=data).ack_deadline_hours == 2
    assert bulletins.bulletin_create(actor=cast.publisher, data={**data, "severity": "severe"}).ack_deadline_hours == 24


def test_a_draft_is_changed_and_a_published_one_is_not(cast):
    draft = BulletinFactory()
    draft = bulletins.bulletin_update(
        actor=cast.publisher, bulletin=draft, data={"title": "新标题", "countries": ["KH", "LA"]}
    )
    assert draft.title == "新标题" and set(draft.countries.values_list("code", flat=True)) == {"KH", "LA"}
    with pytest.raises(ValidationError):
        bulletins.bulletin_update(actor=cast.publisher, bulletin=BulletinFactory(status="published"), data={})
    with pytest.raises(PermissionError):
        bulletins.bulletin_update(actor=cast.owner, bulletin=draft, data={"title": "x"})


# --- Acknowledgement and escalation ---------------------------------------------------------


def test_escalation_after_the_deadline_tells_silent_organisations_admins_and_the_publisher_once(
    cast, django_capture_on_commit_callbacks, tasks_run_here
):
    ProjectFactory(organization=cast.enterprise, country_id="KH", filing_status=FilingStatus.APPROVED)
    ProjectFactory(organization=cast.outsider_org, country_id="KH", filing_status=FilingStatus.APPROVED)
    bulletin = publish(cast, BulletinFactory(severity="severe"), django_capture_on_commit_callbacks)
    outsider_note = Notification.objects.get(recipient=cast.outsider, dedupe_key=bulletin.alert_key)
    colleague_note = Notification.objects.get(recipient=cast.colleague, dedupe_key=bulletin.alert_key)
    notification_acknowledge(notification=outsider_note, actor=cast.outsider)

    # Before the deadline nothing happens.
    assert bulletins.bulletins_escalate(now=timezone.now() + timedelta(hours=23)) == 0
    # After it: the enterprise (nobody acknowledged) is escalated to its admin only.
    later = timezone.now() + timedelta(hours=25)
    with django_capture_on_commit_callbacks(execute=True):
        assert bulletins.bulletins_escalate(now=later) == 2

    escalation = Notification.objects.filter(dedupe_key=f"risk-bulletin:{bulletin.pk}:escalation")
    assert list(escalation.values_list("recipient_id", flat=True)) == [cast.owner.pk]
    silent = Notification.objects.get(dedupe_key=f"risk-bulletin:{bulletin.pk}:silent")
    assert silent.recipient == cast.publisher and cast.enterprise.name in silent.body
    assert cast.outsider_org.name not in silent.body
    # Once each, however often the job runs; an acknowledgement afterwards changes nothing sent.
    notification_acknowledge(notification=colleague_note, actor=cast.colleague)
    assert bulletins.bulletins_escalate(now=later + timedelta(hours=1)) == 0
    bulletin.refresh_from_db()
    assert bulletin.escalated_at == later


def test_an_organisation_with_one_acknowledgement_is_not_escalated(
    cast, django_capture_on_commit_callbacks, tasks_run_here
):
    ProjectFactory(organization=cast.enterprise, country_id="KH", filing_status=FilingStatus.APPROVED)
    bulletin = publish(
        cast, BulletinFactory(severity="severe", ack_deadline_hours=2), django_capture_on_commit_callbacks
    )
    note = Notification.objects.get(recipient=cast.colleague, dedupe_key=bulletin.alert_key)
    notification_acknowledge(notification=note, actor=cast.colleague)

    assert selectors.silent_organizations(bulletin) == []
    assert bulletins.bulletins_escalate(now=timezone.now() + timedelta(hours=3)) == 0
    bulletin.refresh_from_db()
    assert bulletin.escalated_at is not None


def test_moderate_bulletins_are_never_escalated(cast, django_capture_on_commit_callbacks, tasks_run_here):
    ProjectFactory(organization=cast.enterprise, country_id="KH", filing_status=FilingStatus.APPROVED)
    publish(cast, BulletinFactory(severity="moderate"), django_capture_on_commit_callbacks)

    assert bulletins.bulletins_escalate(now=timezone.now() + timedelta(days=3)) == 0


def test_the_beat_job_is_scheduled_and_runs_the_service(settings):
    from risk import tasks

    entry = settings.PORTAL_BEAT_SCHEDULE["risk-escalate-unacknowledged"]
    assert entry["task"] == "risk.escalate_unacknowledged"
    assert tasks.escalate_unacknowledged.run() == 0


# --- Follows --------------------------------------------------------------------------------


def test_a_follow_is_made_once_and_must_name_something(cast):
    bulletins.follow_create(actor=cast.talent, country=None, category="health")
    with pytest.raises(ValidationError):
        bulletins.follow_create(actor=cast.talent, category="health")
    with pytest.raises(ValidationError):
        bulletins.follow_create(actor=cast.talent)
    with pytest.raises(PermissionError):
        bulletins.follow_delete(actor=cast.owner, follow=Follow.objects.get())


# --- A raised level starts a draft ----------------------------------------------------------


def test_raising_a_level_to_3_or_4_starts_a_draft_bulletin_and_lowering_does_not(cast):
    from portal.models import Country
    from risk import services
    from risk.tests.factories import CountryRiskFactory

    risk = CountryRiskFactory(country=Country.objects.get(code="KE"), level=2)
    services.country_risk_set(actor=cast.publisher, country_risk=risk, data={"level": 3, "reason": "抗议升级"})
    draft = RiskBulletin.objects.get()
    assert (draft.status, draft.severity, list(draft.countries.values_list("code", flat=True))) == (
        "draft",
        "severe",
        ["KE"],
    )
    assert "谨慎前往" in draft.title and draft.created_by == cast.publisher

    services.country_risk_set(actor=cast.publisher, country_risk=risk, data={"level": 4, "reason": "冲突"})
    assert RiskBulletin.objects.filter(severity="extreme", ack_deadline_hours=2).count() == 1
    services.country_risk_set(actor=cast.publisher, country_risk=risk, data={"level": 4, "reason": "复核"})
    services.country_risk_set(actor=cast.publisher, country_risk=risk, data={"level": 2, "reason": "缓和"})
    assert RiskBulletin.objects.count() == 2
