"""Projects in and out of Excel: `manage.py export_xlsx/import_xlsx projects <file>` and the API's
GET /api/v1/projects/export/ and POST /api/v1/projects/import/. Imports are all or nothing and go
through the same rules as the API; exports follow the public/private field rule."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from portal import xlsx
from portal.models import AuditEvent
from projects.choices import FilingStatus
from projects.models import ExchangeRate, Project
from projects.resources import COLUMNS, HEADERS

from .factories import ProjectFactory

pytestmark = pytest.mark.django_db

PRIVATE_HEADERS = {
    HEADERS[c] for c in ("contract_value", "currency", "contract_value_usd", "chinese_staff", "local_staff")
}
EDITABLE = [c.code for c in COLUMNS if c.imported and c.code != "organization"]


def workbook(rows: list[dict], headers: list[str] | None = None) -> bytes:
    """An .xlsx with the given header cells (default: every importable column's) and rows of
    {column code: value}."""
    codes = [c.code for c in COLUMNS if c.imported]
    headers = headers or [HEADERS[code] for code in codes]
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append([row.get(code) for code in codes])
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
        "name": "蒙巴萨港扩建工程三期",
        "name_en": "Mombasa Port Expansion Phase III",
        "country": "KE",
        "location": "蒙巴萨",
        "sector": "transport",
        "business_model": "epc",
        "stage": "signed",
        "contract_value": 1250000000,
        "currency": "KES",
        "start_date": dt.date(2025, 4, 1),
        "planned_completion": dt.date(2028, 3, 31),
        "chinese_staff": 85,
        "local_staff": 1400,
        "embassy_registered": "是",
        "embassy_registered_on": dt.date(2025, 3, 20),
        "description": "新建两个集装箱泊位及堆场。",
    }
    data.update(overrides)
    return data


@pytest.fixture
def xlsx_file(tmp_path):
    def write(rows, headers=None):
        path = tmp_path / "projects.xlsx"
        path.write_bytes(workbook(rows, headers))
        return path

    return write


def values(project: Project) -> tuple:
    return tuple(getattr(project, "country_id" if code == "country" else code) for code in EDITABLE)


# --- The commands ---------------------------------------------------------------------------


def test_export_writes_every_project_with_chinese_headers_and_codes(cast, tmp_path):
    ProjectFactory(organization=cast.enterprise, approved=True, name="雅万高铁配套工程", country_id="ID")
    ProjectFactory(organization=cast.outsider_org, name="阿斯塔纳轻轨二期", country_id="KZ", currency="KZT")
    path = tmp_path / "out.xlsx"
    call_command("export_xlsx", "projects", str(path))
    rows = read(path.read_bytes())
    assert list(rows[0]) == [c.header for c in COLUMNS]
    assert "项目名称（name）" in rows[0]
    by_name = {r["项目名称（name）"]: r for r in rows}
    assert set(by_name) == {"雅万高铁配套工程", "阿斯塔纳轻轨二期"}  # drafts too: the operator sees all
    first = by_name["雅万高铁配套工程"]
    assert first["企业统一社会信用代码（organization）"] == cast.enterprise.credit_code
    assert first["国家代码（country）"] == "ID"
    assert first["国家（country_name）"] == "印度尼西亚"
    assert first["行业（sector）"] == "transport"
    assert first["备案状态（filing_status）"] == "approved"
    assert first["合同金额（contract_value）"] == 1000000
    assert isinstance(first["开工日期（start_date）"], dt.datetime)  # a real date cell
    assert first["开工日期（start_date）"].date() == dt.date(2024, 3, 1)
    assert by_name["阿斯塔纳轻轨二期"]["币种（currency）"] == "KZT"


def test_a_good_file_imports_every_row_as_a_draft_through_the_services(cast, xlsx_file, capsys):
    path = xlsx_file(
        [
            row(cast.enterprise),
            row(cast.enterprise, name="内罗毕环城路", stage="", contract_value=None, currency=""),
            row(cast.outsider_org, name="塔什干热电站", country="UZ", currency="UZS", sector="power"),
        ]
    )
    call_command("import_xlsx", "projects", str(path))
    assert "Imported 3 projects" in capsys.readouterr().out
    projects = {p.name: p for p in Project.objects.all()}
    assert set(projects) == {"蒙巴萨港扩建工程三期", "内罗毕环城路", "塔什干热电站"}
    assert {p.filing_status for p in projects.values()} == {FilingStatus.DRAFT}
    mombasa = projects["蒙巴萨港扩建工程三期"]
    assert (mombasa.organization, mombasa.created_by) == (cast.enterprise, cast.owner)  # the enterprise's admin
    rate = ExchangeRate.objects.get(currency="KES").usd_per_unit
    assert mombasa.contract_value_usd == (Decimal(1250000000) * rate).quantize(Decimal("0.01"))
    assert (mombasa.embassy_registered, mombasa.embassy_registered_on) == (True, dt.date(2025, 3, 20))
    assert mombasa.stage_changes.get().to_stage == "signed"
    assert "雅万" not in mombasa.search_text and "蒙巴" in mombasa.search_text
    assert projects["内罗毕环城路"].stage == "intended"  # the default for a blank stage
    assert projects["塔什干热电站"].organization == cast.outsider_org
    assert AuditEvent.objects.filter(action="project.create").count() == 3


def test_a_file_with_bad_rows_imports_nothing_and_names_each_row_and_field(cast, xlsx_file, capsys):
    path = xlsx_file(
        [
            row(cast.enterprise),  # row 2: fine
            row(cast.enterprise, name="负数合同", contract_value=-5),  # row 3
            row(cast.enterprise, name="没有的币种", currency="XYZ"),  # row 4
            row(
                cast.enterprise, name="顺序颠倒", start_date=dt.date(2026, 1, 1), planned_completion=dt.date(2025, 1, 1)
            ),
            row(cast.enterprise, name="", sector="space"),  # row 6: two errors
            row(cast.enterprise, name="好的一行"),  # row 7: fine
        ]
    )
    with pytest.raises(CommandError, match="Nothing imported: 5 error"):
        call_command("import_xlsx", "projects", str(path))
    errors = capsys.readouterr().err
    assert "第 3 行 contract_value" in errors
    assert "第 4 行 currency" in errors and "XYZ" in errors
    assert "第 5 行 planned_completion" in errors
    assert "第 6 行 name" in errors
    assert "第 6 行 sector" in errors
    assert "第 2 行" not in errors
    assert not Project.objects.exists()
    assert not AuditEvent.objects.filter(action="project.create").exists()


@pytest.mark.parametrize(
    ("overrides", "field", "fragment"),
    [
        ({"organization": "91420100MA4K9999X9"}, "organization", "91420100MA4K9999X9"),
        ({"organization": ""}, "organization", "统一社会信用代码"),
        ({"country": "Atlantis"}, "country", "ATLANTIS"),
        ({"chinese_staff": "很多"}, "chinese_staff", ""),
        ({"chinese_staff": 1.5}, "chinese_staff", ""),
        ({"start_date": "下个月"}, "start_date", ""),
        ({"embassy_registered": "也许"}, "embassy_registered", ""),
        ({"embassy_registered": "否", "embassy_registered_on": None, "name": "港" * 201}, "name", "200"),
        ({"description": "述" * 5001}, "description", "5000"),
        ({"currency": "ETB", "contract_value": "abc"}, "contract_value", ""),
    ],
)
def test_each_bad_cell_is_reported_on_its_row_and_column(overrides, field, fragment, cast, xlsx_file, capsys):
    path = xlsx_file([row(cast.enterprise, name="第一行"), row(cast.enterprise, **overrides)])
    with pytest.raises(CommandError):
        call_command("import_xlsx", "projects", str(path))
    errors = capsys.readouterr().err
    assert f"第 3 行 {field}:" in errors, errors
    assert fragment in errors
    assert not Project.objects.exists()


def test_a_currency_without_a_rate_is_a_row_error(cast, xlsx_file, capsys):
    ExchangeRate.objects.filter(currency="KES").delete()
    with pytest.raises(CommandError):
        call_command("import_xlsx", "projects", str(xlsx_file([row(cast.enterprise)])))
    assert "第 2 行 currency" in capsys.readouterr().err
    assert not Project.objects.exists()


def test_rows_of_a_supplier_are_refused(cast, xlsx_file, capsys):
    with pytest.raises(CommandError):
        call_command("import_xlsx", "projects", str(xlsx_file([row(cast.supplier_org)])))
    assert "第 2 行 organization" in capsys.readouterr().err


def test_headers_may_be_labels_or_codes_and_values_chinese_labels(cast, tmp_path):
    codes = [c.code for c in COLUMNS if c.imported]
    headers = [c.label if n % 2 else c.code for n, c in enumerate(c for c in COLUMNS if c.imported)]
    content = workbook(
        [
            row(
                cast.enterprise,
                country="埃塞俄比亚",
                sector="交通运输",
                business_model="工程总承包（EPC）",
                stage="在建",
                currency="etb",
                contract_value="5,600,000,000.00",
                start_date="2025-01-15",
                planned_completion=dt.datetime.combine(dt.date(2028, 12, 31), dt.time()),
                embassy_registered=True,
            )
        ],
        headers,
    )
    assert len(headers) == len(codes)
    path = tmp_path / "labels.xlsx"
    path.write_bytes(content)
    call_command("import_xlsx", "projects", str(path))
    project = Project.objects.get()
    assert (project.country_id, project.sector, project.business_model, project.stage, project.currency) == (
        "ET",
        "transport",
        "epc",
        "under_construction",
        "ETB",
    )
    assert project.contract_value == Decimal("5600000000.00")
    assert (project.start_date, project.planned_completion) == (dt.date(2025, 1, 15), dt.date(2028, 12, 31))


def test_an_unknown_or_repeated_column_is_a_header_error(cast, xlsx_file, capsys):
    headers = [HEADERS[c.code] for c in COLUMNS if c.imported]
    headers[3] = "备注"
    headers[4] = HEADERS["name"]
    with pytest.raises(CommandError):
        call_command("import_xlsx", "projects", str(xlsx_file([row(cast.enterprise)], headers)))
    errors = capsys.readouterr().err
    assert "第 1 行" in errors
    assert "备注" in errors
    assert "name:" in errors
    assert not Project.objects.exists()


def test_blank_rows_are_skipped_and_row_numbers_stay_those_of_the_sheet(cast, xlsx_file, capsys):
    path = xlsx_file([row(cast.enterprise), {}, {}, row(cast.enterprise, contract_value=-1)])
    with pytest.raises(CommandError):
        call_command("import_xlsx", "projects", str(path))
    assert "第 5 行 contract_value" in capsys.readouterr().err


def test_too_many_rows_is_refused_before_any_import(cast, xlsx_file, monkeypatch):
    monkeypatch.setattr(xlsx, "MAX_IMPORT_ROWS", 2)
    path = xlsx_file([row(cast.enterprise, name=f"项目{n}") for n in range(3)])
    with pytest.raises(CommandError, match="2"):
        call_command("import_xlsx", "projects", str(path))
    assert not Project.objects.exists()


def test_a_file_that_is_not_a_workbook_is_a_clear_error(tmp_path):
    path = tmp_path / "projects.xlsx"
    path.write_text("名称,国家\n蒙巴萨港,KE\n", encoding="utf-8")
    with pytest.raises(CommandError, match="xlsx"):
        call_command("import_xlsx", "projects", str(path))
    with pytest.raises(CommandError, match="No such file"):
        call_command("import_xlsx", "projects", str(tmp_path / "missing.xlsx"))


def test_an_unknown_kind_names_the_known_ones(tmp_path):
    with pytest.raises(CommandError, match="projects"):
        call_command("export_xlsx", "planets", str(tmp_path / "x.xlsx"))
    with pytest.raises(CommandError, match="projects"):
        call_command("import_xlsx", "planets", str(tmp_path / "x.xlsx"))
    assert "projects" in xlsx.kinds()


def test_export_then_import_gives_the_same_projects(cast, tmp_path):
    ExchangeRate.objects.filter(currency="ETB").update(usd_per_unit=Decimal("0.0081"))
    originals = [
        ProjectFactory(organization=cast.enterprise, approved=True, description="第一行\n第二行"),
        ProjectFactory(
            organization=cast.enterprise,
            name='=HYPERLINK("http://example.com")',  # text, never a formula
            name_en="",
            location="",
            country_id="ET",
            currency="ETB",
            contract_value=Decimal("123456789.12"),
            sector="power",
            business_model="ppp",
            stage="intended",
            start_date=None,
            planned_completion=None,
            chinese_staff=0,
            local_staff=0,
        ),
        ProjectFactory(
            organization=cast.outsider_org,
            returned=True,
            contract_value=None,
            currency="",
            embassy_registered=True,
            embassy_registered_on=dt.date(2024, 2, 29),
            description="",
        ),
    ]
    expected = sorted((p.organization_id, *values(p)) for p in originals)
    path = tmp_path / "round.xlsx"
    call_command("export_xlsx", "projects", str(path))
    Project.objects.all().delete()
    call_command("import_xlsx", "projects", str(path))
    imported = Project.objects.all()
    assert sorted((p.organization_id, *values(p)) for p in imported) == expected
    assert {p.filing_status for p in imported} == {FilingStatus.DRAFT}
    assert Project.objects.get(sector="power").contract_value_usd == Decimal("999999.99")  # at today's rate


# --- The API --------------------------------------------------------------------------------


def export_url() -> str:
    return reverse("api:project-export")


def import_url() -> str:
    return reverse("api:project-import")


@pytest.fixture
def published(cast):
    mine = ProjectFactory(organization=cast.enterprise, approved=True, name="中老铁路站房", country_id="LA")
    draft = ProjectFactory(organization=cast.enterprise, name="利雅得住宅项目", country_id="SA", currency="SAR")
    theirs = ProjectFactory(organization=cast.outsider_org, approved=True, name="迪拜光伏电站", country_id="AE")
    return mine, draft, theirs


def test_the_public_export_has_approved_projects_and_no_value_columns(published, api):
    response = api.get(export_url())
    assert response.status_code == 200
    assert response["Content-Type"] == xlsx.CONTENT_TYPE
    assert response["Content-Disposition"].startswith('attachment; filename="projects-')
    rows = read(response.content)
    assert sorted(r["项目名称（name）"] for r in rows) == ["中老铁路站房", "迪拜光伏电站"]
    assert not PRIVATE_HEADERS & set(rows[0])
    assert HEADERS["name"] in rows[0]


@pytest.mark.parametrize("role", ["supplier", "talent"])
def test_signed_in_users_without_projects_get_no_value_columns_either(role, published, cast, api):
    rows = read(api.as_user(cast.user(role)).get(export_url()).content)
    assert len(rows) == 2
    assert not PRIVATE_HEADERS & set(rows[0])


def test_an_enterprise_exports_its_own_values_and_only_the_public_fields_of_others(published, cast, api):
    rows = {r[HEADERS["name"]]: r for r in read(api.as_user(cast.outsider).get(export_url()).content)}
    assert set(rows) == {"中老铁路站房", "迪拜光伏电站"}  # not the other enterprise's draft
    assert rows["迪拜光伏电站"][HEADERS["contract_value"]] == 1000000
    assert rows["迪拜光伏电站"][HEADERS["chinese_staff"]] == 120
    assert all(rows["中老铁路站房"][header] is None for header in PRIVATE_HEADERS)


def test_officials_export_everything_with_values_and_filters_apply(published, cast, api):
    client = api.as_user(cast.reviewer)
    rows = read(client.get(export_url()).content)
    assert len(rows) == 3
    assert all(r[HEADERS["contract_value_usd"]] is not None for r in rows)
    assert all(r[HEADERS["chinese_staff"]] == 120 for r in rows)
    filtered = read(client.get(export_url(), {"country": "SA,AE", "filing_status": "draft"}).content)
    assert [r[HEADERS["name"]] for r in filtered] == ["利雅得住宅项目"]


def test_a_bad_export_filter_is_a_400_not_a_500(cast, api):
    response = api.as_user(cast.official).get(export_url(), {"stage": "dreaming"})
    assert response.status_code == 400
    assert "stage" in response.json()


def test_the_export_asked_for_by_its_media_type(published, api):
    response = api.get(export_url(), HTTP_ACCEPT=xlsx.CONTENT_TYPE)
    assert response.status_code == 200
    assert len(read(response.content)) == 2


@pytest.mark.parametrize(
    ("role", "queries"),
    [
        # COUNT against the export limit; the rows with organisation and country joined
        ("anonymous", 2),
        # the user's membership; COUNT; the rows
        ("official", 3),
    ],
)
def test_the_export_costs_the_same_queries_for_any_number_of_rows(role, queries, cast, api, django_assert_num_queries):
    for n in range(30):
        ProjectFactory(organization=(cast.enterprise, cast.outsider_org)[n % 2], approved=True)
    client = api.as_user(cast.user(role))
    with django_assert_num_queries(queries):
        response = client.get(export_url())
    assert len(read(response.content)) == 30


def upload(content: bytes, name: str = "projects.xlsx") -> dict:
    return {"file": SimpleUploadedFile(name, content, content_type=xlsx.CONTENT_TYPE)}


def test_an_enterprise_imports_projects_for_its_own_organisation(cast, api):
    content = workbook(
        [row(cast.outsider_org), row(cast.outsider_org, name="亚的斯亚贝巴环城公路", country="ET", currency="ETB")]
    )
    response = api.as_user(cast.colleague).post(import_url(), upload(content), format="multipart")
    assert response.status_code == 201, response.content
    assert response.json()["created"] == 2
    projects = Project.objects.filter(pk__in=response.json()["ids"])
    # The credit-code column is ignored: the caller's organisation owns what it imports.
    assert {(p.organization, p.created_by, p.filing_status) for p in projects} == {
        (cast.enterprise, cast.colleague, FilingStatus.DRAFT)
    }


def test_an_api_import_with_a_bad_row_imports_nothing_and_lists_the_errors(cast, api):
    content = workbook([row(cast.enterprise), row(cast.enterprise, contract_value=-1, country="XX")])
    response = api.as_user(cast.owner).post(import_url(), upload(content), format="multipart")
    assert response.status_code == 400
    body = response.json()
    assert "2" in body["detail"]
    assert sorted((e["row"], e["field"]) for e in body["errors"]) == [(3, "contract_value"), (3, "country")]
    assert all(e["message"] for e in body["errors"])
    assert not Project.objects.exists()


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("supplier", 403),
        ("talent", 403),
        ("reviewer", 403),
        ("official", 403),
        ("anonymous", 401),
    ],
)
def test_only_enterprises_import_projects(role, status, cast, api):
    content = workbook([row(cast.enterprise)])
    response = api.as_user(cast.user(role)).post(import_url(), upload(content), format="multipart")
    assert response.status_code == status
    assert not Project.objects.exists()


@pytest.mark.parametrize(
    "content",
    [b"", b"not a workbook", b"PK\x03\x04 truncated zip"],
    ids=["empty", "text", "broken-zip"],
)
def test_an_upload_that_is_not_a_workbook_is_a_400(content, cast, api):
    response = api.as_user(cast.owner).post(import_url(), upload(content), format="multipart")
    assert response.status_code == 400
    assert "file" in response.json()


def test_an_import_without_a_file_is_a_400(cast, api):
    response = api.as_user(cast.owner).post(import_url(), {}, format="multipart")
    assert response.status_code == 400
    assert "file" in response.json()


def test_a_workbook_with_only_a_header_imports_nothing_and_says_so(cast, api):
    response = api.as_user(cast.owner).post(import_url(), upload(workbook([])), format="multipart")
    assert response.status_code == 201
    assert response.json() == {"created": 0, "ids": []}


def test_an_api_export_imports_back_for_the_same_enterprise(published, cast, api):
    client = api.as_user(cast.owner)
    exported = client.get(export_url(), {"organization": cast.enterprise.pk}).content
    mine = sorted(values(p) for p in Project.objects.filter(organization=cast.enterprise))
    Project.objects.filter(organization=cast.enterprise).delete()
    response = client.post(import_url(), upload(exported), format="multipart")
    assert response.status_code == 201, response.content
    assert sorted(values(p) for p in Project.objects.filter(organization=cast.enterprise)) == mine
