"""Pages of the trainings (namespace `trainings`), at /trainings/."""

from django.urls import path

from . import views

app_name = "trainings"
urlpatterns = [
    path("", views.CalendarView.as_view(), name="calendar"),
    path("calendar.ics", views.calendar_ics, name="calendar_ics"),
    path("new/", views.SessionFormView.as_view(), name="create"),
    path("mine/", views.MyTrainingsView.as_view(), name="mine"),
    path("record/", views.OrganizationRecordView.as_view(), name="record"),
    path("certificates/<uuid:code>/", views.CertificateVerifyView.as_view(), name="certificate_verify"),
    path("<int:pk>/", views.SessionDetailView.as_view(), name="detail"),
    path("<int:pk>.ics", views.session_ics, name="session_ics"),
    path("<int:pk>/edit/", views.SessionFormView.as_view(), name="edit"),
    path("<int:pk>/publish/", views.SessionPublishView.as_view(), name="publish"),
    path("<int:pk>/cancel/", views.SessionCancelView.as_view(), name="cancel"),
    path("<int:pk>/enroll/", views.EnrollmentActionView.as_view(step="enroll"), name="enroll"),
    path("<int:pk>/unenroll/", views.UnenrollView.as_view(), name="unenroll"),
    path("<int:pk>/accept/", views.EnrollmentActionView.as_view(step="accept"), name="accept"),
    path("<int:pk>/check-in/", views.EnrollmentActionView.as_view(step="check_in"), name="check_in"),
    path("<int:pk>/attendance/", views.AttendanceView.as_view(), name="attendance"),
    path("<int:pk>/certificate.pdf", views.certificate_download, name="certificate"),
]
