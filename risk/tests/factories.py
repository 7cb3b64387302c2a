"""Factories of the risk part's tests."""

import factory
from django.utils import timezone

from portal.models import Country
from risk.models import CountryRisk, ReferenceRating


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
