"""The shared calendar writer: what every .ics feed relies on."""

from datetime import timedelta

import icalendar
from django.utils import timezone

from portal.calendar import CalendarEvent, calendar_response, event_uid


def test_a_feed_parses_and_keeps_uid_sequence_utc_and_cancellation(settings):
    settings.SITE_URL = "https://portal.example.cn"
    start = timezone.now().replace(microsecond=0)
    events = [
        CalendarEvent(
            kind="training",
            pk=7,
            summary="“走出去”专题培训",
            start=start,
            end=start + timedelta(hours=3),
            sequence=2,
            location="武汉市",
            url="/trainings/7/",
        ),
        CalendarEvent(
            kind="training", pk=8, summary="已取消", start=start, end=start + timedelta(hours=1), cancelled=True
        ),
    ]
    response = calendar_response(events, name="培训日历", filename="trainings.ics")
    assert response["Content-Type"].startswith("text/calendar")
    cal = icalendar.Calendar.from_ical(response.content)
    first, second = cal.walk("VEVENT")
    assert str(first["uid"]) == "training-7@portal.example.cn" == event_uid("training", 7)
    assert first["sequence"] == 2
    assert str(first["summary"]) == "“走出去”专题培训"
    assert str(first["url"]) == "https://portal.example.cn/trainings/7/"
    assert first.decoded("dtstart") == start
    assert first["dtstart"].to_ical().endswith(b"Z")
    assert "dtstamp" in first
    assert str(first["status"]) == "CONFIRMED"
    assert str(second["status"]) == "CANCELLED"
