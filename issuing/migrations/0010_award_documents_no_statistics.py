"""No planner statistics for the award documents and other columns no query filters on.

The bulk path analyzes the awards table as it grows (issuing.services._bulk_refresh_statistics,
docs/scale.md). ANALYZE would otherwise decompress every sampled row's signed documents to
compute statistics nobody uses; a statistics target of 0 skips those columns while a plain
ANALYZE still covers the table (an ANALYZE naming columns would not reset the change counter
the bulk path reads, and would run after every batch). Nothing changes on SQLite.
"""

from django.db import migrations

COLUMNS = (
    "credential_json",
    "credential_jwt",
    "assertion_json",
    "evidence",
    "narrative",
    "recipient_salt",
    "recipient_hash",
)


def _set_statistics(target: int):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        table = schema_editor.quote_name(apps.get_model("issuing", "Award")._meta.db_table)
        for column in COLUMNS:
            schema_editor.execute(
                f"ALTER TABLE {table} ALTER COLUMN {schema_editor.quote_name(column)} "
                f"SET STATISTICS {target}"
            )

    return run


class Migration(migrations.Migration):
    dependencies = [("issuing", "0009_award_fewer_indexes")]

    operations = [
        migrations.RunPython(_set_statistics(0), _set_statistics(-1)),
    ]
