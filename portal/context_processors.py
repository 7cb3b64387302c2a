"""Template context shared by every page: the signed-in user's organisation and unread count."""

from .models import Notification


def portal(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_count": 0, "current_org": None}

    def unread():
        return Notification.objects.visible_to(user).unread().count()

    return {"unread_count": unread, "current_org": user.organization}
