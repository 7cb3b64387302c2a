"""A training's agenda item links a typical negative case of the risk part: the session page
links it, the API names it, and a case deleted later leaves the item in place."""

from __future__ import annotations

import pytest
from django.urls import reverse

from risk import cases
from risk.tests.factories import NegativeCaseFactory
from talent.trainings.models import AgendaItem

from .factories import make_session

pytestmark = pytest.mark.django_db


def test_an_agenda_item_links_its_negative_case_on_the_page_and_in_the_api(cast, client, api):
    case = NegativeCaseFactory(title="柬埔寨拖欠工资案")
    session = make_session(title="东盟市场开拓")
    AgendaItem.objects.create(session=session, title="劳工合规", negative_case=case)
    AgendaItem.objects.create(session=session, title="其他议题", negative_case_ref="某外部案例")

    body = client.get(reverse("trainings:detail", kwargs={"pk": session.pk})).content.decode()
    assert f'href="{reverse("risk:case", kwargs={"pk": case.pk})}"' in body and "柬埔寨拖欠工资案" in body
    assert "某外部案例" in body
    agenda = api.get(reverse("api:training-detail", kwargs={"pk": session.pk})).json()["agenda"]
    assert [(a["title"], a["negative_case"], a["negative_case_ref"]) for a in agenda] == [
        ("劳工合规", case.pk, ""),
        ("其他议题", None, "某外部案例"),
    ]

    cases.case_delete(actor=cast.publisher, case=case)
    item = AgendaItem.objects.get(title="劳工合规")
    assert item.negative_case is None
