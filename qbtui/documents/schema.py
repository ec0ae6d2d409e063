"""The JSON Schema of the import format, generated from the models (``qbtui schema``)."""

from __future__ import annotations

from typing import Annotated, Any, Union

from pydantic import Field, TypeAdapter

from qbtui.documents.models import MODELS


def import_schema() -> dict[str, Any]:
    """One schema for a file: a list of documents or ``{"documents": [...]}``, each one of the sixteen types."""
    document = Annotated[Union[tuple(MODELS.values())], Field(discriminator="type")]  # type: ignore[valid-type]  # noqa: UP007
    schema = TypeAdapter(list[document]).json_schema(ref_template="#/$defs/{model}")  # type: ignore[valid-type]
    defs = schema.pop("$defs", {})
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "qbtui import file",
        "description": "Inventory documents for qbtui import: a list, or an object with a \"documents\" list.",
        "anyOf": [schema, {"type": "object", "properties": {"documents": schema}, "required": ["documents"],
                           "additionalProperties": False}],
        "$defs": defs,
    }
