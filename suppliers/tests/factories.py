"""factory_boy factories of the supplier library, and helpers that give an application what
its categories require."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from portal.choices import OrganizationKind
from portal.testing.factories import OrganizationFactory
from portal.testing.files import pdf_bytes, upload
from suppliers.choices import SupplierStatus
from suppliers.models import Category, Certificate, CertificateKind, Supplier


class SupplierOrganizationFactory(OrganizationFactory):
    name = factory.Sequence(lambda n: f"湖北供应商{n}有限公司")
    name_en = factory.Sequence(lambda n: f"Hubei Supplier {n} Co., Ltd.")
    kind = OrganizationKind.SUPPLIER


class SupplierFactory(factory.django.DjangoModelFactory):
    """A supplier row as stored (no history). `categories` and `countries` as lists of codes."""

    class Meta:
        model = Supplier
        skip_postgeneration_save = True

    organization = factory.SubFactory(SupplierOrganizationFactory)
    status = SupplierStatus.DRAFT
    description = "专业生产绿色建材，产品出口东南亚和非洲。"
    capacity = "年产能 50 万吨"
    products = "蒸压加气混凝土砌块、装配式墙板"
    contact_name = "王经理"
    contact_phone = "027-88886666"
    contact_email = factory.Sequence(lambda n: f"sales{n}@supplier.example.cn")
    submitted_at = factory.LazyAttribute(lambda s: None if s.status == SupplierStatus.DRAFT else timezone.now())

    @factory.post_generation
    def categories(self, create, extracted, **kwargs):
        codes = ["green_materials"] if extracted is None else extracted
        self.categories.set(Category.objects.filter(code__in=codes))

    @factory.post_generation
    def countries(self, create, extracted, **kwargs):
        self.countries_served.set(["KH", "MY"] if extracted is None else extracted)


def kind(code: str) -> CertificateKind:
    return CertificateKind.objects.get(code=code)


class CertificateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Certificate

    supplier = factory.SubFactory(SupplierFactory)
    kind = factory.LazyFunction(lambda: kind("green_material"))
    number = factory.Sequence(lambda n: f"GB-{n:06d}")
    issuer = "中国质量认证中心"
    valid_from = dt.date(2024, 1, 1)
    valid_until = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=365))
    file = factory.LazyFunction(lambda: upload("证书.pdf", pdf_bytes()))


def certified(supplier: Supplier) -> Supplier:
    """Give `supplier` a valid certificate for the first kind of each requirement of its categories."""
    for category in supplier.categories.prefetch_related("requirements__kinds"):
        for requirement in category.requirements.all():
            CertificateFactory(supplier=supplier, kind=requirement.kinds.first())
    return supplier


def certificate_data(code: str = "iso9001", **overrides) -> dict:
    """What a supplier fills in to upload a certificate, as the service takes it."""
    data = {
        "kind": kind(code),
        "number": "ISO9001-2024-0088",
        "issuer": "中国质量认证中心",
        "valid_from": dt.date(2024, 1, 1),
        "valid_until": timezone.localdate() + dt.timedelta(days=400),
        "file": upload("质量管理体系认证证书.pdf", pdf_bytes()),
    }
    return data | overrides
