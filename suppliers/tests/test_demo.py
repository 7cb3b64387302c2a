"""`manage.py seed_demo` adds suppliers in every status past the draft, with certificates near expiry, ratings,
supply chains and reviews; twice gives the same data."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from portal.models import Organization
from suppliers.choices import SupplierStatus as S
from suppliers.models import Certificate, PerformanceReview, Supplier, SupplyChainLink
from suppliers.selectors import missing_certificates

pytestmark = pytest.mark.django_db


def test_seed_demo_twice_gives_the_same_suppliers_in_every_status(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    counts = (Supplier.objects.count(), Certificate.objects.count(), SupplyChainLink.objects.count())
    call_command("seed_demo", stdout=io.StringIO())
    assert (Supplier.objects.count(), Certificate.objects.count(), SupplyChainLink.objects.count()) == counts
    assert set(Supplier.objects.values_list("status", flat=True)) == set(S.values) - {S.DRAFT}
    demo = Supplier.objects.get(organization__name="武汉绿建新材料有限公司")
    assert demo.status == S.APPROVED
    assert demo.organization.memberships.filter(user__username="supplier").exists()
    for supplier in Supplier.objects.listed():
        assert missing_certificates(supplier) == [], supplier  # the listed ones are complete
        supplier.full_clean()
    assert Certificate.objects.filter(supplier=demo).order_by("valid_until").first().file.read().startswith(b"%PDF-")
    assert PerformanceReview.objects.exists()
    assert Organization.objects.filter(kind="supplier").count() == 10
