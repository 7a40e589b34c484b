"""Alembic migrations of the Vigie store, run programmatically by :func:`vigie.store.db.migrate`."""
