"""Post-processing of the generated OpenAPI schema.

Django gives model integer fields the range of the database column (SQLite: 64 bits for every
integer; PostgreSQL: 16, 32 or 64 bits by field type), and drf-spectacular writes that range
into the schema. The schema is a contract of the API, not of the database behind it, so the
column limits are removed: the same schema comes out on every backend. Limits a serializer or
a model states itself (``MaxValueValidator(100)``) stay.
"""

from __future__ import annotations

COLUMN_LIMITS = {32767, 2147483647, 9223372036854775807}


def _strip(node) -> None:
    if isinstance(node, dict):
        if node.get("type") == "integer":
            if node.get("maximum") in COLUMN_LIMITS:
                del node["maximum"]
            if node.get("minimum") in {-(limit + 1) for limit in COLUMN_LIMITS}:
                del node["minimum"]
            if node.get("format") == "int64":
                del node["format"]
        for value in node.values():
            _strip(value)
    elif isinstance(node, list):
        for value in node:
            _strip(value)


def drop_column_limits(result, generator, request, public):
    """``POSTPROCESSING_HOOKS`` entry: integer schemas without the database's column range."""
    _strip(result)
    return result
