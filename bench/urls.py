"""The portal's URLs plus bench-only endpoints: the floor of an API request.

Each answers an empty page after DRF's dispatch and nothing else: what any API request costs
before the endpoint does any work of its own. They live under /api/, where the middleware
treats a request as an API request (portal/middleware.py).

  /api/bench/floor/              token-authenticated (IsAuthenticated): the token query
  /api/bench/floor/anonymous/    anonymous, throttled as every anonymous API request is
  /api/bench/floor/unthrottled/  anonymous without the throttle: the difference is its cost

They are included as /api/v1/ is, through a remembered resolver (portal/routing.py), so a floor
request resolves as an API request does. They come first: no real endpoint starts with
/api/bench/, so the real endpoints resolve to what they resolve to in portal.urls, after one more
prefix that does not match.
"""

from django.urls import include, path
from rest_framework import permissions
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.routing import remembered
from portal.urls import handler400, handler403, handler404, handler500
from portal.urls import urlpatterns as portal_urlpatterns

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]


class FloorView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    def get(self, request):
        return Response({"next": None, "previous": None, "results": []})


class AnonymousFloorView(FloorView):
    permission_classes = [permissions.AllowAny]


class UnthrottledFloorView(AnonymousFloorView):
    throttle_classes = []


floor_patterns = [
    path("floor/", FloorView.as_view()),
    path("floor/anonymous/", AnonymousFloorView.as_view()),
    path("floor/unthrottled/", UnthrottledFloorView.as_view()),
]

urlpatterns = [
    remembered(path("api/bench/", include(floor_patterns))),
    *portal_urlpatterns,
]
