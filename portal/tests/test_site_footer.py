"""The footer carries what a Chinese government site shows (主办单位, 联系方式, ICP 备案号 linking
to the MIIT's register, 政府网站标识码), each from a setting and left out when empty; the header's
search box searches the project library."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]

SITE_INFO = {
    "HOST_ORGANIZATION": "湖北省商务厅",
    "CONTACT": "027-87235000",
    "ICP_NUMBER": "鄂ICP备05003302号",
    "PUBLIC_SECURITY_NUMBER": "鄂公网安备42010602000123号",
    "SITE_CODE": "4200000021",
    "MAP_APPROVAL_NUMBER": "",
}


def body(client, path="/") -> str:
    return client.get(path).content.decode()


def test_the_footer_shows_the_site_particulars_when_set(client, settings):
    settings.PORTAL_SITE_INFO = SITE_INFO
    page = body(client)
    assert "主办单位：湖北省商务厅" in page
    assert "联系方式：027-87235000" in page
    assert '<a href="https://beian.miit.gov.cn/" rel="noopener" data-testid="footer-icp">鄂ICP备05003302号</a>' in page
    assert "鄂公网安备42010602000123号" in page
    assert "政府网站标识码：4200000021" in page


def test_the_footer_shows_them_on_every_page_and_in_english(client, settings):
    settings.PORTAL_SITE_INFO = SITE_INFO
    assert "鄂ICP备05003302号" in body(client, reverse("projects:list"))
    assert "鄂ICP备05003302号" in body(client, "/en/projects/")


def test_an_empty_particular_is_left_out(client, settings):
    settings.PORTAL_SITE_INFO = {**dict.fromkeys(SITE_INFO, ""), "ICP_NUMBER": "鄂ICP备05003302号", "CONTACT": "  "}
    page = body(client)
    assert "鄂ICP备05003302号" in page
    for absent in ("主办单位：", "联系方式：", "政府网站标识码：", 'data-testid="footer-public-security"'):
        assert absent not in page


def test_by_default_none_is_shown(client):
    page = body(client)
    for absent in ("主办单位：", "联系方式：", "政府网站标识码：", "beian.miit.gov.cn"):
        assert absent not in page


def test_the_settings_come_from_the_environment_and_are_empty_by_default():
    """Read in a fresh interpreter, as the server would at start."""
    code = "from django.conf import settings; import json; print(json.dumps(settings.PORTAL_SITE_INFO))"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    run = [sys.executable, "-c", f"import django; django.setup(); {code}"]
    options = {"cwd": ROOT, "capture_output": True, "text": True, "timeout": 60, "check": True}
    env["DJANGO_SETTINGS_MODULE"] = "portal.settings"
    assert set(json.loads(subprocess.run(run, env=env, **options).stdout.splitlines()[-1]).values()) == {""}
    env.update(
        PORTAL_HOST_ORGANIZATION="湖北省商务厅", PORTAL_ICP_NUMBER="鄂ICP备05003302号", PORTAL_SITE_CODE="4200000021"
    )
    info = json.loads(subprocess.run(run, env=env, **options).stdout.splitlines()[-1])
    assert info["HOST_ORGANIZATION"] == "湖北省商务厅"
    assert info["ICP_NUMBER"] == "鄂ICP备05003302号"
    assert info["SITE_CODE"] == "4200000021"
    assert info["CONTACT"] == ""


def test_the_header_search_box_searches_the_project_library(client, cast):
    from projects.tests.test_views import make_project

    make_project(cast.enterprise, name="蒙巴萨港口扩建工程")
    make_project(cast.enterprise, name="内罗毕城市供水工程")
    page = body(client)
    assert f'<form class="site-search" method="get" action="{reverse("projects:list")}" role="search"' in page
    assert 'name="search"' in page[page.index('class="site-search"') :]
    response = client.get(reverse("projects:list"), {"search": "港口"})
    assert [row["project"].name for row in response.context["rows"]] == ["蒙巴萨港口扩建工程"]
    # The box keeps the words searched for on the results.
    assert 'id="site-search-q" name="search" placeholder="搜索项目" value="港口"' in response.content.decode()
