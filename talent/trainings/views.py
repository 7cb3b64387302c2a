"""Pages of the trainings (namespace `trainings`): the calendar, a session, the organisers'
forms and attendance list, enrolment buttons, my trainings, an enterprise's record, the .ics
feeds and the certificate with its public verification page."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.choices import AgencyPermission
from portal.forms import add_service_errors
from portal.generic import ObjectListView, PortalView, error_text
from portal.viewmixins import get_scoped_or_404

from . import documents, selectors, services
from .choices import EnrollmentStatus, SessionStatus
from .filtersets import TrainingCalendarFilterSet
from .forms import CancelForm, CheckInForm, SessionForm
from .models import Enrollment, TrainingNoticeOptIn, TrainingSession


def is_organiser(user) -> bool:
    return user.is_authenticated and user.has_agency_permission(AgencyPermission.ORGANISE_TRAINING)


def organiser_session(request, pk) -> TrainingSession:
    """The session for an organiser's page: a draft others may not see is a 404 (a 403 would
    confirm it exists); a visible session they may not organise is a 403."""
    session = get_scoped_or_404(TrainingSession.objects.all(), request.user, pk=pk)
    if not is_organiser(request.user):
        raise PermissionDenied
    return session


class TrainingsSection:
    def section_context(self):
        user = self.request.user
        return {"organiser": is_organiser(user), "signed_in": user.is_authenticated}


class CalendarView(TrainingsSection, ObjectListView):
    """Public: published (and cancelled) sessions by half; organisers also see drafts."""

    template_name = "talent/trainings/calendar.html"
    queryset = TrainingSession.objects.all()
    filterset_class = TrainingCalendarFilterSet

    def paginate(self, queryset):
        return selectors.sessions_with_counts(queryset).order_by("-year", "-half", "starts_at", "id")

    def extra_context(self, page):
        groups: list[tuple[tuple[int, int], list]] = []
        for session in page.object_list:
            key = (session.year, session.half)
            if not groups or groups[-1][0] != key:
                groups.append((key, []))
            groups[-1][1].append(session)
        opted = (
            self.request.user.is_authenticated and TrainingNoticeOptIn.objects.filter(user=self.request.user).exists()
        )
        return {"groups": groups, "opted_in": opted}


class SessionDetailView(TrainingsSection, PortalView):
    template_name = "talent/trainings/detail.html"

    def get(self, request, pk):
        session = get_scoped_or_404(selectors.sessions_with_counts(TrainingSession.objects.all()), request.user, pk=pk)
        mine = None
        if request.user.is_authenticated:
            mine = Enrollment.objects.filter(session=session, user=request.user).first()
        return self.render(
            {
                "session": session,
                "mine": mine,
                "agenda": session.agenda.select_related("negative_case").prefetch_related("countries"),
                "countries": session.countries.all(),
                "open": session.registration_open(),
                "seats_left": max(session.capacity - session.seats_taken, 0),
                "check_in_form": CheckInForm(),
                "now": timezone.now(),
            }
        )


class SessionFormView(TrainingsSection, PortalView):
    template_name = "talent/trainings/form.html"
    login_required = True
    permission = staticmethod(is_organiser)

    def dispatch(self, request, *args, **kwargs):
        if kwargs.get("pk") is not None and request.user.is_authenticated:
            organiser_session(request, kwargs["pk"])  # 404 before 403, as the detail page
        return super().dispatch(request, *args, **kwargs)

    def _session(self, pk):
        if pk is None:
            return None
        return organiser_session(self.request, pk)

    def get(self, request, pk=None):
        session = self._session(pk)
        form = SessionForm(instance=session)
        return self.render({"form": form, "session": session})

    def post(self, request, pk=None):
        session = self._session(pk)
        form = SessionForm(request.POST, instance=session)
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != "countries"}
            try:
                if session is None:
                    session = services.session_create(
                        actor=request.user, countries=form.cleaned_data["countries"], **data
                    )
                else:
                    session = services.session_update(
                        actor=request.user, session=session, countries=form.cleaned_data["countries"], **data
                    )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("培训已保存。"))
                return redirect("trainings:detail", pk=session.pk)
        return self.render({"form": form, "session": session})


class SessionPublishView(TrainingsSection, PortalView):
    """GET: the confirmation (who will be told); POST: publish."""

    template_name = "talent/trainings/confirm.html"
    login_required = True

    def get(self, request, pk):
        session = organiser_session(request, pk)
        return self.render(
            {
                "session": session,
                "action": "publish",
                "question": _("发布后将通知所有企业、供应商成员及订阅用户，确定发布？"),
                "audience": services.announcement_audience().count(),
            }
        )

    def post(self, request, pk):
        session = organiser_session(request, pk)
        try:
            services.session_publish(actor=request.user, session=session)
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, _("培训已发布，通知正在发送。"))
        return redirect("trainings:detail", pk=session.pk)


class SessionCancelView(TrainingsSection, PortalView):
    template_name = "talent/trainings/cancel.html"
    login_required = True

    def get(self, request, pk):
        session = organiser_session(request, pk)
        return self.render({"session": session, "form": CancelForm()})

    def post(self, request, pk):
        session = organiser_session(request, pk)
        form = CancelForm(request.POST)
        if form.is_valid():
            try:
                services.session_cancel(actor=request.user, session=session, reason=form.cleaned_data["reason"])
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("培训已取消，已通知报名人员。"))
                return redirect("trainings:detail", pk=session.pk)
        return self.render({"session": session, "form": form})


class EnrollmentActionView(PortalView):
    """POST buttons on a session: enrol, cancel one's enrolment, take an offered seat, check in."""

    http_method_names = ["post"]
    login_required = True
    step = ""

    def post(self, request, pk):
        session = get_scoped_or_404(TrainingSession.objects.all(), request.user, pk=pk)
        mine = Enrollment.objects.filter(session=session, user=request.user).first()
        try:
            if self.step == "enroll":
                enrollment = services.enroll(actor=request.user, session=session)
                if enrollment.status == EnrollmentStatus.WAITING:
                    messages.success(request, _("名额已满，您已进入候补名单。"))
                else:
                    messages.success(request, _("报名成功。"))
            elif mine is None:
                raise ValidationError(_("您未报名该培训。"))
            elif self.step == "cancel":
                services.enrollment_cancel(actor=request.user, enrollment=mine)
                messages.success(request, _("已取消报名。"))
            elif self.step == "accept":
                services.offer_accept(actor=request.user, enrollment=mine)
                messages.success(request, _("已确认参加，报名成功。"))
            elif self.step == "check_in":
                form = CheckInForm(request.POST)
                if not form.is_valid():
                    raise ValidationError(_("请输入 6 位签到码。"))
                services.check_in(actor=request.user, session=session, code=form.cleaned_data["code"])
                messages.success(request, _("签到成功。"))
        except (ValidationError, PermissionDenied, PermissionError) as error:
            messages.error(request, error_text(error) if not isinstance(error, PermissionDenied) else _("无权操作。"))
        return redirect("trainings:detail", pk=session.pk)


