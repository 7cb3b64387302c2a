"""Every page of the supplier library on a 390 x 844 phone, as the role that uses it: nothing
scrolls sideways (tables scroll in their own box or become cards), the navigation is a "菜单"
that opens, the header stays compact. The same check as the project library's phone journey
(projects/tests/test_browser_phone.py), on the directory, the application, the review queue,
the decision forms, the supply chain, the matchmaking events and their attendee list."""

from __future__ import annotations

import pytest

from portal.testing.cast import make_cast
from projects.choices import Stage
from projects.tests.factories import ProjectFactory
from projects.tests.test_browser_phone import PHONE, fits
from suppliers.choices import SupplierStatus
from suppliers.models import EventRegistration, SupplyChainLink

from .factories import SupplierFactory, certified
from .test_browser import sign_in
from .test_matchmaking import make_event

pytestmark = pytest.mark.browser

LONG_NAME = "中建三局绿色建筑材料与装配式构件（湖北）集团股份有限公司"


@pytest.fixture
def library():
    """An approved supplier with a long name, one in review, a project's supply chain and an event."""
    cast = make_cast()
    cast.supplier_org.name = LONG_NAME
    cast.supplier_org.save(update_fields=["name"])
    approved = certified(
        SupplierFactory(
            organization=cast.supplier_org,
            status=SupplierStatus.APPROVED,
            categories=["green_materials", "equipment", "labour_subcontracting"],
            countries=["KH", "MY", "ID", "VN", "LA", "TH", "KE", "ET"],
            stars=4,
        )
    )
    pending = certified(SupplierFactory(status=SupplierStatus.SUBMITTED, categories=["legal"]))
    project = ProjectFactory(
        organization=cast.enterprise, approved=True, country_id="KH", stage=Stage.UNDER_CONSTRUCTION
    )
    SupplyChainLink.objects.create(
        project=project, supplier=approved, category_id=approved.categories.first().pk, scope="蒸压加气混凝土砌块供应"
    )
    event = make_event()
    EventRegistration.objects.create(
        event=event, organization=cast.supplier_org, attendees=2, contact_name="李经理", contact_phone="13800000000"
    )
    return cast, approved, pending, project, event


def test_every_supplier_page_fits_a_phone_and_its_menu_opens(browser_page, library):
    cast, approved, pending, project, event = library
    page = browser_page
    page.set_viewport_size(PHONE)
    problems = []

    for path in (
        "/suppliers/",
        "/suppliers/?category=green_materials&country=KH",
        f"/suppliers/{approved.pk}/",
        "/suppliers/events/",
        f"/suppliers/events/{event.pk}/",
        "/en/suppliers/",
        f"/en/suppliers/{approved.pk}/",
    ):
        problems += fits(page, path)

    sign_in(page, cast.supplier, "/suppliers/mine/", lands=f"/suppliers/applications/{approved.pk}/")
    for path in (
        f"/suppliers/applications/{approved.pk}/",
        f"/suppliers/applications/{approved.pk}/certificates/",
        f"/suppliers/events/{event.pk}/",
        f"/suppliers/events/{event.pk}/unregister/",
        f"/en/suppliers/applications/{approved.pk}/",
    ):
        problems += fits(page, path)

    sign_in(page, cast.owner, f"/suppliers/projects/{project.pk}/")
    for path in (
        f"/suppliers/projects/{project.pk}/",
        f"/suppliers/projects/{project.pk}/review/{approved.pk}/",
        f"/projects/{project.pk}/",  # with its suggested suppliers
    ):
        problems += fits(page, path)

    sign_in(page, cast.official, "/suppliers/review/")
    for path in (
        "/suppliers/review/",
        f"/suppliers/applications/{pending.pk}/",
        f"/suppliers/applications/{pending.pk}/return/",
        f"/suppliers/applications/{approved.pk}/suspend/",
        f"/suppliers/{approved.pk}/rate/",
        "/suppliers/import/",
        "/suppliers/events/new/",
        f"/suppliers/events/{event.pk}/edit/",
        f"/suppliers/events/{event.pk}/attendees/",
        "/en/suppliers/review/",
    ):
        problems += fits(page, path)
    assert problems == []
