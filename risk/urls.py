"""Pages and feeds of the risk part (included from portal/urls.py at /risk/)."""

from django.urls import path

from . import case_views, country_views, feeds, rollcall_views, views

app_name = "risk"
urlpatterns = [
    path("countries/", country_views.CountryLevelsView.as_view(), name="countries"),
    path("countries/<str:code>/", country_views.CountryPageView.as_view(), name="country"),
    path("cases/", case_views.CaseListView.as_view(), name="cases"),
    path("cases/new/", case_views.CaseFormView.as_view(), name="case_create"),
    path("cases/<int:pk>/", case_views.CaseDetailView.as_view(), name="case"),
    path("cases/<int:pk>/edit/", case_views.CaseFormView.as_view(), name="case_edit"),
    path("cases/<int:pk>/delete/", case_views.CaseDeleteView.as_view(), name="case_delete"),
    path("bulletins/", views.BulletinListView.as_view(), name="bulletins"),
    path("bulletins/new/", views.BulletinFormView.as_view(), name="bulletin_create"),
    path("bulletins/<int:pk>/", views.BulletinDetailView.as_view(), name="bulletin"),
    path("bulletins/<int:pk>.cap.xml", feeds.bulletin_cap, name="cap"),
    path("bulletins/<int:pk>/edit/", views.BulletinFormView.as_view(), name="bulletin_edit"),
    path("bulletins/<int:pk>/publish/", views.BulletinPublishView.as_view(), name="bulletin_publish"),
    path("bulletins/<int:pk>/cancel/", views.BulletinCancelView.as_view(), name="bulletin_cancel"),
    path("bulletins/<int:pk>/dispatch/", views.DispatchView.as_view(), name="dispatch"),
    path("rollcalls/", rollcall_views.RollCallListView.as_view(), name="rollcalls"),
    path("rollcalls/new/", rollcall_views.RollCallStartView.as_view(), name="rollcall_start"),
    path("rollcalls/<int:pk>/", rollcall_views.RollCallDetailView.as_view(), name="rollcall"),
    path("rollcalls/<int:pk>/close/", rollcall_views.RollCallCloseView.as_view(), name="rollcall_close"),
    path("rollcalls/<int:pk>/export.xlsx", rollcall_views.rollcall_export, name="rollcall_export"),
    path("feed.atom", feeds.BulletinFeed(), name="feed"),
    path("follows/", views.FollowsView.as_view(), name="follows"),
    path("follows/<int:pk>/delete/", views.FollowDeleteView.as_view(), name="follow_delete"),
]
