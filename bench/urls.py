"""The portal's URLs plus one bench-only endpoint: the floor of an API request.

`GET /bench/floor/` is a token-authenticated DRF view that returns an empty page: what any
request through this middleware stack, DRF's dispatch and TokenAuthentication costs before
the endpoint does any work of its own. The pattern comes after the portal's, so the real
endpoints resolve exactly as in portal.urls.
"""

from django.urls import path
from rest_framework import permissions
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.urls import handler404, handler500
from portal.urls import urlpatterns as portal_urlpatterns

__all__ = ["handler404", "handler500", "urlpatterns"]


class FloorView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    def get(self, request):
        return Response({"next": None, "previous": None, "results": []})


urlpatterns = [*portal_urlpatterns, path("bench/floor/", FloorView.as_view())]
