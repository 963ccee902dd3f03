"""Database plumbing shared by every service: engines, units of work, migrations."""

from evently_platform.db.engine import make_engine
from evently_platform.db.unit_of_work import SqlUnitOfWork

__all__ = ["SqlUnitOfWork", "make_engine"]
