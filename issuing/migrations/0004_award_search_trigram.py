"""Trigram indexes for the awards dashboard's search on PostgreSQL.

The search is `recipient_identity__icontains` or `recipient_name__icontains`, which Django
writes as `UPPER(column::text) LIKE UPPER('%term%')`: no b-tree helps with a leading wildcard,
so without these a search reads every award of the organisation. GIN indexes of trigrams on the
same UPPER expressions answer it from the index. They are built CONCURRENTLY (the migration is
not atomic) so that a large table stays writable meanwhile. SQLite has no such indexes; there
the migration does nothing.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEXES = {
    "award_identity_trgm": "recipient_identity",
    "award_name_trgm": "recipient_name",
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, column in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON issuing_award "
            f"USING gin ((UPPER({column}::text)) gin_trgm_ops)"
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("issuing", "0003_award_evidence_file"),
    ]

    operations = [
        TrigramExtension(),
        migrations.RunPython(create_indexes, drop_indexes, elidable=False),
    ]
