"""Pages of the project library. (Stubs: the pages are being built.)"""

from django.http import HttpResponse


def _stub(request, *args, **kwargs):
    return HttpResponse("stub")


project_list = project_map = statistics = workspace = review_queue = project_create = project_detail = _stub
