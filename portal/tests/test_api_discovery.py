"""Each part's api/urls.py is found among the installed apps; portal/api/urls.py imports none."""

import sys
import types
from pathlib import Path

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.urls import get_resolver

from portal.api import urls as api_urls

# The project library's API as it was when portal/api/urls.py still imported projects.api.urls.
PROJECT_URL_NAMES = {
    "project-list",
    "project-detail",
    "project-approve",
    "project-export",
    "project-history",
    "project-import",
    "project-map",
    "project-report",
    "project-reports",
    "project-return",
    "project-review-queue",
    "project-statistics",
    "project-submit",
    "project-subsidy-estimate",
    "project-withdraw",
    "exchange-rate-list",
    "exchange-rate-detail",
    "project-survey-list",
    "project-survey-detail",
    "project-survey-answers",
    "project-survey-respond",
}
PROJECT_SCHEMA_PATHS = {
    "/api/v1/exchange-rates/": ["get"],
    "/api/v1/exchange-rates/{currency}/": ["get", "patch", "put"],
    "/api/v1/project-surveys/": ["get", "post"],
    "/api/v1/project-surveys/{id}/": ["get"],
    "/api/v1/project-surveys/{id}/answers/": ["get"],
    "/api/v1/project-surveys/{id}/respond/": ["post"],
    "/api/v1/projects/": ["get", "post"],
    "/api/v1/projects/export/": ["get"],
    "/api/v1/projects/import/": ["post"],
    "/api/v1/projects/map/": ["get"],
    "/api/v1/projects/review-queue/": ["get"],
    "/api/v1/projects/statistics/": ["get"],
    "/api/v1/projects/subsidy-estimate/": ["get"],
    "/api/v1/projects/{id}/": ["delete", "get", "patch", "put"],
    "/api/v1/projects/{id}/approve/": ["post"],
    "/api/v1/projects/{id}/history/": ["get"],
    "/api/v1/projects/{id}/reports/": ["get", "post"],
    "/api/v1/projects/{id}/reports/{report_id}/": ["get", "patch"],
    "/api/v1/projects/{id}/return/": ["post"],
    "/api/v1/projects/{id}/submit/": ["post"],
    "/api/v1/projects/{id}/withdraw/": ["post"],
}
REGISTERED = [
    "countries",
    "organizations",
    "notifications",
    "notification-preferences",
    "import-jobs",
    "projects",
    "exchange-rates",
    "project-surveys",
    "emergency-plans",
    "emergency-drills",
    "plan-obligations",
    "suppliers",
    "supplier-applications",
    "supplier-certificates",
    "supplier-categories",
    "certificate-kinds",
    "matchmaking-events",
    r"projects/(?P<project_pk>[0-9]{1,18})/suppliers",
    "trainings",
    "talents",
    "openings",
    "opening-applications",
    "risk/countries",
    "risk/cases",
    "risk/bulletins",
    "risk/follows",
    "risk/rollcalls",
]
# The API root lists the collections: a certificate is reached from its application (no list),
# a project's supply chain from its project.
ROOT_RESOURCES = [prefix for prefix in REGISTERED if prefix != "supplier-certificates" and "(?P<" not in prefix]
# The parts that have an API of their own so far.
PARTS_WITH_API = ["projects", "suppliers", "talent", "risk"]


def test_discovery_finds_exactly_the_apps_that_have_an_api_urls_module():
    on_disk = [
        config.name
        for config in apps.get_app_configs()
        if config.name != "portal" and (Path(config.path) / "api" / "urls.py").exists()
    ]
    assert on_disk == PARTS_WITH_API
    assert [m.__name__ for m in api_urls.part_api_modules()] == [f"{name}.api.urls" for name in on_disk]


def test_no_part_imports_the_portal_api_urls():
    for module in api_urls.part_api_modules():
        assert "portal.api.urls" not in Path(module.__file__).read_text(encoding="utf-8")


def test_the_project_library_keeps_its_url_names():
    names = {name for name in get_resolver().namespace_dict["api"][1].reverse_dict if isinstance(name, str)}
    assert {n for n in names if n.startswith(("project", "exchange-rate"))} == PROJECT_URL_NAMES


def test_the_project_library_keeps_its_schema_paths():
    from drf_spectacular.generators import SchemaGenerator

    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    # /api/v1/projects/{project_pk}/suppliers/ is the supplier library's (a project's supply chain).
    ours = {
        p: sorted(ops)
        for p, ops in paths.items()
        if p.startswith(("/api/v1/project", "/api/v1/exchange-rate"))
        and not p.endswith(("/suppliers/", "/suppliers/{id}/"))
    }
    assert ours == PROJECT_SCHEMA_PATHS


def test_the_api_root_lists_every_resource(client, db):
    response = client.get("/api/v1/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert list(response.json()) == ROOT_RESOURCES


@pytest.fixture
def part_with_api(monkeypatch, tmp_path):
    """Give an installed part an api/urls.py, in a directory added to its package's path."""
    added = []

    def add(label):
        package = sys.modules[apps.get_app_config(label).name]
        extra = tmp_path / label
        (extra / "api").mkdir(parents=True)
        (extra / "api" / "__init__.py").write_text("")
        (extra / "api" / "urls.py").write_text(
            "from rest_framework.routers import SimpleRouter\n"
            "from portal.api.views import CountryViewSet\n"
            "router = SimpleRouter()\n"
            f"router.register('{label}-things', CountryViewSet, basename='{label}-thing')\n"
        )
        monkeypatch.setattr(package, "__path__", [*package.__path__, str(extra)])
        added.append(package)
        return f"{package.__name__}.api.urls"

    yield add
    for package in added:
        sys.modules.pop(f"{package.__name__}.api.urls", None)
        sys.modules.pop(f"{package.__name__}.api", None)
        if hasattr(package, "api"):
            delattr(package, "api")


# Every part has its API now: installed apps without one (humanize, axes) stand in for the next part.
@pytest.mark.parametrize("label", ["humanize", "axes"])
def test_a_part_that_adds_api_urls_is_discovered_and_routed(part_with_api, label):
    module_name = part_with_api(label)
    modules = api_urls.part_api_modules()
    # Discovery follows INSTALLED_APPS, so the added part sits among the others in that order.
    order = [config.name for config in apps.get_app_configs()]
    name = apps.get_app_config(label).name
    parts = sorted([*PARTS_WITH_API, name], key=order.index)
    assert [m.__name__ for m in modules] == [module_name if part == name else f"{part}.api.urls" for part in parts]
    router = api_urls.build_router(modules)
    prefixes = [prefix for prefix, _viewset, _basename in router.registry]
    assert set(prefixes) == {*REGISTERED, f"{label}-things"} and len(prefixes) == len(REGISTERED) + 1
    assert f"{label}-thing-list" in {url.name for url in router.urls}


def test_a_part_api_module_without_a_router_is_an_error():
    with pytest.raises(ImproperlyConfigured):
        api_urls.build_router([types.ModuleType("suppliers.api.urls")])
