"""The twice-yearly “走出去” trainings: sessions, enrolment, waiting list, attendance, notices.

A sub-package of `talent/` with the same rooms as a part (models, services, selectors, tasks,
views, urls, api); its models belong to the `talent` app (imported by `talent/models.py`)."""
