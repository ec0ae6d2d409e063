"""Shape checks: every key of a fixture is present in the answer with a value of the same JSON type."""

from __future__ import annotations

import json
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"


def fixture(name: str):
    text = (FIXTURES / name).read_text()
    return json.loads(text) if name.endswith(".json") else text


def _kind(value) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if value is None:
        return "null"
    if isinstance(value, list):
        return "array"
    return "object"


def shape_errors(expected, actual, path: str = "$") -> list[str]:
    """What in `actual` does not have the shape of `expected` (extra keys in `actual` are allowed)."""
    if _kind(expected) != _kind(actual):
        return [f"{path}: expected {_kind(expected)}, got {_kind(actual)} ({actual!r:.60})"]
    out: list[str] = []
    if isinstance(expected, dict):
        for key, value in expected.items():
            if key not in actual:
                out.append(f"{path}.{key}: missing")
            else:
                out += shape_errors(value, actual[key], f"{path}.{key}")
    elif isinstance(expected, list) and expected:
        if not actual:
            return [f"{path}: expected a non-empty array"]
        for i, item in enumerate(expected):
            out += shape_errors(item, actual[min(i, len(actual) - 1)], f"{path}[{i}]")
    return out


def assert_shape(name: str, actual) -> None:
    errors = shape_errors(fixture(name), actual)
    assert not errors, "\n".join(errors)
