"""Errors that mean "your input is wrong" (printed as one line, exit 2), as opposed to bugs."""


class SkulabError(Exception):
    """Input the user can fix: the message says what, where and how."""


class ConfigError(SkulabError):
    """A params profile is missing, unreadable, or has unknown keys or wrong types."""


class DataError(SkulabError):
    """Input rows or files break the canonical format (see docs in skulab.data.schema)."""


class DatabaseError(SkulabError):
    """The ERP database cannot be used: unreachable, refused the login, locked by another process, or never built."""
