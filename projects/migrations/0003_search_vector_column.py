"""On PostgreSQL: the project search reads a stored tsvector column instead of an expression
index, and the searched columns get finer statistics (projects/search.py).

`search_vector` is a generated column: PostgreSQL computes it from `search_text` (the n-gram
text the services write) on every INSERT and UPDATE, so it cannot drift from it, and no model
field, service or bulk load has to know it exists. It is built with `array_to_tsvector`, not
`to_tsvector`: each space-separated word of `search_text` becomes a lexeme exactly as written,
whereas the text-search parser drops characters it does not count as letters (①, ², Ⅱ ...) and
would lose those rows. Its GIN index serves queries of one and two characters.

Why a stored column rather than the expression index of 0002: wherever the planner reaches a
row without the index (walking the primary key for `ORDER BY id DESC LIMIT 51` when a third of
the table matches, or rechecking a lossy bitmap), the expression had to be recomputed, tens of
microseconds a row; the column is only read. And a column has statistics of its own (the most
common lexemes and their frequencies), from which the planner estimates a query's matches.

pg_trgm's indexes of 0002 on name, name_en and location stay: they serve queries of three and
more characters. Their columns' statistics target goes from 100 to 1000: the planner estimates
`LIKE '%q%'` by trying the pattern on the column's histogram, and with 100 values a single hit
there reads as 1% of the table, enough for it to walk the primary key for a query that has a
few dozen matches (the whole table, ~100 ms on 100,000 projects). ANALYZE then samples 300,000
rows instead of 30,000.

SQLite (`make run`) gets none of this: search there is the case-insensitive LIKE alone.
"""

from django.db import migrations

SEARCHED = ("name", "name_en", "location")

FORWARD = [
    "DROP INDEX IF EXISTS project_search_ngrams",
    # array_remove: a doubled space in a name would make an empty word, which array_to_tsvector refuses.
    "ALTER TABLE projects_project ADD COLUMN IF NOT EXISTS search_vector tsvector "
    "GENERATED ALWAYS AS (array_to_tsvector(array_remove(string_to_array(search_text, ' '), ''))) STORED",
    "CREATE INDEX IF NOT EXISTS project_search_vector ON projects_project USING gin (search_vector)",
    "ALTER TABLE projects_project " + ", ".join(f"ALTER COLUMN {c} SET STATISTICS 1000" for c in SEARCHED),
    "ANALYZE projects_project",
]

BACKWARD = [
    "ALTER TABLE projects_project " + ", ".join(f"ALTER COLUMN {c} SET STATISTICS -1" for c in SEARCHED),
    "DROP INDEX IF EXISTS project_search_vector",
    "ALTER TABLE projects_project DROP COLUMN IF EXISTS search_vector",
    "CREATE INDEX IF NOT EXISTS project_search_ngrams ON projects_project "
    "USING gin (to_tsvector('simple', search_text))",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in FORWARD:
            schema_editor.execute(sql)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in BACKWARD:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("projects", "0002_rates_tiers_search_indexes")]

    operations = [migrations.RunPython(forward, backward)]
