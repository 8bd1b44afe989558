"""wanghu-desk application core: services, validation, vocabularies, database lifecycle.

Nothing in this package imports Qt widgets; the CLI and the GUI share every code path.
"""

__version__ = "0.1.0"
APP_NAME = "wanghu-desk"
APP_TITLE = "党建引领社区治理台账"
