"""Pages of the talent pool (namespace `talent`), at /talent/. The part's landing page stays
`portal:talent` (/talent/ itself); the trainings are at /trainings/."""

from django.urls import path

from . import views

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
]
