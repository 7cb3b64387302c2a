"""An enterprise's staff profiles in and out of Excel (`manage.py import_xlsx/export_xlsx talents`,
`/talent/import/`, `/talent/export.xlsx`): each row confirms the person's consent, lists in one
cell, every row checked and nothing kept if one fails; the export holds the enterprise's own."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from talent.models import TalentProfile
from talent.resources import COLUMNS, TalentXlsx

from .factories import make_profile

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


def row(**overrides) -> dict:
    return {
        "full_name": "刘建华",
        "education": "master",
        "occupation": "项目经理",
        "phone": "13800000001",
        "email": "liu@example.cn",
        "languages": "en:C1, fr:B1",
        "certificates": "pmp:2028-06-30, catti",
        "experiences": "KE:项目经理:2019-03-01:2021-06-30, 埃塞俄比亚:副经理:2016-01-01",
        "desired_countries": "肯尼亚、TZ",
        "available_from": "2027-01-01",
        "consent": "是",
    } | overrides


def test_an_enterprise_imports_its_staff_with_every_list_read(cast):
    result = TalentXlsx().import_file(
        io.BytesIO(workbook([row(), row(full_name="陈思远", languages="fr:C2")])), actor=cast.owner
    )
    assert result.errors == []
    profile = TalentProfile.objects.get(full_name="刘建华")
    assert (profile.entered_by, profile.owner) == (cast.enterprise, None)
    assert sorted((r.code, r.level) for r in profile.languages.all()) == [("en", "C1"), ("fr", "B1")]
    assert sorted((r.kind, str(r.valid_until)) for r in profile.certificates.all()) == [
        ("catti", "None"),
        ("pmp", "2028-06-30"),
    ]
    assert sorted((r.country_id, r.role) for r in profile.experiences.all()) == [("ET", "副经理"), ("KE", "项目经理")]
    assert sorted(c.code for c in profile.desired_countries.all()) == ["KE", "TZ"]
    assert profile.consent_records.count() == 1


def test_one_bad_row_imports_nothing_and_every_error_names_its_row(cast):
    rows = [row(), row(full_name="无同意", consent=""), row(full_name="坏语言", languages="xx:C1")]
    result = TalentXlsx().import_file(io.BytesIO(workbook(rows)), actor=cast.owner)
    assert not TalentProfile.objects.exists()
    assert {error.row for error in result.errors} == {3, 4}
    assert any("同意" in error.message for error in result.errors)


def test_only_enterprises_import_and_the_export_holds_the_enterprises_own(cast, client):
    assert TalentXlsx().can_import(cast.owner) and not TalentXlsx().can_import(cast.supplier)
    assert not TalentXlsx().can_import(cast.talent) and not TalentXlsx().can_import(cast.official)
    make_profile(cast.owner, full_name="本单位员工")
    make_profile(cast.outsider, full_name="他单位员工")
    make_profile(cast.talent, full_name="个人档案")
    client.force_login(cast.owner)
    response = client.get(reverse("talent:export_xlsx"))
    lines = list(load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0].iter_rows(values_only=True))
    names = [line[list(lines[0]).index(HEADERS["full_name"])] for line in lines[1:]]
    assert names == ["本单位员工"]
    client.force_login(cast.supplier)
    assert client.get(reverse("talent:export_xlsx")).status_code == 403
    client.logout()
    assert client.get(reverse("talent:export_xlsx")).status_code == 302
    client.force_login(cast.supplier)
    assert client.get(reverse("talent:import")).status_code == 403


def test_the_command_imports_for_the_enterprise_a_row_names(cast, tmp_path):
    path = tmp_path / "talents.xlsx"
    path.write_bytes(workbook([row(organization=cast.enterprise.credit_code)]))
    call_command("import_xlsx", "talents", str(path), stdout=io.StringIO())
    assert TalentProfile.objects.get().entered_by == cast.enterprise
    path.write_bytes(workbook([row(organization="91110000000000000X")]))
    with pytest.raises(CommandError):
        call_command("import_xlsx", "talents", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    out = tmp_path / "out.xlsx"
    call_command("export_xlsx", "talents", str(out), stdout=io.StringIO())
    assert out.stat().st_size > 0
