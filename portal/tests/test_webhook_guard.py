"""Webhooks are set by organisations, so the portal refuses to POST into private networks."""

import pytest

from portal import services
from portal.choices import Channel, DeliveryStatus
from portal.models import Delivery
from portal.testing.factories import OrganizationFactory, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def production_guard(settings):
    settings.NOTIFY = {**settings.NOTIFY, "WEBHOOK_ALLOW_PRIVATE_ADDRESSES": False}


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/hook",
        "http://localhost/hook",
        "http://10.1.2.3/hook",
        "http://192.168.1.10/hook",
        "http://172.16.0.5/hook",
        "http://169.254.169.254/latest/meta-data/",  # cloud metadata
        "http://[::1]/hook",
        "http://0.0.0.0/hook",
    ],
)
def test_webhooks_into_private_networks_are_refused(production_guard, url):
    with pytest.raises(services.DeliveryRefused):
        services.check_webhook_destination(url)


def test_a_public_address_is_allowed(production_guard):
    services.check_webhook_destination("https://93.184.216.34/hooks/portal")


def test_private_addresses_may_be_allowed_for_development(settings):
    settings.NOTIFY = {**settings.NOTIFY, "WEBHOOK_ALLOW_PRIVATE_ADDRESSES": True}
    services.check_webhook_destination("http://127.0.0.1:8000/hook")


def test_a_refused_webhook_fails_at_once_without_a_request_or_retry(
    production_guard, django_capture_on_commit_callbacks
):
    user = member(OrganizationFactory(webhook_url="http://169.254.169.254/latest/meta-data/"))
    user.email = ""
    user.save(update_fields=["email"])
    services.notify(recipients=[user], kind="system", title="测试", dedupe_key="guard")
    delivery = Delivery.objects.get(notification__recipient=user, channel=Channel.WEBHOOK)
    assert services.delivery_attempt(delivery_id=delivery.pk) is None  # no retry scheduled
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempts == 1
    assert "non-public address 169.254.169.254" in delivery.last_error
