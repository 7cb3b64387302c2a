"""Demo data of the talent part for `manage.py seed_demo`: the talent pool's
(talent/pool_demo.py), the openings' (talent/openings_demo.py) and the trainings' (talent/trainings/demo.py)."""

from . import openings_demo, pool_demo
from .trainings import demo as trainings_demo


def seed(*, accounts, stdout) -> None:
    pool_demo.seed(accounts=accounts, stdout=stdout)
    openings_demo.seed(accounts=accounts, stdout=stdout)
    trainings_demo.seed(accounts=accounts, stdout=stdout)
