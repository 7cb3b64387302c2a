from django.apps import AppConfig
from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.db import connections
from django.db.models.signals import post_migrate, post_save
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("平台基础")

    def ready(self) -> None:
        from . import checks, files  # noqa: F401  register the deploy and PRIVATE_MEDIA_ROOT checks
        from .services.tokens import password_changed_revokes_tokens

        post_migrate.connect(_install_schedules, sender=self)
        # By label: ready() also runs for isolated app registries (isolate_apps) without models.
        post_save.connect(
            password_changed_revokes_tokens, sender="portal.User", dispatch_uid="portal.password_changed_revokes_tokens"
        )
        user_logged_in.connect(_remember_language, dispatch_uid="portal.remember_language")


def _remember_language(sender, request, user, **kwargs) -> None:
    """Write the user's e-mails in the language of the pages they sign in on."""
    language = getattr(request, "LANGUAGE_CODE", "") if request is not None else ""
    if language and language != user.language and language in dict(settings.LANGUAGES):
        user.language = language
        type(user).objects.filter(pk=user.pk).update(language=language)


def _install_schedules(*, using: str, **kwargs) -> None:
    """After every migrate: the beat jobs missing from the database (officials' edits stay)."""
    from django_celery_beat.models import PeriodicTask

    from .services.schedules import schedules_install

    if PeriodicTask._meta.db_table not in connections[using].introspection.table_names():
        return  # django_celery_beat is not migrated in this database (yet)
    schedules_install()
