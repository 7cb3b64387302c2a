"""An English page keeps the reader in English: every link and form on it to one of the portal's
pages leads to the English page (/en/...), for each role, on every page of the shell and the
projects part. The language switcher and the paths that have no language (the API, static
files, the language endpoint) are the exceptions."""

import re

import pytest

from projects.tests.factories import ProjectFactory, SurveyFactory

# Where a link may lead without the /en/ prefix: no language there.
LANGUAGE_FREE = ("/en/", "/api/", "/static/", "/i18n/", "/media/", "/healthz", "#")
LINK = re.compile(r'(?:href|action)="(/[^"]*)"')

PAGES = {
    "anonymous": [
        "/",
        "/login/",
        "/signup/",
        "/password/reset/",
        "/countries/",
        "/projects/",
        "/projects/map/",
        "/suppliers/",
    ],
    "owner": [
        "/",
        "/inbox/",
        "/inbox/preferences/",
        "/account/",
        "/organization/",
        "/projects/",
        "/projects/workspace/",
        "/projects/new/",
        "/projects/{project}/",
        "/projects/{project}/edit/",
        "/suppliers/",
        "/suppliers/projects/{project}/",
        "/projects/surveys/{survey}/respond/",
    ],
    "reviewer": [
        "/",
        "/projects/",
        "/projects/review/",
        "/projects/statistics/",
        "/projects/map/",
        "/projects/surveys/",
        "/projects/surveys/{survey}/",
        "/projects/{project}/",
        "/suppliers/review/",
    ],
    "supplier": ["/", "/suppliers/", "/suppliers/apply/"],
}


def _links(html: str) -> list[str]:
    return [link for link in LINK.findall(html) if not link.startswith("//")]


@pytest.mark.parametrize("role", PAGES)
def test_every_link_on_an_english_page_stays_in_english(cast, as_user, client, role):
    project = ProjectFactory(organization=cast.enterprise)
    survey = SurveyFactory(opened_by=cast.reviewer)
    browser = client if role == "anonymous" else as_user(cast.user(role))
    leaks = {}
    for page in PAGES[role]:
        path = "/en" + page.format(project=project.pk, survey=survey.pk)
        response = browser.get(path)
        assert response.status_code == 200, path
        html = response.content.decode()
        # The language switcher offers the Chinese page on purpose; it is marked with hreflang.
        html = re.sub(r'<a [^>]*hreflang="zh-Hans"[^>]*>', "", html)
        links = _links(html)
        assert any(link.startswith("/en/") for link in links), path  # the page was read at all
        wrong = sorted({link for link in links if not link.startswith(LANGUAGE_FREE)})
        if wrong:
            leaks[path] = wrong
    assert leaks == {}
