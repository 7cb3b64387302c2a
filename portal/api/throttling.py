"""Throttling for anonymous API use."""

from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle


class AnonThrottle(AnonRateThrottle):
    """AnonRateThrottle that reads its rate when used, so settings changes take effect."""

    @property
    def THROTTLE_RATES(self):
        return api_settings.DEFAULT_THROTTLE_RATES
