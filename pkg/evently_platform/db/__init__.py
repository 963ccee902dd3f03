"""Database plumbing shared by every service: engines, units of work, migrations."""
