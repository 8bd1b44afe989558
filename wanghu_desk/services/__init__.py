"""Services: the only way data is read for display or changed.

One module per area. Every write runs inside `writing()` (one transaction, a permission
check, audit events); reads return plain dataclasses or dicts, never peewee rows to a widget.
"""
