"""Admin of the talent part; the trainings' admin lives in talent/trainings/admin.py."""

from .trainings import admin as _trainings_admin  # noqa: F401
