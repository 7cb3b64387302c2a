"""A permission matrix for API resources, after NetBox's utilities/testing.

A test class declares its resource and what each member of the cast may do; the mixin makes one
test per (operation, role), checks the status, that a listed record appears or not, that a
refused write changed nothing and that a successful one had its effect. An outsider's record is
a 404, never a 403.

    class TestOrganizationAPI(APIMatrix):
        basename = "organization"
        update_data = {"name": "新名称"}
        expect = {
            "list": {"owner": True, "outsider": False, ..., "anonymous": 401},  # True: record listed
            "retrieve": {"owner": 200, "outsider": 404, ...},
            "update": {...}, "destroy": {...}, "create": {...},
            "action:read": {...},  # POST to the detail action `read`
        }
        effects = {"action:read": lambda record: record.read_at is not None}

        def make_record(self, cast):
            return cast.enterprise

Every operation in `expect` must name every role in Cast.ROLES.

What is checked besides the status:

- a read (list, retrieve) and a refused request (4xx) change nothing: the record, the row count
  of its model and the audit trail are as they were;
- a successful create left a new row, found by the `id_field` of the response, and (when the
  class is `audited`, the default) an AuditEvent about it;
- a successful update left `update_data` in the database, read back field by field, and an
  AuditEvent about the record;
- a successful destroy removed the row and left an AuditEvent about it;
- any successful operation named in `effects` satisfies its check, called with the record read
  back from the database (the created one for create; None when it was deleted).
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.urls import reverse

from .cast import Cast
from .effects import Effect, Snapshot, assert_effect, reload, target_events


class APIMatrix:
    basename: ClassVar[str]
    expect: ClassVar[dict[str, dict[str, int | bool]]]
    id_field: ClassVar[str] = "id"
    update_data: ClassVar[dict[str, Any] | None] = None
    #: Whether successful create, update and destroy requests must leave an AuditEvent.
    audited: ClassVar[bool] = True
    #: How `create` sends its data: "json", or "multipart" for a record with a file.
    create_format: ClassVar[str] = "json"
    #: Checks of successful operations: {"action:submit": lambda record: ...}.
    effects: ClassVar[dict[str, Effect]] = {}

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
        before = Snapshot(record)
        context = (role, operation)

        if operation == "list":
            response = client.get(reverse(f"api:{self.basename}-list"), {"page_size": 200})
            if isinstance(expected, bool):
                assert response.status_code == 200, response.content
                ids = [row[self.id_field] for row in response.json()["results"]]
                assert (self.record_id(record) in ids) is expected, f"{role} listed: {ids}"
                before.assert_unchanged(context)
                return
        elif operation == "retrieve":
            response = client.get(self._detail(record))
        elif operation == "update":
            response = client.patch(self._detail(record), self.update_data, format="json")
        elif operation == "destroy":
            response = client.delete(self._detail(record))
        elif operation == "create":
            response = client.post(
                reverse(f"api:{self.basename}-list"), self.create_data(cast), format=self.create_format
            )
        elif operation.startswith("action:"):
            response = client.post(self._detail(record, operation.removeprefix("action:")), {}, format="json")
        else:  # pragma: no cover - a typo in a test class
            raise AssertionError(f"unknown operation {operation}")

        assert response.status_code == expected, (role, operation, response.status_code, response.content[:300])
        if response.status_code >= 400 or operation in ("list", "retrieve"):
            # A read, or a refused request, changes nothing.
            before.assert_unchanged(context)
            if response.status_code == 200 and operation == "retrieve":
                assert response.json()[self.id_field] == self.record_id(record)
            return
        if operation == "create":
            record = self._check_created(response, before, context)
        elif operation == "update":
            self._check_updated(record, before, context)
        elif operation == "destroy":
            self._check_destroyed(record, before, context)
        assert_effect(self.effects.get(operation), record, context)

    # --- The effect of a successful write ---------------------------------------------------

    def _check_created(self, response, before: Snapshot, context):
        model = type(before.record)
        created = model._default_manager.filter(**{self.id_field: response.json()[self.id_field]}).first()
        assert created is not None, (context, "the created record is not in the database", response.json())
        assert model._default_manager.count() == before.counts[model] + 1, context
        if self.audited:
            assert target_events(model, created.pk).exists(), (context, f"no audit event for the new {created!r}")
        return created

    def _check_updated(self, record, before: Snapshot, context):
        current = reload(record)
        assert current is not None, (context, "the record was deleted by an update")
        for name, value in (self.update_data or {}).items():
            field = type(record)._meta.get_field(name)
            assert getattr(current, field.attname) == field.to_python(value), (context, name, "not persisted")
        if self.audited:
            before.assert_record_audited(context)

    def _check_destroyed(self, record, before: Snapshot, context):
        assert reload(record) is None, (context, "the record is still in the database")
        if self.audited:
            before.assert_record_audited(context)
