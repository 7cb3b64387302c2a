"""seed_demo and create_official."""

import pytest
from django.core.management import CommandError, call_command

from portal.choices import OrganizationKind
from portal.models import Membership, Notification, Organization, User
from portal.testing.factories import OrganizationFactory

pytestmark = pytest.mark.django_db

DEMO_USERS = {"official", "enterprise", "enterprise2", "supplier", "talent"}


def test_seed_demo_creates_the_documented_accounts_and_is_idempotent(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    counts = (User.objects.count(), Organization.objects.count(), Notification.objects.count())
    call_command("seed_demo")
    assert (User.objects.count(), Organization.objects.count(), Notification.objects.count()) == counts
    for username in DEMO_USERS:
        assert User.objects.get(username=username).check_password("portal-demo-2026")
    official = User.objects.get(username="official")
    assert official.is_official
    assert set(official.org_membership.permissions) == {"review", "publish_risk", "organise_training"}
    enterprise, enterprise2 = User.objects.get(username="enterprise"), User.objects.get(username="enterprise2")
    assert enterprise.is_org_admin
    assert enterprise2.is_org_admin
    assert enterprise.organization != enterprise2.organization
    assert User.objects.get(username="supplier").organization.kind == OrganizationKind.SUPPLIER
    for org in Organization.objects.all():
        org.full_clean()  # the demo credit codes are valid


def test_seed_demo_refuses_with_debug_off_unless_forced(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo")
    assert not User.objects.exists()
    call_command("seed_demo", "--force")
    assert User.objects.filter(username="official").exists()


def test_create_official_gives_the_named_permissions(mailoutbox, tasks_run_here, django_capture_on_commit_callbacks):
    agency = OrganizationFactory(kind=OrganizationKind.AGENCY, name="湖北省住房和城乡建设厅")
    with django_capture_on_commit_callbacks(execute=True):  # the e-mail goes through the outbox after commit
        call_command("create_official", "zhou", "--email", "zhou@example.cn", "--permissions", "review,publish_risk")
    user = User.objects.get(username="zhou")
    assert user.organization == agency
    assert user.has_agency_permission("review")
    assert user.has_agency_permission("publish_risk")
    assert not user.has_agency_permission("organise_training")
    assert len(mailoutbox) == 1  # a link to set the password


def test_create_official_rejects_unknown_permissions_and_missing_agencies():
    with pytest.raises(CommandError, match="agency"):
        call_command("create_official", "zhou", "--email", "z@example.cn", "--permissions", "review")
    OrganizationFactory(kind=OrganizationKind.AGENCY)
    with pytest.raises(CommandError, match="fly"):
        call_command("create_official", "zhou", "--email", "z@example.cn", "--permissions", "review,fly")
    assert not Membership.objects.exists()
