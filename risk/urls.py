"""Pages of the risk part (included from portal/urls.py at /risk/)."""

from django.urls import path

from . import case_views, country_views

app_name = "risk"
urlpatterns: list = [
    path("countries/", country_views.CountryLevelsView.as_view(), name="countries"),
    path("countries/<str:code>/", country_views.CountryPageView.as_view(), name="country"),
    path("cases/", case_views.CaseListView.as_view(), name="cases"),
    path("cases/new/", case_views.CaseFormView.as_view(), name="case_create"),
    path("cases/<int:pk>/", case_views.CaseDetailView.as_view(), name="case"),
    path("cases/<int:pk>/edit/", case_views.CaseFormView.as_view(), name="case_edit"),
    path("cases/<int:pk>/delete/", case_views.CaseDeleteView.as_view(), name="case_delete"),
]
