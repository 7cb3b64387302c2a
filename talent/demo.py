"""Demo data of the talent part for `manage.py seed_demo`: the trainings' (talent/trainings/demo.py)."""

from .trainings import demo as trainings_demo


def seed(*, accounts, stdout) -> None:
    trainings_demo.seed(accounts=accounts, stdout=stdout)
