"""Pages of the matchmaking events (对接会), at /suppliers/events/ (namespace `suppliers`): the
list, an event with its registration form, the officials' form, publish and cancel
confirmations, the attendee list with its Excel export, and the .ics feeds."""

from __future__ import annotations

import io

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook

from portal.calendar import CalendarEvent, calendar_response
from portal.forms import add_service_errors
from portal.generic import ObjectListView, PortalView, error_text
from portal.models import Country
from portal.permissions import is_reviewer, is_supplier
from portal.viewmixins import get_scoped_or_404
from projects.choices import Sector

from . import matchmaking
from .choices import EventStatus, RegistrationStatus
from .filtersets import MatchmakingEventPageFilterSet
from .models import Category, EventRegistration, MatchmakingEvent

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class EventForm(forms.ModelForm):
    country = forms.ModelChoiceField(label=gettext_lazy("国家"), queryset=Country.objects.all())
    categories = forms.ModelMultipleChoiceField(
        label=gettext_lazy("供应商类别"),
        queryset=Category.objects.filter(active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("邀请服务该国且属于所选类别的已入库供应商；不选则邀请服务该国的全部供应商。"),
    )
    sectors = forms.MultipleChoiceField(
        label=gettext_lazy("行业"), choices=Sector.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = MatchmakingEvent
        fields = [
            "title",
            "country",
            "city",
            "venue",
            "starts_at",
            "ends_at",
            "registration_deadline",
            "capacity",
            "categories",
            "sectors",
            "description",
        ]
        widgets = {"starts_at": DATETIME, "ends_at": DATETIME, "registration_deadline": DATETIME}


class RegistrationForm(forms.ModelForm):
    class Meta:
        model = EventRegistration
        fields = ["attendees", "contact_name", "contact_phone", "note"]


class CancelForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("取消原因"), widget=forms.Textarea, max_length=2000, required=False)


def reviewer_event(request, pk) -> MatchmakingEvent:
    """The event for an official's page: a draft others may not see is a 404; a visible event
    they may not manage is a 403."""
    event = get_scoped_or_404(MatchmakingEvent.objects.select_related("country"), request.user, pk=pk)
    if not is_reviewer(request.user):
        raise PermissionDenied
    return event


class EventSection(PortalView):
    def section_context(self):
        user = self.request.user
        return {"section": {"supplier": is_supplier(user), "reviewer": is_reviewer(user)}}


class EventListView(EventSection, ObjectListView):
    template_name = "suppliers/events/list.html"
    queryset = MatchmakingEvent.objects.all()
    filterset_class = MatchmakingEventPageFilterSet

    def paginate(self, queryset):
        return matchmaking.events_with_counts(queryset).order_by("-starts_at", "-id")


class EventDetailView(EventSection):
    template_name = "suppliers/events/detail.html"

    def _context(self, event, form=None):
        user = self.request.user
        mine = None
        membership = user.org_membership if user.is_authenticated else None
        if membership is not None:
            mine = EventRegistration.objects.filter(
                event=event, organization_id=membership.organization_id, status=RegistrationStatus.REGISTERED
            ).first()
        taken = matchmaking.attendees_registered(event)
        return {
            "event": event,
            "categories": event.categories.all(),
            "mine": mine,
            "may_register": matchmaking.may_register(user),
            "open": event.registration_open(),
            "places_left": max(event.capacity - taken, 0),
            "taken": taken,
            "form": form
            or RegistrationForm(initial={"contact_name": user.display_name if user.is_authenticated else ""}),
            "now": timezone.now(),
        }

    def get(self, request, pk):
        event = get_scoped_or_404(MatchmakingEvent.objects.select_related("country"), request.user, pk=pk)
        return self.render(self._context(event))

    def post(self, request, pk):
        """Register the user's organisation."""
        if not request.user.is_authenticated:
            raise Http404
        event = get_scoped_or_404(MatchmakingEvent.objects.select_related("country"), request.user, pk=pk)
        form = RegistrationForm(request.POST)
        if form.is_valid():
            try:
                matchmaking.register(actor=request.user, event=event, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            except PermissionDenied as error:
                messages.error(request, str(error) or _("无权操作。"))
                return redirect("suppliers:event", pk=event.pk)
            else:
                messages.success(request, _("报名成功。"))
                return redirect("suppliers:event", pk=event.pk)
        return self.render(self._context(event, form), status=400)


class EventFormView(EventSection):
    template_name = "suppliers/events/form.html"
    login_required = True
    permission = staticmethod(is_reviewer)

    def dispatch(self, request, *args, **kwargs):
        if kwargs.get("pk") is not None and request.user.is_authenticated:
            reviewer_event(request, kwargs["pk"])  # 404 before 403, as the detail page
        return super().dispatch(request, *args, **kwargs)

    def _event(self, pk):
        return None if pk is None else reviewer_event(self.request, pk)

    def get(self, request, pk=None):
        event = self._event(pk)
        return self.render({"form": EventForm(instance=event), "event": event})

    def post(self, request, pk=None):
        event = self._event(pk)
        form = EventForm(request.POST, instance=event)
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != "categories"}
            categories = form.cleaned_data["categories"]
            try:
                if event is None:
                    event = matchmaking.event_create(actor=request.user, categories=categories, **data)
                else:
                    event = matchmaking.event_update(actor=request.user, event=event, categories=categories, **data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("对接会已保存。"))
                return redirect("suppliers:event", pk=event.pk)
        return self.render({"form": form, "event": event})


class EventPublishView(EventSection):
    """GET: the confirmation (who will be invited); POST: publish."""

    template_name = "suppliers/events/publish.html"
    login_required = True

    def get(self, request, pk):
        event = reviewer_event(request, pk)
        return self.render({"event": event, "audience": matchmaking.audience_counts(event)})

    def post(self, request, pk):
        event = reviewer_event(request, pk)
        try:
            matchmaking.event_publish(actor=request.user, event=event)
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, _("对接会已发布，邀请正在发送。"))
        return redirect("suppliers:event", pk=event.pk)


