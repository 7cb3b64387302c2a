"""A permission matrix for API resources, after NetBox's utilities/testing.

A test class declares its resource and what each member of the cast may do; the mixin makes one
test per (operation, role), checks the status, that a listed record appears or not, and that a
refused write changed nothing. An outsider's record is a 404, never a 403.

    class TestOrganizationAPI(APIMatrix):
        basename = "organization"
        update_data = {"name": "新名称"}
        expect = {
            "list": {"owner": True, "outsider": False, ..., "anonymous": 401},  # True: record listed
            "retrieve": {"owner": 200, "outsider": 404, ...},
            "update": {...}, "destroy": {...}, "create": {...},
            "action:read": {...},  # POST to the detail action `read`
        }

        def make_record(self, cast):
            return cast.enterprise

Every operation in `expect` must name every role in Cast.ROLES.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.forms.models import model_to_dict
from django.urls import reverse

from .cast import Cast


class APIMatrix:
    basename: ClassVar[str]
    expect: ClassVar[dict[str, dict[str, int | bool]]]
    id_field: ClassVar[str] = "id"
    update_data: ClassVar[dict[str, Any] | None] = None

    def make_record(self, cast: Cast):
        raise NotImplementedError

    def create_data(self, cast: Cast) -> dict[str, Any]:
        raise NotImplementedError

    def record_id(self, record) -> Any:
        return record.pk

    def pytest_generate_tests(self, metafunc):
        if metafunc.function.__name__ == "test_permission_matrix":
            cases = [(op, role) for op in self.expect for role in Cast.ROLES]
            metafunc.parametrize(("operation", "role"), cases, ids=[f"{op}-{role}" for op, role in cases])

    def _detail(self, record, name: str = "detail") -> str:
        return reverse(f"api:{self.basename}-{name}", kwargs={"pk": self.record_id(record)})

    def test_permission_matrix(self, operation, role, cast, api):
        table = self.expect[operation]
        assert role in table, f"{type(self).__name__}.expect[{operation!r}] must declare {role!r}"
        expected = table[role]
        record = self.make_record(cast)
        client = api.as_user(cast.user(role))
        model = type(record)
        before = model_to_dict(record)
        count_before = model._default_manager.count()

        if operation == "list":
            response = client.get(reverse(f"api:{self.basename}-list"), {"page_size": 200})
            if isinstance(expected, bool):
                assert response.status_code == 200, response.content
                ids = [row[self.id_field] for row in response.json()["results"]]
                assert (self.record_id(record) in ids) is expected, f"{role} listed: {ids}"
                return
        elif operation == "retrieve":
            response = client.get(self._detail(record))
        elif operation == "update":
            response = client.patch(self._detail(record), self.update_data, format="json")
        elif operation == "destroy":
            response = client.delete(self._detail(record))
        elif operation == "create":
            response = client.post(reverse(f"api:{self.basename}-list"), self.create_data(cast), format="json")
        elif operation.startswith("action:"):
            response = client.post(self._detail(record, operation.removeprefix("action:")), {}, format="json")
        else:  # pragma: no cover - a typo in a test class
            raise AssertionError(f"unknown operation {operation}")

        assert response.status_code == expected, (role, operation, response.status_code, response.content[:300])
        if response.status_code == 200 and operation == "retrieve":
            assert response.json()[self.id_field] == self.record_id(record)
        if response.status_code >= 400:
            # A refused request changes nothing.
            assert model._default_manager.count() == count_before
            if model._default_manager.filter(pk=record.pk).exists():
                record.refresh_from_db()
                assert model_to_dict(record) == before
