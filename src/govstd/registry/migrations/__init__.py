"""Alembic migrations of the registry database, shipped inside the package.

``govstd.registry.migrate.upgrade`` runs them whenever a registry is opened. To run them by hand
(for a shared PostgreSQL registry, say): ``alembic -c src/govstd/registry/migrations/alembic.ini
-x url=postgresql+psycopg://… upgrade head`` (without ``-x url`` the URL comes from GOVSTD_REGISTRY).
"""
