"""Storage: SQLAlchemy tables, named queries, Alembic migrations, engine and session factory."""
