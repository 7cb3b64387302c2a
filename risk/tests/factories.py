"""Factories of the risk part's tests."""

import datetime as dt

import factory
from django.utils import timezone

from portal.models import Country
from risk.models import CountryRisk, NegativeCase, ReferenceRating, RiskBulletin


class CountryRiskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CountryRisk
        django_get_or_create = ("country",)

    country = factory.LazyFunction(lambda: Country.objects.get(code="KH"))
    level = 2
    summary = "治安总体稳定，注意防范盗抢。"
    reviewed_at = factory.LazyFunction(timezone.now)


class ReferenceRatingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReferenceRating

    country_risk = factory.SubFactory(CountryRiskFactory)
    source = "sinosure"
    grade = "6"
    scale_max = 9
    as_of = factory.LazyFunction(timezone.localdate)


class NegativeCaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NegativeCase

    title = factory.Sequence(lambda n: f"某企业在柬埔寨项目拖欠工资引发纠纷（{n}）")
    country = factory.LazyFunction(lambda: Country.objects.get(code="KH"))
    sector = "building"
    category = "wage_arrears"
    summary = "某建筑企业连续三个月拖欠当地工人工资，引发工人聚集抗议。"
    lessons = "按时足额支付工资，建立工资保证金。"
    occurred_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=30))


class BulletinFactory(factory.django.DjangoModelFactory):
    """A bulletin row as stored (no workflow). `countries` as a list of codes (default KH)."""

    class Meta:
        model = RiskBulletin
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"关于柬埔寨西哈努克省治安形势的第{n}号风险通报")
    body = "近期当地盗抢案件多发，请在柬中资企业加强营地安保，减少夜间外出。"
    category = "security"
    severity = "moderate"
    urgency = "expected"
    certainty = "likely"
    effective_at = factory.LazyFunction(lambda: timezone.now() - timezone.timedelta(hours=1))
    expires_at = factory.LazyFunction(lambda: timezone.now() + timezone.timedelta(days=30))
    status = "draft"
    published_at = factory.LazyAttribute(lambda b: None if b.status == "draft" else timezone.now())

    @factory.post_generation
    def countries(self, create, extracted, **kwargs):
        self.countries.set(["KH"] if extracted is None else extracted)
