"""The API's description as a page to read (/donnees/api): the OpenAPI document itself,
rendered on the server (no JavaScript), so the page lists exactly the operations and
parameters the API checks (the document is built from the views' own declarations).

The document is one French text; the page gives its words in the reader's language: the
summaries and descriptions are catalogue messages (marked N_ where they are written), and the
texts that carry their own English (« … EN: … ») show the reader's half."""
from __future__ import annotations

from flask import current_app, render_template
from flask_babel import get_locale, gettext

from ..core.i18n import SourceText
from ..core.params import FILTER_NOTE, FILTER_SUFFIX
from . import files_bp
from .api_examples import FALLBACK, example_values
from .openapi import description_parts, openapi_document

ENGLISH_ASIDE = " EN: "


def in_reader_language(text: str) -> str:
    """A text of the document as the reader reads it. Names, codes and whatever no catalogue
    holds stay as they are."""
    if not text:
        return text  # gettext("") would give the catalogue's header
    if isinstance(text, SourceText):
        return gettext(text.message, **text.values)
    french, aside, english = text.partition(ENGLISH_ASIDE)
    if aside:
        return french if str(get_locale()).startswith("fr") else english[:1].upper() + english[1:]
    return gettext(text)


def parameter_text(parameter: dict) -> str:
    """A parameter's description; a filter's note on empty values (core/params.py) translated
    apart, since the description before it is a message of its own."""
    text = parameter.get("description", "")
    if parameter.get("allowEmptyValue") and text.endswith(FILTER_SUFFIX):
        what = in_reader_language(text[:-len(FILTER_SUFFIX)])
        return f"{what}{'' if what.endswith('.') else '.'} {gettext(FILTER_NOTE)}"
    return in_reader_language(text)


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


def operations(document: dict, examples: dict | None = None) -> list[dict]:
    """Each operation of the document, ready for the page: its parameters and answers in
    words, and an example address (path identifiers and required query parameters given their
    value in `examples`, else 1 and the documented example)."""
    examples = examples or {}
    server = document["servers"][0]["url"]
    shared = document.get("components", {}).get("responses", {})
    out = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            responses = []
            for code, answer in operation.get("responses", {}).items():
                if "$ref" in answer:
                    answer = shared.get(answer["$ref"].rsplit("/", 1)[-1], {})
                responses.append({"code": code, "description": in_reader_language(answer.get("description", "")),
                                  "media": [(media, schema_text(body.get("schema", {})))
                                            for media, body in answer.get("content", {}).items()]})
            example = path
            query = []
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path":
                    example = example.replace("{" + parameter["name"] + "}",
                                              str(examples.get(parameter["name"], FALLBACK)))
                elif parameter.get("required") and "example" in parameter:  # without it: a 400
                    value = examples.get(parameter["name"], parameter["example"])
                    query.append(f"{parameter['name']}="
                                 + (",".join(map(str, value)) if isinstance(value, list) else str(value)))
            if query:
                example += "?" + "&".join(query)
            out.append({"method": method.upper(), "path": path, "anchor": _anchor(path),
                        "summary": in_reader_language(operation.get("summary", "")),
                        "description": in_reader_language(operation.get("description", "")),
                        "tags": operation.get("tags", []), "example": server + example,
                        "parameters": [dict(p, type=schema_text(p.get("schema", {})), description=parameter_text(p))
                                       for p in operation.get("parameters", [])],
                        "responses": responses})
    return out


def schemas(document: dict) -> list[dict]:
    """The named schemas, each with its properties' types and descriptions."""
    out = []
    for name, schema in document.get("components", {}).get("schemas", {}).items():
        properties = [{"name": key, "type": schema_text(value),
                       "description": in_reader_language(value.get("description", "")),
                       "required": key in schema.get("required", ())}
                      for key, value in schema.get("properties", {}).items()]
        out.append({"name": name, "description": in_reader_language(schema.get("description", "")),
                    "type": schema_text(schema),
                    "properties": properties})
    return out


@files_bp.route("/api")
def api_page():
    document = openapi_document()
    # The document's title is « <site> — API de données ouvertes »: the site's name, then words.
    title = f"{current_app.config['SITE_NAME']} — {gettext('API de données ouvertes')}"
    return render_template("publication/api.html", document=document, info=document["info"], title=title,
                           introduction=" ".join(in_reader_language(part) for part in description_parts()),
                           server=document["servers"][0]["url"], operations=operations(document, example_values()),
                           schemas=schemas(document), schema_names=set(document["components"]["schemas"]))
