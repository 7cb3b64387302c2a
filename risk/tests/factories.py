"""Factories of the risk part's tests."""

import factory
from django.utils import timezone

from portal.models import Country
from risk.models import CountryRisk, ReferenceRating, RiskBulletin


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
