"""Reference data that data migrations load: countries, exchange rates, subsidy tiers, supplier
categories and certificate kinds.

A transactional test (a real worker, the live server of a browser test) ends with a flush of
every table, which takes this data with it; `ensure_reference_data()` loads it again, the same
way the migrations did. The root conftest calls it before every test that uses the database.
"""

import importlib

from django.apps import apps

# (migration module, function) pairs, in dependency order; each is idempotent.
LOADERS = [
    ("portal.migrations.0002_countries_and_trigram", "load_countries"),
    ("projects.migrations.0002_rates_tiers_search_indexes", "seed"),
    ("suppliers.migrations.0002_seed_categories", "seed"),
    ("suppliers.migrations.0004_seed_scorecard", "seed"),
]


def ensure_reference_data() -> None:
    Country = apps.get_model("portal", "Country")
    ExchangeRate = apps.get_model("projects", "ExchangeRate")
    Category = apps.get_model("suppliers", "Category")
    Standing = apps.get_model("suppliers", "ScorecardStanding")
    if all(model.objects.exists() for model in (Country, ExchangeRate, Category, Standing)):
        return
    for module, function in LOADERS:
        getattr(importlib.import_module(module), function)(apps, None)
