"""Pages of the portal shell. (Stubs: the HTML pages are being built.)"""

from django.contrib.auth import views as auth_views
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache


@never_cache
def healthz(request):
    return JsonResponse({"status": "ok"})


def not_found(request, exception=None):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return HttpResponse("404", status=404)


def server_error(request):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Server error."}, status=500)
    return HttpResponse("500", status=500)


class LoginView(auth_views.LoginView):
    pass


def _stub(request, *args, **kwargs):
    return HttpResponse("stub")


home = signup = inbox = notification_read = notification_acknowledge = notifications_read_all = _stub
preferences = organization_detail = member_add = member_remove = country_list = part_placeholder = _stub
