"""The notifier's storage, in memory: repositories that honour the ports' contracts, for use-case
tests with no database (the SQL ones are tested against SQLite and PostgreSQL themselves).

Objects are stored as they are given (the domain's are frozen); each transaction works on its own
copy of the tables (`tables.Tables`), so nothing is stored until it commits, as with a database.
`store.NotifierStore` is the way in; the repositories are grouped by what they keep."""
