"""Pages of the risk part (included from portal/urls.py at /risk/)."""

app_name = "risk"
urlpatterns: list = []
