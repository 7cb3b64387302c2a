"""Template context shared by every page: the signed-in user's organisation and unread count,
and the site's particulars (its footer's 主办单位, 联系方式, ICP 备案号, 政府网站标识码, the map's
审图号), from settings.PORTAL_SITE_INFO; an empty one is not shown."""

from django.conf import settings

from .models import Notification


def portal(request):
    info = getattr(settings, "PORTAL_SITE_INFO", {})
    site = {key.lower(): value.strip() for key, value in info.items() if value and value.strip()}
    context = {"site_info": site, "MAP_APPROVAL_NUMBER": site.get("map_approval_number", "")}
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {**context, "unread_count": 0, "current_org": None}

    def unread():
        return Notification.objects.visible_to(user).unread().count()

    return {**context, "unread_count": unread, "current_org": user.organization}
