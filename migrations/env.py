"""Alembic environment: migrate the database of the current Flask app."""

import logging

from alembic import context
from flask import current_app

from app.search.backends.database import unmapped_names

config = context.config
log = logging.getLogger("alembic.env")

db = current_app.extensions["migrate"].db
# The database search index of `post` (columns, indexes, SQLite's FTS tables) is not mapped by any model.
UNMAPPED_NAMES, UNMAPPED_TABLE_PREFIX = unmapped_names("post")
target_metadata = db.metadata
config.set_main_option("sqlalchemy.url", db.engine.url.render_as_string(hide_password=False).replace("%", "%%"))


def run_migrations_offline() -> None:
    """Write the SQL to stdout instead of running it."""
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def skip_empty_autogenerate(context_, revision, directives) -> None:
    """Write no migration file when the models and the database already agree."""
    if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
        directives[:] = []
        log.info("No changes in schema detected.")


def include_name(name, type_, parent_names) -> bool:
    """Leave the database search objects, which the models do not map, out of comparisons."""
    if type_ == "table" and name and name.startswith(UNMAPPED_TABLE_PREFIX):
        return False
    return name not in UNMAPPED_NAMES


def run_migrations_online() -> None:
    """Run the migrations on a live connection."""
    options = dict(current_app.extensions["migrate"].configure_args)
    options.setdefault("process_revision_directives", skip_empty_autogenerate)
    options.setdefault("include_name", include_name)
    with db.engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            # Batch migrations copy and drop tables; enforcing foreign keys meanwhile would cascade or lock.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        context.configure(connection=connection, target_metadata=target_metadata, **options)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
