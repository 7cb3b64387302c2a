"""Sessions for the trainings' tests."""

from datetime import timedelta

from django.utils import timezone

from talent.trainings.choices import SessionStatus
from talent.trainings.models import TrainingSession
from talent.trainings.services import half_of


def make_session(*, status=SessionStatus.PUBLISHED, capacity=2, days_ahead=20, **extra) -> TrainingSession:
    starts = extra.pop("starts_at", timezone.now() + timedelta(days=days_ahead))
    year, half = half_of(timezone.localtime(starts).date())
    values = {
        "title": "2026年下半年“走出去”专题培训",
        "topics": ["risk_identification", "compliance"],
        "year": year,
        "half": half,
        "starts_at": starts,
        "ends_at": starts + timedelta(hours=3),
        "venue": "武汉市江汉区商务大厦三楼会议室",
        "capacity": capacity,
        "registration_deadline": starts - timedelta(days=2),
        "status": status,
        "published_at": timezone.now() if status == SessionStatus.PUBLISHED else None,
    }
    values.update(extra)
    return TrainingSession.objects.create(**values)
