"""Two people asking for the last seat at the same moment, on PostgreSQL with real threads:
the session row lock gives one the seat and puts the other on the waiting list."""

import threading

import pytest
from django.db import connection

from portal.testing.factories import UserFactory
from talent.trainings import services
from talent.trainings.choices import EnrollmentStatus
from talent.trainings.models import Enrollment

from .factories import make_session


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_enrolments_for_the_last_seat_give_one_seat_and_one_waiting_place():
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    session = make_session(capacity=1)
    people = [UserFactory(), UserFactory()]
    barrier = threading.Barrier(2)
    errors = []

    def enrol(user):
        try:
            barrier.wait()
            services.enroll(actor=user, session=session)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=enrol, args=(u,)) for u in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not errors
    statuses = sorted(Enrollment.objects.filter(session=session).values_list("status", flat=True))
    assert statuses == sorted([EnrollmentStatus.ENROLLED, EnrollmentStatus.WAITING])
