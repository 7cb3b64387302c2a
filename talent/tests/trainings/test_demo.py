"""seed_demo's trainings: a full published session of the current half with a waiting list, a
past session with attendance; running it twice changes nothing."""

import pytest
from django.core.management import call_command

from talent.trainings.choices import EnrollmentStatus, SessionStatus
from talent.trainings.models import Enrollment, TrainingSession
from talent.trainings.services import half_of

pytestmark = pytest.mark.django_db


def test_seed_demo_makes_a_current_session_with_a_waiting_list_and_a_past_one_with_attendance(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    counts = (TrainingSession.objects.count(), Enrollment.objects.count())
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert (TrainingSession.objects.count(), Enrollment.objects.count()) == counts
    from django.utils import timezone

    year, half = half_of(timezone.localdate())
    current = TrainingSession.objects.get(
        year=year, half=half, status=SessionStatus.PUBLISHED, starts_at__gt=timezone.now()
    )
    assert current.enrollments.filter(status=EnrollmentStatus.WAITING).exists()
    assert Enrollment.objects.filter(session__starts_at__lt=timezone.now(), attended=True).exists()
