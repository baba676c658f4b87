"""The API's description as a page to read (/donnees/api): the OpenAPI document itself,
rendered on the server (no JavaScript), so the page lists exactly the operations and
parameters the API checks (the document is built from the views' own declarations)."""
from __future__ import annotations

from flask import render_template

from . import files_bp
from .openapi import openapi_document


def schema_text(schema: dict) -> str:
    """A JSON Schema in a few words: its type, allowed values, bounds and default."""
    if not schema:
        return ""
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    kind = schema.get("type", "")
    if isinstance(kind, list):
        kind = " | ".join(kind)
    if kind == "array":
        kind = f"array<{schema_text(schema.get('items', {})) or 'any'}>"
    parts = [kind or "any"]
    if schema.get("format"):
        parts.append(f"({schema['format']})")
    if "enum" in schema:
        parts.append("∈ {" + ", ".join("null" if v is None else str(v) for v in schema["enum"]) + "}")
    if "minimum" in schema:
        parts.append(f"≥ {schema['minimum']}")
    if "maximum" in schema:
        parts.append(f"≤ {schema['maximum']}")
    if "maxLength" in schema:
        parts.append(f"maxLength {schema['maxLength']}")
    if "default" in schema:
        parts.append(f"= {schema['default']}")
    return " ".join(parts)


def _anchor(path: str) -> str:
    return "op-" + "".join(c if c.isalnum() else "-" for c in path).strip("-")


def operations(document: dict) -> list[dict]:
    """Each operation of the document, ready for the page: its parameters and answers in
    words, and an example address (path identifiers given the value 1, required query
    parameters their documented example)."""
    server = document["servers"][0]["url"]
    shared = document.get("components", {}).get("responses", {})
    out = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            responses = []
            for code, answer in operation.get("responses", {}).items():
                if "$ref" in answer:
                    answer = shared.get(answer["$ref"].rsplit("/", 1)[-1], {})
                responses.append({"code": code, "description": answer.get("description", ""),
                                  "media": [(media, schema_text(body.get("schema", {})))
                                            for media, body in answer.get("content", {}).items()]})
            example = path
            query = []
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path":
                    example = example.replace("{" + parameter["name"] + "}", "1")
                elif parameter.get("required") and "example" in parameter:  # without it: a 400
                    value = parameter["example"]
                    query.append(f"{parameter['name']}="
                                 + (",".join(map(str, value)) if isinstance(value, list) else str(value)))
            if query:
                example += "?" + "&".join(query)
            out.append({"method": method.upper(), "path": path, "anchor": _anchor(path),
                        "summary": operation.get("summary", ""), "description": operation.get("description", ""),
                        "tags": operation.get("tags", []), "example": server + example,
                        "parameters": [dict(p, type=schema_text(p.get("schema", {})))
                                       for p in operation.get("parameters", [])],
                        "responses": responses})
    return out


def schemas(document: dict) -> list[dict]:
    """The named schemas, each with its properties' types and descriptions."""
    out = []
    for name, schema in document.get("components", {}).get("schemas", {}).items():
        properties = [{"name": key, "type": schema_text(value), "description": value.get("description", ""),
                       "required": key in schema.get("required", ())}
                      for key, value in schema.get("properties", {}).items()]
        out.append({"name": name, "description": schema.get("description", ""), "type": schema_text(schema),
                    "properties": properties})
    return out


@files_bp.route("/api")
def api_page():
    document = openapi_document()
    return render_template("publication/api.html", document=document, info=document["info"],
                           server=document["servers"][0]["url"], operations=operations(document),
                           schemas=schemas(document), schema_names=set(document["components"]["schemas"]))