class UnenrollView(EnrollmentActionView):
    """GET: the confirmation (the seat will pass to the next waiting); POST: cancel."""

    http_method_names = ["get", "post"]
    step = "cancel"
    template_name = "talent/trainings/unenroll.html"

    def get(self, request, pk):
        session = get_scoped_or_404(TrainingSession.objects.all(), request.user, pk=pk)
        return self.render({"session": session})


class AttendanceView(TrainingsSection, PortalView):
    """The organisers' list: mark attendance by ticking; export as xlsx or csv."""

    template_name = "talent/trainings/attendance.html"
    login_required = True

    def get(self, request, pk):
        session = organiser_session(request, pk)
        rows = selectors.attendance_list(session)
        fmt = request.GET.get("format")
        if fmt == "xlsx":
            return documents.attendance_xlsx(session, rows)
        if fmt == "csv":
            return documents.attendance_csv(session, rows)
        return self.render({"session": session, "rows": rows})

    def post(self, request, pk):
        session = organiser_session(request, pk)
        try:
            ids = [int(v) for v in request.POST.getlist("attended")]
        except ValueError:
            ids = []
        seats = list(session.enrollments.filter(status=EnrollmentStatus.ENROLLED).values_list("pk", flat=True))
        services.attendance_mark(
            actor=request.user,
            session=session,
            attended_ids=[i for i in ids if i in seats],
            absent_ids=[i for i in seats if i not in ids],
        )
        messages.success(request, _("出勤已保存。"))
        return redirect("trainings:attendance", pk=session.pk)


