"""Database access shared by every process: engine, unit of work, common tables, migrations."""

from shared.db.engine import Database, database_url_for, is_postgres
from shared.db.models import NAMING_CONVENTION, CommonTables, new_metadata, utcnow
from shared.db.session import DbSession, flush_versioned, get_session

__all__ = [
    "NAMING_CONVENTION",
    "CommonTables",
    "Database",
    "DbSession",
    "database_url_for",
    "flush_versioned",
    "get_session",
    "is_postgres",
    "new_metadata",
    "utcnow",
]
