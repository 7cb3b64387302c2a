"""Pages of the project library (namespace `projects`)."""

from django.urls import path

from . import views

app_name = "projects"
urlpatterns = [
    path("", views.project_list, name="list"),
    path("map/", views.project_map, name="map"),
    path("statistics/", views.statistics, name="statistics"),
    path("workspace/", views.workspace, name="workspace"),
    path("review/", views.review_queue, name="review_queue"),
    path("new/", views.project_create, name="create"),
    path("<int:pk>/", views.project_detail, name="detail"),
]
