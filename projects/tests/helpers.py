"""Helpers shared by the project library's API tests (test_api_*.py)."""

from __future__ import annotations

from django.urls import reverse

from portal.testing.cast import roles

__all__ = ["OFFICIALS", "PRIVATE_FIELDS", "all_results", "detail_url", "list_url", "officials", "roles"]

OFFICIALS = ("reviewer", "publisher", "trainer", "official")
PRIVATE_FIELDS = ("contract_value", "currency", "contract_value_usd", "chinese_staff", "local_staff")


def officials(value) -> dict:
    return dict.fromkeys(OFFICIALS, value)


def list_url() -> str:
    return reverse("api:project-list")


def detail_url(project, name: str = "detail") -> str:
    return reverse(f"api:project-{name}", kwargs={"pk": project.pk})


def all_results(client, url: str, params: dict | None = None) -> list[dict]:
    """Every row of a paginated collection, following `next`."""
    rows, response = [], client.get(url, {**(params or {}), "page_size": 200})
    while True:
        assert response.status_code == 200, response.content
        body = response.json()
        rows += body["results"]
        if not body["next"]:
            return rows
        response = client.get(body["next"])
