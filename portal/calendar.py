"""Calendar feeds (RFC 5545) for the parts that publish dated events: trainings, matchmaking
events. A part turns its records into `CalendarEvent`s and returns `calendar_response(...)`; the
icalendar library writes the text (line folding, escaping, CRLF), so nothing here formats iCal
by hand.

Rules every feed keeps, so that calendar clients update an event rather than duplicate it:
- `UID` is stable for the record's lifetime (`<kind>-<pk>@<site host>`);
- `SEQUENCE` rises whenever a published event changes (the part stores and bumps it);
- `DTSTAMP` is when the feed was generated, `LAST-MODIFIED` when the record last changed;
- times are written in UTC (a trailing `Z`), which every client reads without a VTIMEZONE;
- a cancelled event stays in the feed with `STATUS:CANCELLED` so clients remove it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone


@dataclass(frozen=True)
class CalendarEvent:
    """One VEVENT. `kind` and `pk` make the UID; `url` is absolute or a site path."""

    kind: str
    pk: int
    summary: str
    start: datetime
    end: datetime
    sequence: int = 0
    description: str = ""
    location: str = ""
    url: str = ""
    last_modified: datetime | None = None
    cancelled: bool = False


def event_uid(kind: str, pk: int) -> str:
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"{kind}-{pk}@{host}"


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


def build_calendar(events: Iterable[CalendarEvent], *, name: str) -> icalendar.Calendar:
    cal = icalendar.Calendar()
    cal.add("prodid", "-//zouchuqu-portal//calendar//ZH")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    stamp = _utc(timezone.now())
    for item in events:
        event = icalendar.Event()
        event.add("uid", event_uid(item.kind, item.pk))
        event.add("dtstamp", stamp)
        event.add("dtstart", _utc(item.start))
        event.add("dtend", _utc(item.end))
        event.add("sequence", item.sequence)
        event.add("summary", item.summary)
        if item.description:
            event.add("description", item.description)
        if item.location:
            event.add("location", item.location)
        if item.url:
            url = item.url if "://" in item.url else settings.SITE_URL + item.url
            event.add("url", url)
        if item.last_modified:
            event.add("last-modified", _utc(item.last_modified))
        event.add("status", "CANCELLED" if item.cancelled else "CONFIRMED")
        cal.add_component(event)
    return cal


def calendar_response(events: Iterable[CalendarEvent], *, name: str, filename: str) -> HttpResponse:
    """An `text/calendar` response a calendar client can subscribe to or import."""
    body = build_calendar(events, name=name).to_ical()
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
