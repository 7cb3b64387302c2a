"""Pages of the talent pool (namespace `talent`), at /talent/. The part's landing page stays
`portal:talent` (/talent/ itself); the trainings are at /trainings/."""

from django.urls import path

from portal.views_imports import ImportUploadView, import_template

from . import opening_views, views

app_name = "talent"
urlpatterns = [
    path("search/", views.SearchView.as_view(), name="search"),
    path("mine/", views.MineView.as_view(), name="mine"),
    path("new/", views.ProfileFormView.as_view(), name="create"),
    path("profiles/<int:pk>/", views.ProfileDetailView.as_view(), name="detail"),
    path("profiles/<int:pk>/edit/", views.ProfileFormView.as_view(), name="edit"),
    path("profiles/<int:pk>/export.json", views.export_json, name="export"),
    path("profiles/<int:pk>/withdraw/", views.ConfirmView.as_view(step="withdraw"), name="withdraw"),
    path("profiles/<int:pk>/delete/", views.ConfirmView.as_view(step="delete"), name="delete"),
    path("import/", ImportUploadView.as_view(kind="talents", back_url_name="talent:mine"), name="import"),
    path("import/template.xlsx", import_template, {"kind": "talents"}, name="import_template"),
    path("export.xlsx", views.staff_export, name="export_xlsx"),
    path("openings/", opening_views.OpeningListView.as_view(), name="openings"),
    path("openings/new/", opening_views.OpeningFormView.as_view(), name="opening_create"),
    path("openings/<int:pk>/", opening_views.OpeningDetailView.as_view(), name="opening"),
    path("openings/<int:pk>/edit/", opening_views.OpeningFormView.as_view(), name="opening_edit"),
    path("openings/<int:pk>/close/", opening_views.OpeningCloseView.as_view(), name="opening_close"),
    path("openings/<int:pk>/applications/", opening_views.ApplicationsView.as_view(), name="applications"),
    path("applications/", opening_views.MyApplicationsView.as_view(), name="my_applications"),
    path("applications/<int:pk>/move/", opening_views.ApplicationMoveView.as_view(), name="application_move"),
]
