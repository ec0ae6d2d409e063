"""Inventory-side documents: the models of the import format and reading import files."""

from qbtui.documents.importer import REFUND_TYPE, ImportFileError, Problem, check_document, read_file
from qbtui.documents.models import DOCUMENT_TYPES, MODELS, TYPES_WITH_LINES, Document
from qbtui.documents.schema import import_schema

__all__ = ["DOCUMENT_TYPES", "MODELS", "REFUND_TYPE", "TYPES_WITH_LINES", "Document", "ImportFileError", "Problem",
           "check_document", "import_schema", "read_file"]
