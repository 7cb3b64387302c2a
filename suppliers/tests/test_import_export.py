"""Supplier applications in and out of Excel: `manage.py export_xlsx/import_xlsx suppliers
<file>`, the export link (`/suppliers/export.xlsx`) and the import page (`/suppliers/import/`).
Officials import applications for registered supplier organisations, all or nothing; officials
export every application, a supplier its own."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from portal.models import AuditEvent
from portal.services.imports import import_job_create, import_job_run
from suppliers.choices import SupplierStatus
from suppliers.models import Supplier
from suppliers.resources import COLUMNS, SupplierXlsx

from .factories import SupplierFactory, SupplierOrganizationFactory

pytestmark = pytest.mark.django_db

HEADERS = {c.code: c.header for c in COLUMNS}
IMPORTED = [c.code for c in COLUMNS if c.imported]


def workbook(rows: list[dict]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append([HEADERS[code] for code in IMPORTED])
    for row in rows:
        sheet.append([row.get(code) for code in IMPORTED])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def read(content: bytes) -> list[dict]:
    sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    lines = list(sheet.iter_rows(values_only=True))
    return [dict(zip(lines[0], line, strict=True)) for line in lines[1:]]


def row(org, **overrides) -> dict:
    data = {
        "organization": org.credit_code,
        "categories": "绿色建材",
        "countries_served": "柬埔寨、MY",
        "products": "蒸压加气混凝土砌块",
        "capacity": "年产能 50 万吨",
        "contact_name": "王经理",
        "contact_phone": "027-88886666",
        "contact_email": "sales@supplier.example.cn",
    }
    data.update(overrides)
    return data


@pytest.fixture
def xlsx_file(tmp_path):
    def write(rows):
        path = tmp_path / "suppliers.xlsx"
        path.write_bytes(workbook(rows))
        return path

    return write


# --- The commands ---------------------------------------------------------------------------


def test_export_writes_every_application_with_its_lists_as_codes(cast, tmp_path):
    SupplierFactory(organization=cast.supplier_org, status=SupplierStatus.APPROVED)
    SupplierFactory(categories=["legal"], countries=["KE"])
    path = tmp_path / "out.xlsx"
    call_command("export_xlsx", "suppliers", str(path))
    rows = read(path.read_bytes())
    assert len(rows) == 2
    first = rows[0]
    assert first[HEADERS["organization"]] == cast.supplier_org.credit_code
    assert first[HEADERS["status"]] == "approved"
    assert first[HEADERS["categories"]] == "green_materials"
    assert set(first[HEADERS["countries_served"]].split(",")) == {"KH", "MY"}


def test_a_good_file_imports_every_row_as_a_draft_of_the_named_organisation(cast, xlsx_file):
    other = SupplierOrganizationFactory()
    path = xlsx_file([row(cast.supplier_org), row(other, categories="legal,green_materials", countries_served="KE")])
    call_command("import_xlsx", "suppliers", str(path))
    mine = Supplier.objects.get(organization=cast.supplier_org)
    assert mine.status == SupplierStatus.DRAFT
    assert set(mine.countries_served.values_list("code", flat=True)) == {"KH", "MY"}  # a Chinese name and a code
    assert list(mine.categories.values_list("code", flat=True)) == ["green_materials"]
    theirs = Supplier.objects.get(organization=other)
    assert set(theirs.categories.values_list("code", flat=True)) == {"legal", "green_materials"}
    assert AuditEvent.objects.filter(action="supplier_application.create").count() == 2


def test_a_file_with_bad_rows_imports_nothing_and_names_each_row_and_column(cast, xlsx_file, capsys):
    taken = SupplierFactory().organization
    path = xlsx_file(
        [
            row(cast.supplier_org),  # row 2: fine
            row(cast.supplier_org, organization="91420100MA4XXXXXXX"),  # row 3: nobody has this code
            row(taken),  # row 4: already has an application
            row(SupplierOrganizationFactory(), categories="space"),  # row 5
            row(SupplierOrganizationFactory(), contact_email="not-an-email"),  # row 6
            row(cast.enterprise),  # row 7: not a supplier
        ]
    )
    with pytest.raises(CommandError, match="5 error"):
        call_command("import_xlsx", "suppliers", str(path))
    errors = capsys.readouterr().err
    for number, column in ((3, "organization"), (4, "organization"), (5, "categories"), (6, "contact_email")):
        assert f"第 {number} 行 {column}:" in errors
    assert "第 7 行 organization:" in errors
    assert not Supplier.objects.filter(organization=cast.supplier_org).exists()  # row 2 was rolled back


def test_an_export_imports_back_into_the_same_applications(cast, tmp_path):
    SupplierFactory(organization=cast.supplier_org, categories=["legal"], countries=["KE", "UZ"])
    path = tmp_path / "out.xlsx"
    call_command("export_xlsx", "suppliers", str(path))
    before = Supplier.objects.get()
    fields = ("products", "capacity", "contact_name", "contact_phone", "contact_email", "description")
    expected = ({f: getattr(before, f) for f in fields}, set(before.countries_served.values_list("code", flat=True)))
    Supplier.objects.all().delete()
    call_command("import_xlsx", "suppliers", str(path))
    after = Supplier.objects.get()
    assert ({f: getattr(after, f) for f in fields}, set(after.countries_served.values_list("code", flat=True))) == (
        expected
    )
    assert list(after.categories.values_list("code", flat=True)) == ["legal"]


# --- Who may import -------------------------------------------------------------------------


def test_the_api_style_import_refuses_a_supplier_on_the_organisation_column(cast):
    content = io.BytesIO(workbook([row(cast.supplier_org)]))
    result = SupplierXlsx().import_file(content, actor=cast.supplier)
    assert [(e.row, e.field) for e in result.errors] == [(2, "organization")]
    assert not Supplier.objects.exists()


def test_an_official_imports_through_a_job_and_is_recorded_as_the_actor(cast, django_capture_on_commit_callbacks):
    upload = SimpleUploadedFile("s.xlsx", workbook([row(cast.supplier_org)]))
    with django_capture_on_commit_callbacks(execute=False):
        job = import_job_create(actor=cast.reviewer, kind="suppliers", file=upload)
    import_job_run(job_id=job.pk, task_id="t1")
    job.refresh_from_db()
    assert job.status == "done", job.errors
    supplier = Supplier.objects.get(organization=cast.supplier_org)
    assert supplier.created_by == cast.reviewer


@pytest.mark.parametrize(
    ("role", "status"),
    [("reviewer", 200), ("official", 200), ("supplier", 403), ("owner", 403), ("talent", 403), ("anonymous", 302)],
)
def test_the_import_page_is_for_officials(role, status, cast, client):
    user = cast.user(role)
    if user is not None:
        client.force_login(user)
    assert client.get(reverse("suppliers:import")).status_code == status


# --- The export link ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected"),
    [("reviewer", {"mine", "other"}), ("supplier", {"mine"}), ("owner", None), ("talent", None), ("anonymous", None)],
)
def test_officials_export_every_application_and_a_supplier_its_own(role, expected, cast, client):
    mine = SupplierFactory(organization=cast.supplier_org, status=SupplierStatus.APPROVED)
    other = SupplierFactory(status=SupplierStatus.SUBMITTED)
    names = {mine.organization.credit_code: "mine", other.organization.credit_code: "other"}
    user = cast.user(role)
    if user is not None:
        client.force_login(user)
    response = client.get(reverse("suppliers:export"))
    if expected is None:
        assert response.status_code == (302 if user is None else 403)
        return
    assert response.status_code == 200
    rows = read(response.content)
    assert {names[r[HEADERS["organization"]]] for r in rows} == expected


def test_the_export_applies_the_queue_filters_in_fixed_queries(cast, client, django_assert_num_queries):
    for _ in range(3):
        SupplierFactory(categories=["legal"], countries=["KE"])
    SupplierFactory(categories=["green_materials"], countries=["KE"])
    client.force_login(cast.reviewer)
    url = reverse("suppliers:export") + "?category=legal&country=KE"
    client.get(url)
    # session, user, membership, the count under the cap, import-export's own count, the
    # suppliers with their organisations, their categories, their countries (prefetched)
    with django_assert_num_queries(8):
        response = client.get(url)
    assert len(read(response.content)) == 3
