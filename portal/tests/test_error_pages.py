"""With DEBUG off the site answers with the portal's own pages: a 404 in Chinese in the site's
layout (never Django's list of URL patterns), a 403 that says why, a 500 that needs nothing
that could have failed."""

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from portal.views import server_error

pytestmark = pytest.mark.urls("portal.tests.urls_errors")


@pytest.fixture(autouse=True)
def _debug_off(settings):
    settings.DEBUG = False


def test_an_unknown_address_shows_the_portals_404_page_in_chinese(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "页面不存在" in body
    assert '<html lang="zh-Hans">' in body
    assert f'href="{reverse("projects:list")}"' in body  # the site's navigation
    assert "URLconf" not in body
    assert "urlpatterns" not in body.lower()


def test_an_unknown_english_address_shows_the_404_page_in_english(client, db):
    response = client.get("/en/no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert '<html lang="en">' in body
    assert "Page not found" in body


def test_a_page_refused_without_a_reason_says_so_in_general_words(client, db):
    response = client.get("/test-errors/forbidden/")
    assert response.status_code == 403
    body = response.content.decode()
    assert "无权访问" in body
    assert "您的账号没有访问此页面或执行此操作的权限。" in body


def test_the_403_page_shows_the_reason_the_view_gave(cast, client):
    client.force_login(cast.owner)
    response = client.get(reverse("projects:review_queue"))
    assert response.status_code == 403
    reason = response.content.decode().split('data-testid="forbidden-reason">')[1].split("</p>")[0]
    assert reason == "审核队列仅对具有审核权限的主管部门人员开放。"


def test_an_organisation_member_who_is_not_its_admin_is_told_to_ask_the_admin(cast, client):
    client.force_login(cast.colleague)
    response = client.post(reverse("portal:organization"), {"name": "改名"})
    assert response.status_code == 403
    assert "只有本组织的管理员可以修改组织信息，请联系本组织的管理员。" in response.content.decode()


def test_a_server_error_shows_the_portals_500_page_without_the_traceback(db):
    client = Client(raise_request_exception=False)
    response = client.get("/test-errors/boom/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "服务暂时不可用" in body
    assert "a bug the visitor must not see" not in body
    assert "Traceback" not in body


def test_the_500_page_renders_without_the_database_or_the_request_context(django_assert_num_queries, db):
    with django_assert_num_queries(0):
        response = server_error(RequestFactory().get("/projects/"))
    assert response.status_code == 500
    assert "服务暂时不可用" in response.content.decode()