class MyTrainingsView(TrainingsSection, PortalView):
    template_name = "talent/trainings/mine.html"
    login_required = True

    def get(self, request):
        page = Paginator(selectors.my_enrollments(request.user), 20).get_page(request.GET.get("page"))
        opted = TrainingNoticeOptIn.objects.filter(user=request.user).exists()
        return self.render({"page_obj": page, "paginator": page.paginator, "rows": page.object_list, "opted_in": opted})

    def post(self, request):
        services.opt_in_set(actor=request.user, opted_in=request.POST.get("opt_in") == "1")
        messages.success(request, _("通知设置已保存。"))
        return redirect("trainings:mine")


class OrganizationRecordView(TrainingsSection, PortalView):
    """An enterprise's (or supplier's) training record: its people's enrolments and attendance."""

    template_name = "talent/trainings/record.html"
    login_required = True
    permission_denied_message = gettext_lazy("只有企业成员可以查看本单位的培训记录。")

    def get(self, request):
        membership = request.user.org_membership
        if membership is None or request.user.is_official:
            raise PermissionDenied(self.permission_denied_message)
        page = Paginator(selectors.organization_record(membership.organization_id), 50).get_page(
            request.GET.get("page")
        )
        return self.render(
            {
                "organization": membership.organization,
                "page_obj": page,
                "paginator": page.paginator,
                "rows": page.object_list,
            }
        )


def calendar_ics(request):
    sessions = TrainingSession.objects.exclude(status=SessionStatus.DRAFT).order_by("starts_at", "id")
    return documents.calendar_feed(sessions)


def session_ics(request, pk):
    session = get_scoped_or_404(TrainingSession.objects.all(), request.user, pk=pk)
    if session.status == SessionStatus.DRAFT:
        raise Http404
    return documents.session_ics(session)


def certificate_url(enrollment: Enrollment) -> str:
    return reverse("trainings:certificate_verify", kwargs={"code": enrollment.certificate_code})


def certificate_download(request, pk):
    """The attendee's (or an organiser's) certificate of attendance, once attendance is marked."""
    if not request.user.is_authenticated:
        raise Http404
    enrollment = get_object_or_404(
        Enrollment.objects.visible_to(request.user).select_related("session", "user"), session_id=pk, user=request.user
    )
    if not enrollment.attended:
        raise Http404
    from django.conf import settings

    pdf = documents.certificate_pdf(enrollment, settings.SITE_URL + certificate_url(enrollment))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certificate-{enrollment.certificate_code}.pdf"'
    return response


class CertificateVerifyView(TrainingsSection, PortalView):
    """Public: anyone with the link sees whether the certificate is genuine (name, session, date)."""

    template_name = "talent/trainings/verify.html"

    def get(self, request, code):
        enrollment = (
            Enrollment.objects.select_related("session", "user").filter(certificate_code=code, attended=True).first()
        )
        return self.render({"enrollment": enrollment}, status=200 if enrollment else 404)
