"""The API's URL resolver remembers what a path resolved to, and answers exactly as Django would."""

import pytest
from django.urls import NoReverseMatch, Resolver404, URLResolver, get_resolver, include, path, reverse
from django.utils import translation

from portal.routing import RememberingResolver, remembered

# Paths of resources registered early and late, lists and records, actions and suffixes.
PATHS = [
    "api/v1/",
    "api/v1/auth/me/",
    "api/v1/countries/",
    "api/v1/countries/KE/",
    "api/v1/notifications/",
    "api/v1/notifications/17/read/",
    "api/v1/notifications.json",
    "api/v1/projects/",
    "api/v1/projects/5/",
    "api/v1/projects/5/reports/9/",
    "api/v1/risk/bulletins/3/publish/",
]


def _plain_resolver() -> URLResolver:
    """The API's include as Django builds it, without the memo."""
    return path("api/v1/", include("portal.api.urls"))


def _api_resolver() -> RememberingResolver:
    (resolver,) = [p for p in get_resolver().url_patterns if isinstance(p, RememberingResolver)]
    return resolver


def _described(match) -> tuple:
    return (
        match.func,
        match.args,
        match.kwargs,
        match.url_name,
        match.app_names,
        match.namespaces,
        match.route,
        match.captured_kwargs,
        match.extra_kwargs,
        len(match.tried),
    )


def test_the_api_include_of_the_root_urlconf_remembers():
    resolver = _api_resolver()
    assert str(resolver.pattern) == "api/v1/"
    assert resolver.namespace == "api"


@pytest.mark.parametrize("url", PATHS)
def test_a_remembered_path_resolves_as_django_resolves_it_the_first_time_and_after(url):
    resolver = remembered(_plain_resolver())
    expected = _described(_plain_resolver().resolve(url))
    assert _described(resolver.resolve(url)) == expected
    assert resolver._resolve_remembered.cache_info().currsize == 1
    assert _described(resolver.resolve(url)) == expected
    assert resolver._resolve_remembered.cache_info().hits == 1


def test_records_with_different_ids_get_their_own_ids():
    resolver = remembered(_plain_resolver())
    for pk in ("5", "6", "5"):
        match = resolver.resolve(f"api/v1/projects/{pk}/")
        assert match.kwargs == {"pk": pk}
        assert match.url_name == "project-detail"


def test_through_the_root_the_view_gets_the_captured_arguments():
    root = get_resolver()
    first = root.resolve("/api/v1/projects/5/reports/9/")
    again = root.resolve("/api/v1/projects/5/reports/9/")
    other = root.resolve("/api/v1/projects/6/reports/10/")
    assert first.kwargs == again.kwargs == {"pk": "5", "report_id": "9"}
    assert other.kwargs == {"pk": "6", "report_id": "10"}
    assert first.view_name == "api:project-report"
    # A view that changes its kwargs (DRF copies them) cannot change what the next request gets.
    first.kwargs["pk"] = "changed"
    assert root.resolve("/api/v1/projects/5/reports/9/").kwargs == {"pk": "5", "report_id": "9"}


def test_a_path_that_does_not_resolve_is_a_404_each_time_and_is_not_remembered():
    resolver = remembered(_plain_resolver())
    for _ in range(2):
        with pytest.raises(Resolver404) as raised:
            resolver.resolve("api/v1/no-such-resource/")
        assert raised.value.args[0]["tried"], "the 404 page lists the patterns tried"
    assert resolver._resolve_remembered.cache_info().currsize == 0


def test_the_memo_is_bounded():
    resolver = remembered(_plain_resolver(), size=2)
    for pk in range(10):
        resolver.resolve(f"api/v1/projects/{pk}/")
    assert resolver._resolve_remembered.cache_info().currsize == 2
    assert resolver.resolve("api/v1/projects/3/").kwargs == {"pk": "3"}


def test_each_language_is_remembered_apart():
    resolver = remembered(_plain_resolver())
    with translation.override("en"):
        resolver.resolve("api/v1/projects/")
    with translation.override("zh-hans"):
        resolver.resolve("api/v1/projects/")
    info = resolver._resolve_remembered.cache_info()
    assert (info.currsize, info.hits) == (2, 0)


def test_forget_empties_the_memo():
    resolver = remembered(_plain_resolver())
    resolver.resolve("api/v1/projects/")
    resolver.forget()
    assert resolver._resolve_remembered.cache_info().currsize == 0


def test_reversing_api_names_is_unchanged():
    assert reverse("api:project-detail", kwargs={"pk": 5}) == "/api/v1/projects/5/"
    assert reverse("api:notification-list") == "/api/v1/notifications/"
    with pytest.raises(NoReverseMatch):
        reverse("api:no-such-name")


def test_only_an_include_can_be_remembered():
    with pytest.raises(TypeError):
        remembered(path("healthz", lambda request: None))


def test_an_api_request_is_answered_through_the_memo(client, db):
    resolver = _api_resolver()
    resolver.forget()
    assert client.get("/api/v1/countries/").status_code == 200
    assert client.get("/api/v1/countries/").status_code == 200
    assert resolver._resolve_remembered.cache_info().hits >= 1
    assert client.get("/api/v1/no-such-resource/").status_code == 404
