"""Pages of the supplier library (namespace `suppliers`)."""

from django.urls import path

from portal.views_imports import ImportUploadView, import_template

from . import events, views

app_name = "suppliers"
urlpatterns = [
    path("", views.DirectoryView.as_view(), name="directory"),
    path("<int:pk>/", views.SupplierDetailView.as_view(), name="detail"),
    path("<int:pk>/rate/", views.RatingView.as_view(), name="rate"),
    path("projects/<int:project_pk>/", views.SupplyChainView.as_view(), name="supply_chain"),
    path("projects/<int:project_pk>/review/<int:supplier_pk>/", views.ReviewCreateView.as_view(), name="review_create"),
    path("apply/", views.ApplyView.as_view(), name="apply"),
    path("mine/", views.MyApplicationView.as_view(), name="mine"),
    path("export.xlsx", views.application_export, name="export"),
    path("import/", ImportUploadView.as_view(kind="suppliers", back_url_name="suppliers:review_queue"), name="import"),
    path("import/template.xlsx", import_template, {"kind": "suppliers"}, name="import_template"),
    path("review/", views.ReviewQueueView.as_view(), name="review_queue"),
    path("applications/<int:pk>/", views.ApplicationDetailView.as_view(), name="application"),
    path("applications/<int:pk>/edit/", views.ApplicationEditView.as_view(), name="edit"),
    path("applications/<int:pk>/submit/", views.application_submit, name="submit"),
    path("applications/<int:pk>/certificates/", views.CertificateAddView.as_view(), name="certificate_add"),
    path("applications/<int:pk>/<slug:decision>/", views.DecisionView.as_view(), name="decide"),
    path("certificates/<int:pk>/file/", views.certificate_file, name="certificate_file"),
    path("certificates/<int:pk>/remove/", views.CertificateRemoveView.as_view(), name="certificate_remove"),
    # Matchmaking events (对接会)
    path("events/", events.EventListView.as_view(), name="events"),
    path("events/calendar.ics", events.events_ics, name="events_ics"),
    path("events/new/", events.EventFormView.as_view(), name="event_create"),
    path("events/<int:pk>/", events.EventDetailView.as_view(), name="event"),
    path("events/<int:pk>.ics", events.event_ics, name="event_ics"),
    path("events/<int:pk>/edit/", events.EventFormView.as_view(), name="event_edit"),
    path("events/<int:pk>/publish/", events.EventPublishView.as_view(), name="event_publish"),
    path("events/<int:pk>/cancel/", events.EventCancelView.as_view(), name="event_cancel"),
    path("events/<int:pk>/unregister/", events.UnregisterView.as_view(), name="event_unregister"),
    path("events/<int:pk>/attendees/", events.AttendeesView.as_view(), name="event_attendees"),
]
