"""`portal.xlsx.XlsxKind.import_rows`, the import every kind shares, seen through the project kind.
The commands' and the API's behaviour is in projects/tests/test_import_export.py; these are the
template method's own paths that no file reaches from there."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from portal.xlsx import RowError
from projects.models import Project
from projects.resources import ProjectXlsx
from projects.tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db


def sheet_row(org, **overrides) -> dict:
    """A row as `read_rows` gives it: {column code: cell value}."""
    return {
        "organization": org.credit_code,
        "name": "蒙巴萨港扩建工程三期",
        "country": "KE",
        "sector": "transport",
        "business_model": "epc",
        **overrides,
    }


class RefusingProjectXlsx(ProjectXlsx):
    """The project kind with a service that refuses one row as a whole."""

    def create(self, *, actor, data):
        if data["name"] == "整行被拒":
            raise ValidationError("这一行不能登记。")
        return super().create(actor=actor, data=data)


def test_a_permission_error_from_the_service_is_a_row_error_on_the_owner_column(cast):
    # The API refuses non-enterprises first; the service's own refusal still reaches the result.
    result = ProjectXlsx().import_rows([(2, sheet_row(cast.enterprise))], actor=cast.supplier)
    refusal = "只有企业可以登记项目。"
    assert result.errors == [RowError(2, "organization", refusal)]
    assert result.created == []
    assert not Project.objects.exists()


def test_a_service_error_without_a_field_is_the_rows_and_rolls_back_the_rows_before_it(cast):
    rows = [(2, sheet_row(cast.enterprise)), (3, sheet_row(cast.enterprise, name="整行被拒"))]
    result = RefusingProjectXlsx().import_rows(rows, actor=cast.owner)
    assert result.errors == [RowError(3, "", "这一行不能登记。")]
    assert result.created == []
    assert not Project.objects.exists()  # row 2 was created, then rolled back with the file


def test_a_failed_import_rolls_back_only_its_own_rows(cast):
    # Inside a caller's transaction (here the test's) the import is a savepoint.
    earlier = ProjectFactory(organization=cast.enterprise)
    rows = [(2, sheet_row(cast.enterprise)), (3, sheet_row(cast.enterprise, sector="space"))]
    result = ProjectXlsx().import_rows(rows, actor=cast.owner)
    assert [(e.row, e.field) for e in result.errors] == [(3, "sector")]
    assert list(Project.objects.all()) == [earlier]


def test_chinese_choice_labels_are_read_whatever_the_language_of_the_request(cast):
    row = sheet_row(cast.enterprise, sector="交通运输", business_model="工程总承包（EPC）", stage="在建")
    with translation.override("en"):
        result = ProjectXlsx().import_rows([(2, row)], actor=cast.owner)
    assert result.errors == []
    project = Project.objects.get()
    assert (project.sector, project.business_model, project.stage) == ("transport", "epc", "under_construction")
