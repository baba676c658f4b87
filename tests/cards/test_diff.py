"""What changed between versions: word-level text differences and evidence added or removed."""
from __future__ import annotations

from plateforme.cards.diff import diff_versions, text_segments
from plateforme.cards.models import PoliticalStatus


def _ops(segments):
    return [(s.op, s.text) for s in segments]


def test_words_inserted_and_deleted_are_marked_and_spacing_kept():
    segments = text_segments("Les étudiants étrangers progressent.", "Les étudiants et chercheurs étrangers progressent vite.")
    assert _ops(segments) == [
        ("equal", "Les étudiants "), ("insert", "et chercheurs "), ("equal", "étrangers "),
        ("delete", "progressent."), ("insert", "progressent vite."),
    ]
    rebuilt_new = "".join(s.text for s in segments if s.op != "delete")
    rebuilt_old = "".join(s.text for s in segments if s.op != "insert")
    assert rebuilt_new == "Les étudiants et chercheurs étrangers progressent vite."
    assert rebuilt_old == "Les étudiants étrangers progressent."


def test_identical_texts_have_no_change():
    assert _ops(text_segments("Une ligne\nDeux lignes", "Une ligne\nDeux lignes")) == [
        ("equal", "Une ligne\nDeux lignes")]
    assert text_segments("", "") == []


def test_version_diff_lists_changed_fields_status_and_evidence(cards, db):
    card = cards.published(finding_ids=[cards.finding.id], value_ids=[cards.value_epci.id])
    v2 = cards.new_version(card, summary="Un résumé tout neuf.", political_status=PoliticalStatus.DIVISIVE,
                           finding_ids=[cards.finding_villeurbanne.id], value_ids=[cards.value_epci.id,
                                                                                   cards.value_bron.id])
    diff = diff_versions(card.published_version, v2)
    assert [f.name for f in diff.changed_fields] == ["summary"]
    assert diff.status_changed
    assert diff.findings_added == [cards.finding_villeurbanne] and diff.findings_removed == [cards.finding]
    assert diff.values_added == [cards.value_bron] and diff.values_removed == []
    assert diff.has_changes


def test_first_version_diff_is_all_new(cards):
    card = cards.draft()
    diff = diff_versions(None, card.latest_version)
    assert all(s.op == "insert" for f in diff.changed_fields for s in f.segments)
    assert diff_versions(card.latest_version, card.latest_version).has_changes is False
