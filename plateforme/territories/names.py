"""A territory's name after the French preposition « de »: « de la Métropole de Lyon »,
« du Rhône », « d'Irigny », « des Hauts-de-France »; and as a subject, with its article:
« la Métropole de Lyon », « le Rhône ». Sentences such as « les habitantes
et habitants de %(territory)s » need it: French contracts « de » with the article the
name takes (INSEE calls it the TNCC), and English says « of » and the name alone.

Départements and régions take the article INSEE gives them (their TNCC, copied below:
the reference files carry only the names). Intercommunalités named after their kind
(« Métropole de Lyon », « CC du Pays de Gex ») are feminine: « de la ». Communes read
their article from their name (« Le Havre » → « du Havre »; « La Rochelle » keeps its
capital: « de La Rochelle »).
"""
from __future__ import annotations

from flask_babel import get_locale

from .models import TerritoryKind

# INSEE's TNCC: how « de » joins the name.
_JOINS = {0: "de ", 1: "d'", 2: "du ", 3: "de la ", 4: "des ", 5: "de l'"}
_SUBJECTS = {0: "", 1: "", 2: "le ", 3: "la ", 4: "les ", 5: "l'"}

# Code officiel géographique 2026 (INSEE), column TNCC of the départements and régions.
DEPARTEMENT_TNCC = {
    "01": 5, "02": 5, "03": 5, "04": 4, "05": 4, "06": 4, "07": 5, "08": 4, "09": 5, "10": 5,
    "11": 5, "12": 5, "13": 4, "14": 2, "15": 2, "16": 3, "17": 3, "18": 2, "19": 3, "21": 3,
    "22": 4, "23": 3, "24": 3, "25": 2, "26": 3, "27": 5, "28": 1, "29": 2, "2A": 3, "2B": 3,
    "30": 2, "31": 3, "32": 2, "33": 3, "34": 5, "35": 1, "36": 5, "37": 1, "38": 5, "39": 2,
    "40": 4, "41": 0, "42": 3, "43": 3, "44": 3, "45": 2, "46": 2, "47": 0, "48": 3, "49": 0,
    "50": 3, "51": 3, "52": 3, "53": 3, "54": 0, "55": 3, "56": 2, "57": 3, "58": 3, "59": 2,
    "60": 5, "61": 5, "62": 2, "63": 2, "64": 4, "65": 4, "66": 4, "67": 2, "68": 2, "69": 2,
    "70": 3, "71": 0, "72": 3, "73": 3, "74": 3, "75": 0, "76": 3, "77": 0, "78": 4, "79": 4,
    "80": 3, "81": 2, "82": 0, "83": 2, "84": 2, "85": 3, "86": 3, "87": 3, "88": 4, "89": 5,
    "90": 2, "91": 5, "92": 4, "93": 3, "94": 2, "95": 2, "971": 3, "972": 3, "973": 3,
    "974": 0, "976": 0,
}
REGION_TNCC = {
    "01": 3, "02": 3, "03": 3, "04": 0, "06": 0, "11": 1, "24": 2, "27": 0, "28": 0, "32": 4,
    "44": 2, "52": 4, "53": 0, "75": 1, "76": 1, "84": 1, "93": 0, "94": 3,
}
# Names of intercommunalités that begin with their (feminine) kind.
_EPCI_KINDS = ("Métropole", "Eurométropole", "Communauté", "CC ", "CA ", "CU ")
_VOWELS = frozenset("AEIOUYÀÂÄÉÈÊËÎÏÔÖÙÛÜŒÆaeiouyàâäéèêëîïôöùûüœæ")


def _article(name: str, kind: TerritoryKind | None, code: str | None) -> int | None:
    """The TNCC the name takes when it is not in its own text (None: a commune's name,
    whose article, if any, is part of it)."""
    table = {TerritoryKind.DEPARTEMENT: DEPARTEMENT_TNCC, TerritoryKind.REGION: REGION_TNCC}.get(kind)
    if table is not None and code in table:
        return table[code]
    if kind == TerritoryKind.EPCI:
        if name.startswith(_EPCI_KINDS) or name.startswith("Grande "):
            return 3
        if name.startswith("Grand "):
            return 2
    return None


def french_de(name: str, kind: TerritoryKind | str | None = None, code: str | None = None) -> str:
    """« de » joined to the territory's name, as French writes it."""
    tncc = _article(name, TerritoryKind(kind) if kind else None, code)
    if tncc is not None:
        return _JOINS[tncc] + name
    if name.startswith("Le "):
        return "du " + name[3:]
    if name.startswith("Les "):
        return "des " + name[4:]
    if name.startswith(("La ", "L'", "L’")):
        return "de " + name  # « de La Rochelle », « de L'Isle-d'Abeau »: the article keeps its capital
    if name[:1] in _VOWELS:
        return "d'" + name
    return "de " + name


def french_subject(name: str, kind: TerritoryKind | str | None = None, code: str | None = None) -> str:
    """The name with its article, as the subject of a sentence: « la Métropole de Lyon »,
    « le Rhône », « Villeurbanne »."""
    tncc = _article(name, TerritoryKind(kind) if kind else None, code)
    return _SUBJECTS.get(tncc, "") + name


def _in_reader_language(territory, french) -> str:
    """`french(name, kind, code)` when the page is in French; the name alone otherwise
    (English puts « of » or « the » in the sentence itself)."""
    if territory is None:
        return ""
    locale = get_locale()
    if locale is not None and locale.language != "fr":
        return territory.name
    return french(territory.name, territory.kind, territory.code)


def de_territory(territory) -> str:
    """For « … %(de_territory)s » in a sentence: « de la Métropole de Lyon » in French."""
    return _in_reader_language(territory, french_de)


def the_territory(territory) -> str:
    """For a territory that is the subject (« Ce que %(the_territory)s a fait… »): « la
    Métropole de Lyon » in French."""
    return _in_reader_language(territory, french_subject)


def register_name_helpers(app) -> None:
    app.jinja_env.globals["de_territory"] = de_territory
    app.jinja_env.globals["the_territory"] = the_territory
