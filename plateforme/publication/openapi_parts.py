"""Pieces of the OpenAPI document shared by the observatory's and the consultations' parts."""
from __future__ import annotations

from ..core.i18n import N_


TYPES = {
    "integer": {"type": "integer"}, "number": {"type": "number"}, "string": {"type": "string"},
    "boolean": {"type": "boolean"}, "date": {"type": "string", "format": "date"},
    "datetime": {"type": "string", "format": "date-time"},
}
LISTS = {"fields", "sources"}  # text columns served as arrays in JSON


def nullable(column) -> bool:
    expression = getattr(column.expression, "expression", column.expression)
    return bool(getattr(expression, "nullable", True))


def resource_schema(resource, extra: dict | None = None, always_nullable=()) -> dict:
    properties = {}
    for column in resource.columns:
        if column.name in LISTS:
            schema = {"type": "array", "items": {"type": "string"}}
        else:
            schema = dict(TYPES[column.type])
            if nullable(column) or column.name in always_nullable:
                schema["type"] = [schema["type"], "null"]
        properties[column.name] = {**schema, "description": column.description}
    properties.update(extra or {})
    return {"type": "object", "properties": properties, "required": list(properties)}


def page_of(schema_name: str) -> dict:
    link = {"type": ["string", "null"], "format": "uri"}
    return {
        "type": "object", "required": ["data", "meta", "links"],
        "properties": {
            "data": {"type": "array", "items": {"$ref": f"#/components/schemas/{schema_name}"}},
            "meta": {"type": "object", "properties": {
                "page": {"type": "integer"}, "per_page": {"type": "integer", "maximum": 100},
                "total": {"type": "integer"}, "pages": {"type": "integer"}, "licence": {"type": "string"},
                "licence_note": {"type": "string"}}},
            "links": {"type": "object", "properties": {k: link for k in ("self", "first", "last", "next", "prev")}},
        },
    }


def path_id(name: str, description: str) -> dict:
    return {"name": name, "in": "path", "required": True, "description": description,
            "schema": {"type": "integer", "minimum": 1}}


def enum_schema(enum_cls) -> dict:
    return {"type": "string", "enum": [member.value for member in enum_cls]}


PROBLEM_MEDIA = "application/problem+json"
NOT_FOUND = {"description": N_("Inconnu, ou pas encore publié"),
             "content": {PROBLEM_MEDIA: {"schema": {"$ref": "#/components/schemas/ProblemDetails"}}}}


def get_operation(summary: str, schema_ref: str | None, parameters: list, *, media="application/json", tag="observatoire",
         description: str = "") -> dict:
    content = {media: {"schema": {"$ref": f"#/components/schemas/{schema_ref}"}}} if schema_ref else \
        {media: {"schema": {"type": "string"}}}
    operation = {"summary": summary, "tags": [tag], "parameters": parameters,
                 "responses": {"200": {"description": N_("Réponse"), "content": content}, "404": NOT_FOUND}}
    if description:
        operation["description"] = description
    return {"get": operation}
