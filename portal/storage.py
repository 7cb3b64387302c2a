"""Where private files are kept (portal/files.py is the guide): PRIVATE_MEDIA_ROOT, no URL.

Apart from portal/files.py so that models can name the storage: that module imports DRF,
whose settings import the models.
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.utils.functional import cached_property


class PrivateStorage(FileSystemStorage):
    """Files under PRIVATE_MEDIA_ROOT, which has no URL: `url()` raises, nothing is public.

    Files are readable by the owner and group only (0640, folders 0750), so that nginx can be
    given access through the group for X-Accel-Redirect and nobody else (docs/deploy.md).
    """

    def __init__(self, location=None, file_permissions_mode=0o640, directory_permissions_mode=0o750, **kwargs):
        super().__init__(
            location=location,
            file_permissions_mode=file_permissions_mode,
            directory_permissions_mode=directory_permissions_mode,
            **kwargs,
        )

    @cached_property
    def base_location(self):
        return self._value_or_setting(self._location, settings.PRIVATE_MEDIA_ROOT)

    @cached_property
    def base_url(self):
        return None

    def _clear_cached_properties(self, setting, **kwargs):
        super()._clear_cached_properties(setting, **kwargs)
        if setting == "PRIVATE_MEDIA_ROOT":
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)


def private_storage() -> PrivateStorage:
    """The storage named "private" in settings.STORAGES."""
    return storages["private"]
