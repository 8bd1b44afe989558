"""The one peewee database object and the base model every table derives from.

The database is bound late (`db.init(path, ...)`) by `wanghu_desk.database`, which owns
opening, migrating, locking and backing up the file. Nothing here knows about Qt or about
the services above.
"""

from __future__ import annotations

import peewee as pw

db = pw.SqliteDatabase(None)


class BaseModel(pw.Model):
    class Meta:
        database = db
        legacy_table_names = False
