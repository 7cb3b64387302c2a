"""Reads of the trainings: lists with their seat counts, a person's and an organisation's
trainings, the attendance list."""

from django.db.models import Count, Q, QuerySet

from .choices import EnrollmentStatus
from .models import Enrollment, TrainingSession

SEAT = Q(enrollments__status__in=[EnrollmentStatus.ENROLLED, EnrollmentStatus.OFFERED])


def sessions_with_counts(queryset: QuerySet[TrainingSession]) -> QuerySet[TrainingSession]:
    return queryset.annotate(
        seats_taken=Count("enrollments", filter=SEAT),
        waiting_count=Count("enrollments", filter=Q(enrollments__status=EnrollmentStatus.WAITING)),
    )


def my_enrollments(user) -> QuerySet[Enrollment]:
    return Enrollment.objects.filter(user=user).select_related("session").order_by("-session__starts_at", "-id")


def organization_record(organization_id: int) -> QuerySet[Enrollment]:
    """The enterprise's training record: every enrolment made for it, with attendance."""
    return (
        Enrollment.objects.filter(organization_id=organization_id)
        .exclude(status=EnrollmentStatus.CANCELLED)
        .select_related("session", "user")
        .order_by("-session__starts_at", "user__display_name", "id")
    )


def attendance_list(session: TrainingSession) -> QuerySet[Enrollment]:
    return (
        session.enrollments.exclude(status=EnrollmentStatus.CANCELLED)
        .select_related("user", "organization")
        .order_by("status", "waiting_since", "created_at", "id")
    )
