"""Query parameters declared once: each operation lists the parameters it takes (name, type,
allowed values, bounds), and that one list both parses the request and writes the OpenAPI
`parameters` and 400 answer, so the check and its documentation cannot drift.

A value that does not fit is refused (400, every faulty parameter named: `InvalidParams`),
never ignored: a misspelt filter that silently returns the whole list is the trap issue 23
found. One rule for empty values, the same on the API and the pages: a filter
(`empty_means_all`, see `filters`) given empty (`flow_kind=`, what an HTML filter form sends
for « all ») does not filter, as its documentation says; any other parameter given empty is
refused (`version=` must not quietly mean the latest version). A value of white space only is
refused everywhere: it is neither empty nor a value. White space around a text or a number
is dropped; a value from a list is written exactly.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, replace
from enum import Enum

from flask import request
from flask_babel import gettext as _, ngettext
from werkzeug.exceptions import BadRequest

from .i18n import N_

# A whole number in ASCII digits. JSON Schema's `integer` (the OpenAPI type) counts 3.0 as the
# whole number 3, and clients that hold numbers as floats send it so: a zero fraction is read.
_INTEGER = re.compile(r"(-?[0-9]{1,18})(?:\.0+)?")
# Control characters (Unicode Cc) are refused in text values (PostgreSQL refuses NUL; none has a
# place in a filter). The check and the documented `pattern` are the same character class.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
PRINTABLE = "^[^\\u0000-\\u001F\\u007F-\\u009F]*$"
# A printable character that is not white space (Python's str.isspace, control characters
# aside): a text value holds at least one. The documented `pattern` of text parameters says so.
_SOLID = "[^\\u0000-\\u0020\\u007F-\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000]"
_ANY = "[^\\u0000-\\u001F\\u007F-\\u009F]"
TEXT = f"^{_ANY}*{_SOLID}{_ANY}*$"
FILTER_TEXT = f"^(?:{_ANY}*{_SOLID}{_ANY}*)?$"  # or empty: no filter
# What a filter's description says of an empty value. The OpenAPI document is French with this
# English aside; the API page (publication/api_page.py) cuts FILTER_SUFFIX off to translate it.
FILTER_NOTE = N_("Vide : pas de filtre (tous).")
FILTER_SUFFIX = f" {FILTER_NOTE} EN: empty: no filter (all)."


@dataclass(frozen=True)
class Param:
    """One query parameter. `kind`: "string", "integer", "enum" (then `enum` is the class),
    "choice" (then `choices` lists the accepted strings) or "integers" (distinct whole numbers
    written 1,2: style form, not exploded; `minimum`/`maximum` bound each, `min_items`/
    `max_items` their count)."""

    name: str
    description: str
    kind: str = "string"
    enum: type[Enum] | None = None
    minimum: int | None = None
    maximum: int | None = None
    max_length: int = 200
    default: object = None
    choices: tuple[str, ...] = ()
    # Given empty, it does not filter (the « all » of a filter form); documented as such.
    empty_means_all: bool = False
    min_items: int = 0
    max_items: int | None = None
    required: bool = False

    @property
    def allowed(self) -> list[str]:
        return [m.value for m in self.enum] if self.kind == "enum" else list(self.choices)

    def parse(self, raw: str):
        """The value `raw` stands for; raises ValueError with the reason, in the reader's language.
        An empty value of a filter never gets here (parse_query: it means « all »)."""
        # Before any strip(): Python counts some control characters (\x1c–\x1f) as white space
        # and would drop them at the ends, accepting what the document refuses.
        if _CONTROL.search(raw):
            raise ValueError(_("caractères de contrôle interdits"))
        if not raw:
            raise ValueError(_("valeur vide ; donnez une valeur ou retirez le paramètre"))
        if not raw.strip():
            raise ValueError(_("rien que des espaces ; donnez une valeur ou retirez le paramètre"))
        if self.kind in ("enum", "choice"):
            if raw not in self.allowed:
                raise ValueError(_("valeur inconnue ; valeurs permises : %(values)s",
                                   values=", ".join(self.allowed)))
            return self.enum(raw) if self.kind == "enum" else raw
        if self.kind == "integer":
            # int() would also read « 1_000 » and « ٣ »: a whole number is ASCII digits here.
            whole = _INTEGER.fullmatch(raw.strip())
            if not whole:
                raise ValueError(_("un nombre entier est attendu"))
            number = int(whole.group(1))
            if self.minimum is not None and number < self.minimum:
                raise ValueError(_("doit valoir au moins %(minimum)s", minimum=self.minimum))
            if self.maximum is not None and number > self.maximum:
                raise ValueError(_("doit valoir au plus %(maximum)s", maximum=self.maximum))
            return number
        # "integers": the text, which the view reads (it names each fault: an id repeated, unknown...).
        text = raw.strip()
        if len(text) > self.max_length:
            raise ValueError(ngettext("%(num)d caractère au plus", "%(num)d caractères au plus", self.max_length))
        return text

    def schema(self) -> dict:
        """The JSON Schema of the value, as the OpenAPI description gives it."""
        if self.kind in ("enum", "choice"):
            schema = {"type": "string", "enum": self.allowed}
        elif self.kind == "integer":
            schema = {"type": "integer"}
            if self.minimum is not None:
                schema["minimum"] = self.minimum
            if self.maximum is not None:
                schema["maximum"] = self.maximum
        elif self.kind == "integers":
            items = {"type": "integer"}
            if self.minimum is not None:
                items["minimum"] = self.minimum
            if self.maximum is not None:
                items["maximum"] = self.maximum
            schema = {"type": "array", "items": items, "uniqueItems": True}
            if self.min_items:
                schema["minItems"] = self.min_items
            if self.max_items is not None:
                schema["maxItems"] = self.max_items
        else:
            schema = {"type": "string", "maxLength": self.max_length,
                      "pattern": FILTER_TEXT if self.empty_means_all else TEXT}
        if self.default is not None:
            schema["default"] = self.default.value if isinstance(self.default, Enum) else self.default
        return schema

    def openapi(self) -> dict:
        # allowEmptyValue only on filters: there an empty value (a form's « all ») does not filter.
        description = self.description
        if self.empty_means_all:
            description += FILTER_SUFFIX
        described = {"name": self.name, "in": "query", "required": self.required,
                     "allowEmptyValue": self.empty_means_all, "description": description, "schema": self.schema()}
        if self.kind == "integers":
            described.update(style="form", explode=False)  # ?surveys=1,2
        return described


def filters(*params: Param) -> tuple[Param, ...]:
    """`params` as filters: each, given empty, does not filter (and its documentation says so)."""
    return tuple(replace(param, empty_means_all=True) for param in params)


class InvalidParams(BadRequest):
    """A 400 naming each faulty parameter and why: problem+json on the API, a page elsewhere."""

    def __init__(self, problems: list[dict]):
        super().__init__()
        self.problems = problems  # [{"name": …, "reason": …}], in the reader's language


def parse_query(params, args, *, strict: bool = True) -> dict:
    """Every declared parameter's value (its default when absent, or a filter given empty), or InvalidParams
    naming all the faulty ones at once. `strict`: a parameter not declared is refused too
    (the API); pages leave them alone (links carry utm_source and the like)."""
    problems: list[dict] = []
    values: dict = {}
    declared = {param.name: param for param in params}
    for name in args if strict else ():
        if name not in declared:
            problems.append({"name": name[:100], "reason": _("paramètre inconnu ; paramètres acceptés : %(names)s",
                                                       names=", ".join(declared)) if declared
                             else _("paramètre inconnu ; cette adresse n'en accepte aucun")})
    for name, param in declared.items():
        given = args.getlist(name)
        values[name] = param.default
        if len(given) > 1:
            problems.append({"name": name, "reason": _("donné plusieurs fois")})
        elif given and not (given[0] == "" and param.empty_means_all):
            try:
                values[name] = param.parse(given[0])
            except ValueError as error:
                problems.append({"name": name, "reason": str(error)})
    if problems:
        raise InvalidParams(problems)
    return values


def accepts(*params: Param, strict: bool = True):
    """Decorate a view: its query parameters are parsed (see parse_query) and passed as the
    first argument, a dict; `view.query_params` keeps the list for the OpenAPI description."""
    def decorate(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            return view(parse_query(params, request.args, strict=strict), *args, **kwargs)

        wrapper.query_params = params
        return wrapper
    return decorate


def paging(default: int = 20, most: int = 100) -> tuple[Param, Param]:
    """The page number and size, bounded (a page of 10⁹ is no list anyone reads)."""
    return (Param("page", N_("Numéro de page (à partir de 1)"), "integer", minimum=1, maximum=10**6, default=1),
            Param("per_page", N_("Lignes par page (%(most)s au plus)", most=most), "integer", minimum=1,
                  maximum=most, default=default))


# The body of every 400 for invalid parameters (RFC 9457), as the OpenAPI description gives it.
PROBLEM_SCHEMA = {
    "type": "object", "required": ["type", "title", "status"],
    "description": N_("Problème (RFC 9457), en français ou en anglais selon Accept-Language."),
    "properties": {
        "type": {"type": "string", "format": "uri"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "invalid_params": {"type": "array", "items": {
            "type": "object", "required": ["name", "reason"],
            "properties": {"name": {"type": "string"}, "reason": {"type": "string"}}}},
    },
}
