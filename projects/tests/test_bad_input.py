"""Bad input on the pages and endpoints of the shell and the project library, for each kind of
user: always a clear 4xx (or the page with its message), never a 500."""

import pytest

pytestmark = pytest.mark.django_db
BAD = [
    "/projects/?year=abc",
    "/projects/?year=0",
    "/projects/?country=ZZ,,",
    "/projects/?stage=nope",
    "/projects/?value_min=abc",
    "/projects/?library=x",
    "/projects/?page=abc",
    "/projects/?page=99999",
    "/projects/?search=%25_%27%22%3C",
    "/projects/?organization=99999999999999999999",
    "/projects/999999999/",
    "/projects/map/?region=atlantis&metric=zzz",
    "/projects/statistics/?by=nonsense",
    "/projects/statistics/?by=year&year=-1",
    "/projects/review/?country=%00",
    "/projects/workspace/?year=abc",
    "/projects/new/",
    "/inbox/?page=abc&kind=zzz&unread=maybe",
    "/countries/?region=atlantis&q=%25",
    "/countries/?page=-1",
    "/en/projects/?search=铁路",
    "/organization/",
    "/inbox/999999/read/",
    "/api/v1/projects/?cursor=garbage",
    "/api/v1/projects/?page_size=abc",
    "/api/v1/projects/?year=99999999999",
    "/api/v1/projects/?start_after=2025-13-45",
    "/api/v1/projects/statistics/?by=%00",
    "/api/v1/projects/subsidy-estimate/?year=x&organization=y",
    "/api/v1/projects/subsidy-estimate/?organization=99999999999999999999",
    "/api/v1/projects/999999999/history/",
    "/api/v1/projects/export/?year=abc",
    "/api/v1/notifications/?cursor=%%%",
    "/api/v1/exchange-rates/zzz/",
    "/api/v1/project-surveys/abc/",
    "/api/v1/countries/?search=" + "x" * 5000,
    "/api/v1/organizations/?kind=zzz",
]
POSTS = [
    ("/api/v1/projects/", {"name": "x", "country": 123, "sector": [], "contract_value": "NaN", "currency": "usd"}),
    (
        "/api/v1/projects/",
        {
            "name": "x" * 300,
            "country": "KE",
            "sector": "transport",
            "business_model": "epc",
            "contract_value": "1e400",
            "currency": "KES",
        },
    ),
    ("/api/v1/project-surveys/", {"year": "abc", "opens_on": "2026-01-01", "closes_on": "2025-01-01"}),
    ("/api/v1/exchange-rates/", {"currency": "KES"}),
    ("/projects/new/", {"name": "", "contract_value": "-1", "currency": "QQQ", "start_date": "2026-02-30"}),
    ("/api/v1/projects/import/", {"file": "not a file"}),
    ("/inbox/read-all/", {}),
]


@pytest.mark.parametrize("role", ["anonymous", "owner", "outsider", "official", "supplier"])
def test_bad_input_never_causes_a_server_error(role, cast, client):
    user = cast.user(role)
    if user:
        client.force_login(user)
    for url in BAD:
        r = client.get(url)
        assert r.status_code < 500, (role, url, r.status_code)
    for url, data in POSTS:
        if url.startswith("/api/"):
            r = client.post(url, data, content_type="application/json")
        else:
            r = client.post(url, data)
        assert r.status_code < 500, (role, url, r.status_code, r.content[:300])
