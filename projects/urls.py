"""Pages of the project library (namespace `projects`)."""

from django.urls import path

from portal.views_imports import ImportUploadView, import_template

from . import views
from .views import emergency

app_name = "projects"
urlpatterns = [
    path("", views.project_list, name="list"),
    path("map/", views.project_map, name="map"),
    path("statistics/", views.statistics, name="statistics"),
    path("statistics/export.csv", views.statistics_export, name="statistics_export"),
    path("workspace/", views.workspace, name="workspace"),
    path("export.xlsx", views.project_export, name="export"),
    path("import/", ImportUploadView.as_view(kind="projects", back_url_name="projects:workspace"), name="import"),
    path("import/template.xlsx", import_template, {"kind": "projects"}, name="import_template"),
    path("review/", views.review_queue, name="review_queue"),
    path("surveys/", views.survey_list, name="survey_list"),
    path("surveys/<int:pk>/", views.survey_detail, name="survey_detail"),
    path("surveys/<int:pk>/respond/", views.survey_respond, name="survey_respond"),
    path("emergency/", emergency.emergency_list, name="emergency_list"),
    path("new/", views.project_create, name="create"),
    path("<int:pk>/", views.project_detail, name="detail"),
    path("<int:pk>/edit/", views.project_edit, name="edit"),
    path("<int:pk>/delete/", views.project_delete, name="delete"),
    path("<int:pk>/submit/", views.project_submit, name="submit"),
    path("<int:pk>/withdraw/", views.project_withdraw, name="withdraw"),
    path("<int:pk>/approve/", views.project_review, {"decision": "approve"}, name="approve"),
    path("<int:pk>/return/", views.project_review, {"decision": "return"}, name="return"),
    path("<int:pk>/progress/", views.project_progress, name="progress"),
    path("<int:pk>/reports/", views.report_create, name="report_create"),
    path("<int:pk>/emergency/", emergency.emergency_page, name="emergency"),
    path("<int:pk>/emergency/drills/", emergency.drill_add, name="drill_add"),
    path("<int:pk>/emergency/file/", emergency.plan_file, name="plan_file"),
    path("<int:pk>/reports/<int:report_pk>/", views.report_correct, name="report_correct"),
]
