"""What changed between two versions of a card, word by word, evidence included.

The result is plain data (segments marked equal / insert / delete); the template shows
insertions in <ins> and deletions in <del>, each with a visually hidden word, so the
change is told by more than colour or strike-through.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from .models import IssueCardVersion

# Words and the spaces between them, so the rebuilt text keeps its spacing and line breaks.
_TOKENS = re.compile(r"\s+|[^\s]+")

TEXT_FIELDS = (
    ("title", _l("Titre")),
    ("summary", _l("En bref")),
    ("stakes", _l("Ce qui est en jeu")),
    ("known", _l("Ce que l'on sait")),
    ("unknown", _l("Ce que l'on ne sait pas")),
    ("questions", _l("Questions pour le débat")),
)


@dataclass
class Segment:
    op: str  # "equal", "insert" or "delete"
    text: str


@dataclass
class FieldDiff:
    name: str
    label: str
    segments: list[Segment]

    @property
    def changed(self) -> bool:
        return any(s.op != "equal" for s in self.segments)


@dataclass
class VersionDiff:
    old: IssueCardVersion | None
    new: IssueCardVersion
    fields: list[FieldDiff] = field(default_factory=list)
    status_changed: bool = False
    findings_added: list = field(default_factory=list)
    findings_removed: list = field(default_factory=list)
    values_added: list = field(default_factory=list)
    values_removed: list = field(default_factory=list)

    @property
    def changed_fields(self) -> list[FieldDiff]:
        return [f for f in self.fields if f.changed]

    @property
    def evidence_changed(self) -> bool:
        return bool(self.findings_added or self.findings_removed or self.values_added or self.values_removed)

    @property
    def has_changes(self) -> bool:
        return bool(self.changed_fields or self.status_changed or self.evidence_changed)


def text_segments(old: str, new: str) -> list[Segment]:
    """Word-level differences from `old` to `new`, adjacent pieces of one kind merged."""
    a, b = _TOKENS.findall(old or ""), _TOKENS.findall(new or "")
    segments: list[Segment] = []

    def push(op: str, text: str) -> None:
        if not text:
            return
        if segments and segments[-1].op == op:
            segments[-1].text += text
        else:
            segments.append(Segment(op, text))

    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            push("equal", "".join(a[i1:i2]))
        else:
            # Deletion first, then insertion: reads as "this was replaced by that".
            push("delete", "".join(a[i1:i2]))
            push("insert", "".join(b[j1:j2]))
    return segments


def diff_versions(old: IssueCardVersion | None, new: IssueCardVersion) -> VersionDiff:
    """Differences from `old` (None for a first version: everything is new) to `new`."""
    result = VersionDiff(old=old, new=new)
    for name, label in TEXT_FIELDS:
        result.fields.append(FieldDiff(name, str(label), text_segments(getattr(old, name, "") if old else "",
                                                                      getattr(new, name))))
    result.status_changed = old is None or old.political_status != new.political_status
    old_findings = {f.id: f for f in (old.findings if old else [])}
    new_findings = {f.id: f for f in new.findings}
    result.findings_added = [f for i, f in new_findings.items() if i not in old_findings]
    result.findings_removed = [f for i, f in old_findings.items() if i not in new_findings]
    old_values = {v.id: v for v in (old.indicator_values if old else [])}
    new_values = {v.id: v for v in new.indicator_values}
    result.values_added = [v for i, v in new_values.items() if i not in old_values]
    result.values_removed = [v for i, v in old_values.items() if i not in new_values]
    return result
