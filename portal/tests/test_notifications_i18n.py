"""Notifications in the reader's language, their links, and marking a selection read.

A notification is written once and read later, on Chinese or English pages, by e-mail in the
language its recipient signs in with, and by webhook with both texts."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.translation import gettext_noop

from portal import services
from portal.choices import Channel, NotificationKind
from portal.messages_i18n import Localized, Message
from portal.models import Delivery, Notification
from portal.testing.factories import NotificationFactory, OrganizationFactory, UserFactory
from projects import services as project_services
from projects.tests.factories import project_data

from .helpers import messages_of


def tell(user, **overrides):
    org = OrganizationFactory(name="湖北楚天国际工程有限公司", name_en="Hubei Chutian International Engineering")
    services.notify(
        recipients=[user],
        kind=NotificationKind.ACCOUNT,
        title=Message(gettext_noop("欢迎加入走出去企业服务平台")),
        body=Message(
            gettext_noop("您的组织“%(name)s”已注册，您是该组织的管理员。"), name=Localized(org.name, org.name_en)
        ),
        url=reverse("portal:organization"),
        dedupe_key=f"i18n-test:{user.pk}",
        **overrides,
    )
    return Notification.objects.get(recipient=user, dedupe_key=f"i18n-test:{user.pk}")


def test_a_notification_is_stored_in_both_languages_with_english_names_in_english(cast):
    notification = tell(cast.owner)
    assert notification.title == "欢迎加入走出去企业服务平台"
    assert notification.body == "您的组织“湖北楚天国际工程有限公司”已注册，您是该组织的管理员。"
    assert notification.title_en == "Welcome to the Overseas Expansion Enterprise Service Portal"
    assert "Hubei Chutian International Engineering" in notification.body_en
    assert "湖北" not in notification.body_en


def test_a_plain_string_notification_reads_the_same_in_both(cast):
    services.notify(recipients=[cast.owner], kind="system", title="系统维护通知", dedupe_key="plain")
    notification = Notification.objects.get(dedupe_key="plain")
    assert (notification.title_en, notification.title_in("en")) == ("", "系统维护通知")


def test_the_inbox_shows_each_reader_their_language_and_links_stay_in_it(cast, as_user):
    notification = tell(cast.owner)
    client = as_user(cast.owner)
    chinese = client.get(reverse("portal:inbox")).content.decode()
    assert "欢迎加入走出去企业服务平台" in chinese
    english = client.get("/en" + reverse("portal:inbox")).content.decode()
    assert "Welcome to the Overseas Expansion Enterprise Service Portal" in english
    assert "欢迎加入走出去企业服务平台" not in english
    assert f'href="/en/inbox/{notification.pk}/open/"' in english


def test_opening_a_notification_marks_it_read_and_leads_to_its_record_in_the_readers_language(cast, as_user):
    notification = tell(cast.owner)
    client = as_user(cast.owner)
    response = client.get("/en" + reverse("portal:notification_open", args=[notification.pk]))
    assert response.status_code == 302
    assert response.headers["Location"] == "/en/organization/"
    notification.refresh_from_db()
    assert notification.read_at is not None
    response = client.get(f"/inbox/{notification.pk}/open/")
    assert response.headers["Location"] == "/organization/"


def test_no_one_opens_someone_elses_notification(cast, as_user):
    notification = tell(cast.colleague)
    assert as_user(cast.owner).get(reverse("portal:notification_open", args=[notification.pk])).status_code == 404
    assert as_user(cast.outsider).get(reverse("portal:notification_open", args=[notification.pk])).status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None
    response = Client().get(reverse("portal:notification_open", args=[notification.pk]))
    assert response.status_code == 302 and response.headers["Location"].startswith("/login/")


def test_a_reviewer_is_led_from_the_notification_to_the_project_submitted(cast, as_user):
    project = project_services.project_create(actor=cast.owner, data=project_data())
    project_services.project_submit(actor=cast.owner, project=project)
    notification = Notification.objects.get(recipient=cast.reviewer, kind=NotificationKind.PROJECT_REVIEW)
    assert project.name_en in notification.title_en
    response = as_user(cast.reviewer).get(reverse("portal:notification_open", args=[notification.pk]))
    assert response.headers["Location"] == reverse("projects:detail", kwargs={"pk": project.pk})
    assert as_user(cast.reviewer).get(response.headers["Location"]).status_code == 200


def test_the_inbox_marks_a_selection_read_and_only_the_readers_own(cast, as_user):
    mine = NotificationFactory.create_batch(3, recipient=cast.owner)
    theirs = NotificationFactory(recipient=cast.colleague)
    client = as_user(cast.owner)
    response = client.post(
        reverse("portal:notifications_read_selected"), {"ids": [mine[0].pk, mine[2].pk, theirs.pk]}, follow=True
    )
    assert "已将 2 条通知标记为已读。" in messages_of(response)
    read = set(Notification.objects.filter(read_at__isnull=False).values_list("pk", flat=True))
    assert read == {mine[0].pk, mine[2].pk}


@pytest.mark.parametrize("ids", [[], ["abc"], ["99999999999999999999999"]])
def test_marking_nothing_or_nonsense_read_says_so_and_changes_nothing(cast, as_user, ids):
    NotificationFactory(recipient=cast.owner)
    response = as_user(cast.owner).post(reverse("portal:notifications_read_selected"), {"ids": ids}, follow=True)
    assert "请选择要标为已读的通知。" in messages_of(response)
    assert not Notification.objects.filter(read_at__isnull=False).exists()


def test_the_inbox_offers_the_selection_form(cast, as_user):
    NotificationFactory(recipient=cast.owner)
    page = as_user(cast.owner).get(reverse("portal:inbox")).content.decode()
    assert 'id="inbox-selection"' in page and 'form="inbox-selection"' in page


def test_the_api_gives_the_texts_and_link_of_the_language_asked_for(cast, api):
    tell(cast.owner)
    client = api.as_user(cast.owner)
    english = client.get(reverse("api:notification-list"), HTTP_ACCEPT_LANGUAGE="en").json()["results"][0]
    assert english["title"] == "Welcome to the Overseas Expansion Enterprise Service Portal"
    assert english["url"] == "/en/organization/"
    chinese = client.get(reverse("api:notification-list")).json()["results"][0]
    assert chinese["title"] == "欢迎加入走出去企业服务平台"
    assert chinese["url"] == "/organization/"


def test_signing_in_on_english_pages_makes_the_users_emails_english(cast, client, smtp_sink, settings):
    from portal.testing.factories import TEST_PASSWORD

    smtp_sink.django_settings(settings)
    user = UserFactory(email="reader@example.cn")
    response = client.post("/en" + reverse("portal:login"), {"username": user.username, "password": TEST_PASSWORD})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.language == "en"
    notification = tell(user)
    delivery = Delivery.objects.get(notification=notification, channel=Channel.EMAIL)
    assert services.delivery_attempt(delivery_id=delivery.pk) is None
    (mail,) = smtp_sink.messages
    assert mail.message["Subject"] == "Welcome to the Overseas Expansion Enterprise Service Portal"
    text = mail.message.get_content()
    assert "Hubei Chutian International Engineering" in text
    assert "/en/organization/" in text


def test_emails_stay_chinese_for_a_user_who_signs_in_on_chinese_pages(cast, smtp_sink, settings):
    smtp_sink.django_settings(settings)
    notification = tell(UserFactory(email="zh@example.cn"))
    delivery = Delivery.objects.get(notification=notification, channel=Channel.EMAIL)
    services.delivery_attempt(delivery_id=delivery.pk)
    (mail,) = smtp_sink.messages
    assert mail.message["Subject"] == "欢迎加入走出去企业服务平台"
    assert "湖北楚天国际工程有限公司" in mail.message.get_content()
