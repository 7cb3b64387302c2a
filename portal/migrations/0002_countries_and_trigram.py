"""Loads the ISO 3166-1 countries (portal/data/countries.json) and, on PostgreSQL, pg_trgm."""

import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "countries.json"


def load_countries(apps, schema_editor):
    Country = apps.get_model("portal", "Country")
    rows = json.loads(DATA.read_text(encoding="utf-8"))
    for row in rows:
        Country.objects.update_or_create(code=row["code"], defaults=row)


def create_trigram(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")


class Migration(migrations.Migration):
    dependencies = [("portal", "0001_initial")]

    operations = [
        migrations.RunPython(load_countries, migrations.RunPython.noop),
        migrations.RunPython(create_trigram, migrations.RunPython.noop),
    ]
