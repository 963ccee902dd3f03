"""The notifier's own secrets, in its database: made by whichever instance needs one first,
then the same for all of them (a key in each instance's memory would make links one instance
signed worthless to the others)."""

from __future__ import annotations

import secrets

from sqlalchemy import Engine, insert, select
from sqlalchemy.exc import IntegrityError

from evently_notifier.adapters.tables import keys


def shared_key(engine: Engine, name: str) -> bytes:
    with engine.connect() as connection:
        found = connection.execute(select(keys.c.value).where(keys.c.name == name)).scalar()
        if found is not None:
            return bytes(found)
        try:
            connection.execute(insert(keys).values(name=name, value=secrets.token_bytes(32)))
            connection.commit()
        except IntegrityError:  # another instance made it first: theirs it is
            connection.rollback()
        return bytes(connection.execute(select(keys.c.value).where(keys.c.name == name)).scalar_one())
