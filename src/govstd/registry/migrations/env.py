"""Alembic environment. govstd passes an open connection (``config.attributes['connection']``) inside
the transaction that holds the migration lock; the ``alembic`` command line gets a URL from
``-x url=…``, else GOVSTD_REGISTRY, else the default SQLite file."""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context
from sqlalchemy.engine import Connection

from govstd.registry.tables import Base

config = context.config


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        transaction_per_migration=False,
    )
    with context.begin_transaction():
        context.run_migrations()


given = config.attributes.get("connection")
if isinstance(given, Connection):
    _run(given)
else:
    from govstd.registry.store import create_registry_engine, resolve_url

    if config.config_file_name is not None:
        fileConfig(config.config_file_name, disable_existing_loggers=False)
    engine = create_registry_engine(resolve_url(context.get_x_argument(as_dictionary=True).get("url")))
    try:
        with engine.connect() as connection:
            _run(connection)
            connection.commit()
    finally:
        engine.dispose()
