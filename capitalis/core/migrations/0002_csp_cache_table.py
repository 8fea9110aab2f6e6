"""The database cache's table (settings.CACHE_TABLE), created by ``migrate`` so no deployment
needs a separate ``createcachetable`` step. Created whatever the current CACHES say (a site that
drops REDIS_URL later finds its table); reversing leaves it (it holds only disposable entries)."""

from django.conf import settings
from django.core.management.commands.createcachetable import Command as CreateCacheTable
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def create_cache_table(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    command = CreateCacheTable()
    command.verbosity = 0
    # Does nothing when the table exists already.
    command.create_table(schema_editor.connection.alias, settings.CACHE_TABLE, dry_run=False)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_cache_table, migrations.RunPython.noop, elidable=False),
    ]