class EventCancelView(EventSection):
    template_name = "suppliers/events/cancel.html"
    login_required = True

    def get(self, request, pk):
        return self.render({"event": reviewer_event(request, pk), "form": CancelForm()})

    def post(self, request, pk):
        event = reviewer_event(request, pk)
        form = CancelForm(request.POST)
        if form.is_valid():
            try:
                matchmaking.event_cancel(actor=request.user, event=event, reason=form.cleaned_data["reason"])
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("对接会已取消，已通知报名单位。"))
                return redirect("suppliers:event", pk=event.pk)
        return self.render({"event": event, "form": form})


class UnregisterView(EventSection):
    """GET: the confirmation; POST: withdraw the organisation's registration."""

    template_name = "suppliers/events/unregister.html"
    login_required = True

    def _registration(self, request, pk):
        event = get_scoped_or_404(MatchmakingEvent.objects.all(), request.user, pk=pk)
        membership = request.user.org_membership
        registration = (
            EventRegistration.objects.editable_by(request.user)
            .filter(event=event, organization_id=membership.organization_id if membership else None)
            .filter(status=RegistrationStatus.REGISTERED)
            .first()
        )
        if registration is None:
            raise Http404
        return event, registration

    def get(self, request, pk):
        event, registration = self._registration(request, pk)
        return self.render({"event": event, "registration": registration})

    def post(self, request, pk):
        event, registration = self._registration(request, pk)
        try:
            matchmaking.registration_cancel(actor=request.user, registration=registration)
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, _("已取消报名。"))
        return redirect("suppliers:event", pk=event.pk)


def attendee_rows(event: MatchmakingEvent):
    return (
        EventRegistration.objects.filter(event=event, status=RegistrationStatus.REGISTERED)
        .select_related("organization", "registered_by")
        .order_by("created_at", "id")
    )


class AttendeesView(EventSection):
    """The officials' attendee list; `?format=xlsx` exports it."""

    template_name = "suppliers/events/attendees.html"
    login_required = True

    def get(self, request, pk):
        event = reviewer_event(request, pk)
        rows = list(attendee_rows(event))
        if request.GET.get("format") == "xlsx":
            return attendees_xlsx(event, rows)
        return self.render({"event": event, "rows": rows, "total": sum(r.attendees for r in rows)})


def attendees_xlsx(event: MatchmakingEvent, rows) -> HttpResponse:
    book = Workbook()
    sheet = book.active
    sheet.title = _("参会名单")
    sheet.append([_("单位"), _("单位类型"), _("参会人数"), _("联系人"), _("联系电话"), _("对接需求"), _("报名时间")])
    for r in rows:
        sheet.append(
            [
                r.organization.name,
                r.organization.get_kind_display(),
                r.attendees,
                r.contact_name,
                r.contact_phone,
                r.note,
                timezone.localtime(r.created_at).strftime("%Y-%m-%d %H:%M"),
            ]
        )
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(
        out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="matchmaking-{event.pk}-attendees.xlsx"'
    return response


def _calendar_event(event: MatchmakingEvent) -> CalendarEvent:
    place = " ".join(p for p in (event.city, event.venue) if p)
    return CalendarEvent(
        kind="matchmaking",
        pk=event.pk,
        summary=event.title,
        start=event.starts_at,
        end=event.ends_at,
        sequence=event.sequence,
        description=event.description,
        location=place,
        url=reverse("suppliers:event", kwargs={"pk": event.pk}),
        last_modified=event.updated_at,
        cancelled=event.status == EventStatus.CANCELLED,
    )


def events_ics(request):
    events = MatchmakingEvent.objects.exclude(status=EventStatus.DRAFT).order_by("starts_at", "id")
    return calendar_response([_calendar_event(e) for e in events], name=_("对接会"), filename="matchmaking-events.ics")


def event_ics(request, pk):
    event = get_scoped_or_404(MatchmakingEvent.objects.all(), request.user, pk=pk)
    if event.status == EventStatus.DRAFT:
        raise Http404
    return calendar_response([_calendar_event(event)], name=event.title, filename=f"matchmaking-{event.pk}.ics")
