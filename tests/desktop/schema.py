"""The qbXML 13.0 schema's element order, as the tests check requests against it: the table derived from a public
copy of Intuit's schema (qbtui/desktop/schema.py says which and how), the same one the simulated company file uses."""

from __future__ import annotations

from qbtui.desktop.schema import TABLE, problems, table

__all__ = ["TABLE", "problems", "table"]
