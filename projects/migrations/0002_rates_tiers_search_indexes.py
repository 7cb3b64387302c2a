"""Seeds the exchange-rate snapshot and the subsidy tiers of seed 002 (十); on PostgreSQL adds
the search indexes: GIN over the n-gram tsvector and pg_trgm over the searched fields."""

import json
from decimal import Decimal
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data"

# 深圳市关于推动对外投资合作高质量发展的行动方案 (十): 资助档位, in USD of completed revenue.
TIERS = [
    ("首次开展对外承包工程业务，完成营业额300万美元及以上", True, False, "3000000", True, None, "200000"),
    ("完成营业额500万—2000万美元（含）且比上年度增长", False, True, "5000000", True, "20000000", "500000"),
    ("完成营业额2000万（不含）—6000万美元（含）且比上年度增长", False, True, "20000000", False, "60000000", "1000000"),
    ("完成营业额6000万（不含）—1亿美元（含）且比上年度增长", False, True, "60000000", False, "100000000", "2000000"),
    ("完成营业额1亿美元以上（不含）且比上年度增长", False, True, "100000000", False, None, "2500000"),
]

SEARCH_INDEXES = [
    "CREATE INDEX IF NOT EXISTS project_search_ngrams ON projects_project "
    "USING gin (to_tsvector('simple', search_text))",
    "CREATE INDEX IF NOT EXISTS project_name_trgm ON projects_project USING gin (name gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS project_name_en_trgm ON projects_project USING gin (name_en gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS project_location_trgm ON projects_project USING gin (location gin_trgm_ops)",
]


def seed(apps, schema_editor):
    ExchangeRate = apps.get_model("projects", "ExchangeRate")
    SubsidyTier = apps.get_model("projects", "SubsidyTier")
    doc = json.loads((DATA / "exchange_rates.json").read_text(encoding="utf-8"))
    for row in doc["rates"]:
        ExchangeRate.objects.update_or_create(
            currency=row["currency"],
            defaults={"usd_per_unit": Decimal(row["usd_per_unit"]), "as_of": doc["as_of"], "source": doc["source"][:200]},
        )
    for name, first, growth, low, low_inclusive, high, amount in TIERS:
        SubsidyTier.objects.update_or_create(
            name=name,
            defaults={
                "first_time_only": first,
                "requires_growth": growth,
                "min_revenue_usd": Decimal(low),
                "min_inclusive": low_inclusive,
                "max_revenue_usd": Decimal(high) if high else None,
                "amount_cny": Decimal(amount),
            },
        )


def search_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in SEARCH_INDEXES:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("projects", "0001_initial"), ("portal", "0002_countries_and_trigram")]

    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
        migrations.RunPython(search_indexes, migrations.RunPython.noop),
    ]
