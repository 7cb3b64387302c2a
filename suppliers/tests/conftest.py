"""Fixtures shared by the supplier library's tests."""

import pytest

from suppliers.choices import SupplierStatus
from suppliers.models import Supplier

from .factories import SupplierFactory, certified


@pytest.fixture(autouse=True)
def private_root(settings, tmp_path):
    """Certificate scans go to a temporary folder, never var/private."""
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private")


@pytest.fixture
def make(cast):
    """A fresh application of the cast's supplier in a status, with the certificates its category requires."""

    def make(status=SupplierStatus.DRAFT, **kwargs):
        # One application per organisation: the previous one made here gives way.
        Supplier.objects.filter(organization=cast.supplier_org).delete()
        return certified(SupplierFactory(organization=cast.supplier_org, status=status, **kwargs))

    return make
