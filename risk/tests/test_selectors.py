"""The country page's reads that come from other parts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from portal.models import Country
from risk.selectors import talents_with_experience, upcoming_trainings
from talent.tests.trainings.factories import make_session
from talent.trainings.choices import SessionStatus
from talent.trainings.models import AgendaItem

pytestmark = pytest.mark.django_db


def test_upcoming_trainings_name_the_country_on_the_session_or_an_agenda_item_soonest_first():
    cambodia, malaysia = Country.objects.get(code="KH"), Country.objects.get(code="MY")
    later = make_session(title="柬埔寨专场", days_ahead=40)
    later.countries.add(cambodia)
    sooner = make_session(title="东盟市场开拓", days_ahead=10)
    talk = AgendaItem.objects.create(session=sooner, title="柬埔寨劳工纠纷案例")
    talk.countries.add(cambodia)
    AgendaItem.objects.create(session=sooner, title="另一议题").countries.add(cambodia)  # no duplicate
    make_session(title="马来西亚专场").countries.add(malaysia)
    make_session(title="草稿", status=SessionStatus.DRAFT).countries.add(cambodia)
    past = make_session(title="已结束", starts_at=timezone.now() - timedelta(days=3))
    past.countries.add(cambodia)

    assert [s.title for s in upcoming_trainings(cambodia)] == ["东盟市场开拓", "柬埔寨专场"]
    assert [s.title for s in upcoming_trainings(malaysia)] == ["马来西亚专场"]


def test_talents_with_experience_counts_the_active_profiles_that_worked_there(cast):
    from talent import services
    from talent.tests.factories import make_profile

    make_profile(cast.talent, experiences=(("KH", "项目经理"),))
    make_profile(cast.owner, full_name="王翻译", experiences=(("KH", "翻译"), ("VN", "翻译")))
    gone = make_profile(cast.owner, full_name="已撤回", experiences=(("KH", "工程师"),))
    services.profile_withdraw_consent(actor=cast.owner, profile=gone)
    make_profile(cast.owner, full_name="越南经历", experiences=(("VN", "工程师"),))

    assert talents_with_experience(Country.objects.get(code="KH")) == 2
    assert talents_with_experience(Country.objects.get(code="TH")) == 0
