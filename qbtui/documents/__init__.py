"""Inventory-side documents: the models of the import format and reading import files.

The names below are loaded on first use (PEP 562), so that ``qbtui.documents.text`` or ``.types`` does not build
every pydantic model: a command that only prints, or only lists the type names, starts without them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from qbtui.lazy import attribute_loader

if TYPE_CHECKING:
    from qbtui.documents.importer import ImportFileError, Problem, check_document, read_file
    from qbtui.documents.models import MODELS, TYPES_WITH_LINES, Document
    from qbtui.documents.schema import import_schema
    from qbtui.documents.types import DOCUMENT_TYPES, REFUND_TYPE

__all__ = ["DOCUMENT_TYPES", "MODELS", "REFUND_TYPE", "TYPES_WITH_LINES", "Document", "ImportFileError", "Problem",
           "check_document", "import_schema", "read_file"]

_WHERE = {"REFUND_TYPE": "types", "ImportFileError": "importer", "Problem": "importer",
          "check_document": "importer", "read_file": "importer", "MODELS": "models", "TYPES_WITH_LINES": "models",
          "Document": "models", "import_schema": "schema", "DOCUMENT_TYPES": "types"}


__getattr__ = attribute_loader(__name__, _WHERE)


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
