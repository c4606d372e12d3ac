"""The store: the only code that writes notices.db (through sqlite-utils)."""

from crawler.store.db import Store

__all__ = ["Store"]
