"""Files of the trainings: the attendance list (xlsx, csv), the certificate of attendance (PDF,
reportlab with its built-in CJK font STSong-Light: no font file to ship) and the .ics feeds."""

from __future__ import annotations

import csv
import io

from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from portal.calendar import CalendarEvent, calendar_response

from .choices import SessionStatus
from .models import Enrollment, TrainingSession


def _headers() -> list[str]:
    return [_("姓名"), _("用户名"), _("单位"), _("状态"), _("已出勤"), _("签到时间")]


def _rows(enrollments):
    for e in enrollments:
        yield [
            str(e.user),
            e.user.username,
            e.organization.name if e.organization else "",
            e.get_status_display(),
            _("是") if e.attended else _("否"),
            timezone.localtime(e.attended_at).strftime("%Y-%m-%d %H:%M") if e.attended_at else "",
        ]


def attendance_xlsx(session: TrainingSession, enrollments) -> HttpResponse:
    book = Workbook()
    sheet = book.active
    sheet.title = _("签到表")
    sheet.append(_headers())
    for row in _rows(enrollments):
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(
        out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="training-{session.pk}-attendance.xlsx"'
    return response


def attendance_csv(session: TrainingSession, enrollments) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response.write("\ufeff")  # Excel opens UTF-8 CSV with Chinese correctly only with a BOM
    writer = csv.writer(response)
    writer.writerow(_headers())
    for row in _rows(enrollments):
        writer.writerow(row)
    response["Content-Disposition"] = f'attachment; filename="training-{session.pk}-attendance.csv"'
    return response


def certificate_pdf(enrollment: Enrollment, verify_url: str) -> bytes:
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    font = "STSong-Light"
    if font not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(font))
    out = io.BytesIO()
    width, height = landscape(A4)
    pdf = canvas.Canvas(out, pagesize=(width, height))
    session = enrollment.session
    pdf.setTitle(_("培训结业证明"))
    pdf.setFont(font, 30)
    pdf.drawCentredString(width / 2, height - 120, _("培训结业证明"))
    pdf.setFont(font, 16)
    start = timezone.localtime(session.starts_at)
    lines = [
        _("兹证明 %(name)s 参加了") % {"name": enrollment.user},
        session.title,
        _("时间：%(date)s　地点：%(venue)s")
        % {"date": start.strftime("%Y-%m-%d"), "venue": session.venue or _("线上")},
        _("并完成全部课程，特此证明。"),
    ]
    y = height - 200
    for line in lines:
        pdf.drawCentredString(width / 2, y, line)
        y -= 34
    pdf.setFont(font, 10)
    pdf.drawCentredString(width / 2, 80, _("证书编号：%(code)s") % {"code": enrollment.certificate_code})
    pdf.drawCentredString(width / 2, 62, _("验证地址：%(url)s") % {"url": verify_url})
    pdf.showPage()
    pdf.save()
    return out.getvalue()


def _event(session: TrainingSession) -> CalendarEvent:
    return CalendarEvent(
        kind="training",
        pk=session.pk,
        summary=session.title,
        start=session.starts_at,
        end=session.ends_at,
        sequence=session.sequence,
        description=session.description,
        location=session.venue or session.online_url,
        url=reverse("trainings:detail", kwargs={"pk": session.pk}),
        last_modified=session.updated_at,
        cancelled=session.status == SessionStatus.CANCELLED,
    )


def calendar_feed(sessions) -> HttpResponse:
    return calendar_response([_event(s) for s in sessions], name=_("“走出去”专题培训"), filename="trainings.ics")


def session_ics(session: TrainingSession) -> HttpResponse:
    return calendar_response([_event(session)], name=session.title, filename=f"training-{session.pk}.ics")
