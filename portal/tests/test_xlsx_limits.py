# ruff: noqa: E501 (the package parts below are XML written as a spreadsheet writer writes them)
"""Hostile workbooks are refused at once: a sheet of millions of blank rows, an archive that
unpacks to far more than any import needs, a member compressed like a bomb, thousands of
columns. The refusal is bounded in work (rows parsed, bytes inflated), not timed."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl.worksheet import _reader

from portal import xlsx
from projects.models import Project
from projects.resources import COLUMNS, ProjectXlsx

pytestmark = pytest.mark.django_db

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
</Types>"""
RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""
WORKBOOK = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<sheets><sheet name="项目" sheetId="1" r:id="rId1"/></sheets></workbook>"""
WORKBOOK_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>
</Relationships>"""


def hand_made(sheet_data: str, *, dimension: str | None = None, extra: dict[str, bytes] | None = None) -> bytes:
    """A minimal .xlsx written by hand, as an attacker would: openpyxl would never write these."""
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    sheet = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"{dim}<sheetData>{sheet_data}</sheetData></worksheet>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


HEADER = '<row r="1"><c r="A1" t="inlineStr"><is><t>name</t></is></c></row>'


def blank_rows(count: int) -> str:
    # Rows without a number follow the one before: the same few bytes repeated, which is why
    # two million of them compress to a few hundred kilobytes.
    return HEADER + "<row/>" * count


@pytest.fixture(scope="module")
def two_million_blank_rows() -> bytes:
    return hand_made(blank_rows(2_000_000))


@pytest.fixture
def parsed_rows(monkeypatch) -> list[int]:
    """How many rows openpyxl's sheet parser has parsed (a spy on the real parser)."""
    seen = [0]
    original = _reader.WorkSheetParser.parse_row

    def counting(self, row):
        seen[0] += 1
        return original(self, row)

    monkeypatch.setattr(_reader.WorkSheetParser, "parse_row", counting)
    return seen


def test_the_hostile_file_is_small(two_million_blank_rows):
    assert len(two_million_blank_rows) < 1_000_000  # it is the issue's ~290 KB, not a big upload


def test_millions_of_blank_rows_are_refused_before_parsing(two_million_blank_rows, parsed_rows):
    # Compressed a thousandfold, the sheet is refused by the archive check before any row.
    with pytest.raises(xlsx.XlsxError, match="压缩异常"):
        xlsx.read_rows(io.BytesIO(two_million_blank_rows), COLUMNS)
    assert parsed_rows[0] == 0


def test_blank_rows_count_toward_the_cap_and_stop_the_reading_there(parsed_rows):
    # Numbered rows compress less: within the archive limits, no <dimension>; the count stops it.
    content = hand_made(HEADER + "".join(f'<row r="{n}"/>' for n in range(2, 50_002)))
    with pytest.raises(xlsx.XlsxError, match=str(xlsx.MAX_IMPORT_ROWS)):
        xlsx.read_rows(io.BytesIO(content), COLUMNS)
    assert parsed_rows[0] <= xlsx.MAX_IMPORT_ROWS + 2


def test_a_declared_dimension_past_the_cap_is_refused_before_any_row_is_parsed(parsed_rows):
    content = hand_made(blank_rows(10), dimension=f"A1:A{xlsx.MAX_IMPORT_ROWS + 50}")
    with pytest.raises(xlsx.XlsxError, match=str(xlsx.MAX_IMPORT_ROWS)):
        xlsx.read_rows(io.BytesIO(content), COLUMNS)
    assert parsed_rows[0] == 0


def test_rows_far_apart_count_as_the_rows_between_them(parsed_rows):
    # openpyxl yields the missing rows between r="2" and r="3000000" as empty ones.
    content = hand_made(HEADER + '<row r="3000000"><c r="A3000000" t="inlineStr"><is><t>x</t></is></c></row>')
    with pytest.raises(xlsx.XlsxError, match=str(xlsx.MAX_IMPORT_ROWS)):
        xlsx.read_rows(io.BytesIO(content), COLUMNS)


def test_an_archive_that_unpacks_past_the_limit_is_refused_before_parsing(parsed_rows):
    content = hand_made(HEADER, extra={"xl/media/padding.bin": b"\0" * (xlsx.MAX_UNCOMPRESSED_BYTES + 1)})
    assert len(content) < 1_000_000
    with pytest.raises(xlsx.XlsxError, match="过大"):
        xlsx.read_rows(io.BytesIO(content), COLUMNS)
    assert parsed_rows[0] == 0


def test_a_member_compressed_like_a_bomb_is_refused(parsed_rows):
    content = hand_made(HEADER, extra={"xl/sharedStrings.xml": b" " * (8 * 1024 * 1024)})
    with pytest.raises(xlsx.XlsxError, match="压缩异常"):
        xlsx.read_rows(io.BytesIO(content), COLUMNS)
    assert parsed_rows[0] == 0


def test_thousands_of_columns_are_refused(parsed_rows):
    cells = "".join(f'<c r="{_column(i)}1" t="inlineStr"><is><t>c{i}</t></is></c>' for i in range(1, 5001))
    with pytest.raises(xlsx.XlsxError, match=str(xlsx.MAX_COLUMNS)):
        xlsx.read_rows(io.BytesIO(hand_made(f'<row r="1">{cells}</row>')), COLUMNS)


def test_a_hand_made_file_within_the_limits_still_reads():
    content = hand_made(HEADER + '<row r="2"><c r="A2" t="inlineStr"><is><t>蒙巴萨港</t></is></c></row>')
    errors, rows = xlsx.read_rows(io.BytesIO(content), COLUMNS)
    assert (errors, rows) == ([], [(2, {"name": "蒙巴萨港"})])


def test_the_api_refuses_the_hostile_file_with_a_400_and_imports_nothing(two_million_blank_rows, cast, api):
    upload = SimpleUploadedFile("projects.xlsx", two_million_blank_rows, content_type=xlsx.CONTENT_TYPE)
    response = api.as_user(cast.owner).post(reverse("api:project-import"), {"file": upload}, format="multipart")
    assert response.status_code == 400
    assert "压缩异常" in response.json()["file"][0]
    assert not Project.objects.exists()


def test_the_command_path_refuses_it_too(two_million_blank_rows, tmp_path):
    path = tmp_path / "hostile.xlsx"
    path.write_bytes(two_million_blank_rows)
    with pytest.raises(xlsx.XlsxError):
        ProjectXlsx().import_file(str(path))


def _column(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)
