"""Models of the talent part: the talent pool and openings (this module) and the twice-yearly
trainings (`talent/trainings/models.py`, imported below so that Django registers them under the
`talent` app). See docs/development/adding-a-model.md."""

from .trainings import models as _trainings  # noqa: F401  (registers the training models)
