"""The portal shell's inbox and notification preferences pages."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from portal import services
from portal.choices import NotificationKind
from portal.models import Notification, NotificationPreference
from portal.testing.factories import NotificationFactory

from .helpers import messages_of

# --- Inbox ----------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 20])
def test_inbox_page_makes_the_same_queries_for_1_and_20_notifications(cast, as_user, django_assert_num_queries, count):
    NotificationFactory.create_batch(count, recipient=cast.owner)
    client = as_user(cast.owner)
    # 1 session, 2 user, 3 membership with organisation (the header's org name), 4 unread count
    # (the header's badge), 5 paginator count, 6 the page of notifications.
    with django_assert_num_queries(6):
        response = client.get(reverse("portal:inbox"))
    assert len(response.context["notifications"]) == count


def test_inbox_shows_only_the_users_notifications_newest_first(cast, as_user):
    older = NotificationFactory(recipient=cast.owner, title="较早的通知")
    newer = NotificationFactory(recipient=cast.owner, title="较新的通知")
    NotificationFactory(recipient=cast.colleague, title="同事的通知")
    response = as_user(cast.owner).get(reverse("portal:inbox"))
    assert list(response.context["notifications"]) == [newer, older]
    assert "同事的通知" not in response.content.decode()


def test_inbox_pages_by_twenty(cast, as_user):
    NotificationFactory.create_batch(25, recipient=cast.owner)
    client = as_user(cast.owner)
    assert len(client.get(reverse("portal:inbox")).context["notifications"]) == 20
    assert len(client.get(reverse("portal:inbox") + "?page=2").context["notifications"]) == 5


def test_inbox_filters_by_kind_and_unread(cast, as_user):
    alert = NotificationFactory(recipient=cast.owner, kind=NotificationKind.RISK_ALERT)
    read = NotificationFactory(recipient=cast.owner, read_at=timezone.now())
    unread = NotificationFactory(recipient=cast.owner)
    client = as_user(cast.owner)
    url = reverse("portal:inbox")
    assert list(client.get(url + "?kind=risk_alert").context["notifications"]) == [alert]
    assert list(client.get(url + "?unread=true").context["notifications"]) == [unread, alert]
    assert list(client.get(url + "?unread=false").context["notifications"]) == [read]
    assert list(client.get(url + "?kind=system&unread=true").context["notifications"]) == [unread]


def test_inbox_has_an_empty_state(cast, as_user):
    assert "暂无通知" in as_user(cast.owner).get(reverse("portal:inbox")).content.decode()


def test_marking_a_notification_read_records_the_time(cast, as_user):
    notification = NotificationFactory(recipient=cast.owner)
    response = as_user(cast.owner).post(reverse("portal:notification_read", args=[notification.pk]), follow=True)
    notification.refresh_from_db()
    assert notification.read_at is not None
    assert "已标记为已读。" in messages_of(response)


def test_marking_read_returns_to_the_filtered_inbox_page(cast, as_user):
    notification = NotificationFactory(recipient=cast.owner)
    back = reverse("portal:inbox") + "?kind=system"
    response = as_user(cast.owner).post(reverse("portal:notification_read", args=[notification.pk]), {"next": back})
    assert response["Location"] == back


def test_marking_read_does_not_redirect_to_another_site(cast, as_user):
    notification = NotificationFactory(recipient=cast.owner)
    response = as_user(cast.owner).post(
        reverse("portal:notification_read", args=[notification.pk]), {"next": "https://evil.example.com/"}
    )
    assert response["Location"] == reverse("portal:inbox")


@pytest.mark.parametrize("action", ["portal:notification_read", "portal:notification_acknowledge"])
@pytest.mark.parametrize("role", ["colleague", "outsider", "official"])
def test_another_users_notification_is_not_found(cast, as_user, role, action):
    notification = NotificationFactory(recipient=cast.owner, requires_ack=True)
    response = as_user(cast.user(role)).post(reverse(action, args=[notification.pk]))
    assert response.status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None
    assert notification.acknowledged_at is None


@pytest.mark.parametrize("action", ["portal:notification_read", "portal:notification_acknowledge"])
def test_notification_actions_are_posts(cast, as_user, action):
    notification = NotificationFactory(recipient=cast.owner, requires_ack=True)
    assert as_user(cast.owner).get(reverse(action, args=[notification.pk])).status_code == 405


def test_anonymous_users_cannot_mark_notifications(cast, client):
    notification = NotificationFactory(recipient=cast.owner)
    response = client.post(reverse("portal:notification_read", args=[notification.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("portal:login"))
    notification.refresh_from_db()
    assert notification.read_at is None


def test_acknowledging_an_alert_records_acknowledgement_and_reading(cast, as_user):
    alert = NotificationFactory(recipient=cast.owner, kind=NotificationKind.RISK_ALERT, requires_ack=True)
    client = as_user(cast.owner)
    page = client.get(reverse("portal:inbox")).content.decode()
    assert reverse("portal:notification_acknowledge", args=[alert.pk]) in page
    response = client.post(reverse("portal:notification_acknowledge", args=[alert.pk]), follow=True)
    alert.refresh_from_db()
    assert alert.acknowledged_at is not None
    assert alert.read_at is not None
    assert "已确认收到。" in messages_of(response)
    assert reverse("portal:notification_acknowledge", args=[alert.pk]) not in response.content.decode()


def test_acknowledging_a_notification_that_needs_no_acknowledgement_shows_an_error_and_changes_nothing(cast, as_user):
    notification = NotificationFactory(recipient=cast.owner, requires_ack=False)
    client = as_user(cast.owner)
    assert reverse("portal:notification_acknowledge", args=[notification.pk]) not in (
        client.get(reverse("portal:inbox")).content.decode()
    )
    response = client.post(reverse("portal:notification_acknowledge", args=[notification.pk]), follow=True)
    assert any("此通知无需确认" in message for message in messages_of(response))
    notification.refresh_from_db()
    assert notification.acknowledged_at is None
    assert notification.read_at is None


def test_mark_all_read_marks_only_the_users_notifications(cast, as_user):
    NotificationFactory.create_batch(3, recipient=cast.owner)
    theirs = NotificationFactory(recipient=cast.colleague)
    response = as_user(cast.owner).post(reverse("portal:notifications_read_all"), follow=True)
    assert not Notification.objects.filter(recipient=cast.owner, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert "已将 3 条通知标记为已读。" in messages_of(response)
    assert 'data-testid="unread-badge"' not in response.content.decode()


# --- Preferences ----------------------------------------------------------------------------


def test_preferences_page_lists_every_kind_with_risk_alerts_locked_on(cast, as_user):
    response = as_user(cast.owner).get(reverse("portal:preferences"))
    body = response.content.decode()
    for _kind, label in NotificationKind.choices:
        assert str(label) in body
    assert re.search(r'<input type="checkbox" name="risk_alert_email"[^>]*disabled', body)
    assert re.search(r'<input type="checkbox" name="risk_alert_email"[^>]*checked', body)
    assert not re.search(r'<input type="checkbox" name="training_email"[^>]*disabled', body)


def test_saving_preferences_mutes_the_unticked_channels(cast, as_user):
    data = {f"{kind}_{channel}": "on" for kind in NotificationKind.values for channel in ("email", "webhook")}
    del data["training_email"]
    response = as_user(cast.owner).post(reverse("portal:preferences"), data, follow=True)
    assert "通知设置已保存。" in messages_of(response)
    pref = NotificationPreference.objects.get(user=cast.owner, kind=NotificationKind.TRAINING)
    assert (pref.email, pref.webhook) == (False, True)
    # Only the changed kind is written.
    assert NotificationPreference.objects.filter(user=cast.owner).count() == 1


def test_preferences_cannot_mute_risk_alerts(cast, as_user):
    response = as_user(cast.owner).post(reverse("portal:preferences"), {}, follow=True)
    assert response.status_code == 200
    rows = {row["kind"]: row for row in services.preferences_for(cast.owner)}
    assert (rows["risk_alert"]["email"], rows["risk_alert"]["webhook"]) == (True, True)
    assert (rows["training"]["email"], rows["training"]["webhook"]) == (False, False)


def test_the_inbox_and_country_filters_are_the_filter_bar_with_removable_chips(cast, as_user, client):
    NotificationFactory(recipient=cast.owner, kind=NotificationKind.RISK_ALERT)
    page = as_user(cast.owner).get(reverse("portal:inbox") + "?kind=risk_alert&unread=true").content.decode()
    assert 'data-testid="filter-form"' in page
    assert page.count('data-testid="filter-chip"') == 2
    assert f'href="{reverse("portal:inbox")}?unread=true"' in page  # the kind chip drops the kind only
    countries = client.get(reverse("portal:countries") + "?region=africa").content.decode()
    assert 'data-testid="filter-chip"' in countries and "---------" not in countries
