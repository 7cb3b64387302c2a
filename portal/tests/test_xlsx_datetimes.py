"""portal.xlsx, the Excel writer every part's export uses."""

import datetime as dt
import io
from zoneinfo import ZoneInfo

from django.utils import timezone
from openpyxl import load_workbook

from portal import xlsx

SHANGHAI = ZoneInfo("Asia/Shanghai")


def written_cells(*values) -> list:
    workbook = load_workbook(io.BytesIO(xlsx.write_workbook(["值"] * len(values), [values], title="测试")))
    return [cell.value for cell in next(workbook.active.iter_rows(min_row=2))]


def test_a_datetime_is_written_in_local_time_however_it_is_given():
    nine_in_shanghai = dt.datetime.combine(timezone.localdate(), dt.time(9, 0), tzinfo=SHANGHAI)
    as_the_database_returns_it = nine_in_shanghai.astimezone(dt.UTC)  # 01:00 UTC

    cells = written_cells(as_the_database_returns_it, nine_in_shanghai)

    assert cells == [nine_in_shanghai.replace(tzinfo=None)] * 2  # 09:00, not 01:00


def test_dates_and_naive_datetimes_are_written_as_they_are():
    day, moment = dt.date(2026, 6, 30), dt.datetime(2026, 6, 30, 17, 45)  # noqa: DTZ001 - naive on purpose

    assert written_cells(day, moment) == [dt.datetime(2026, 6, 30), moment]  # noqa: DTZ001 - Excel reads dates back as datetimes
