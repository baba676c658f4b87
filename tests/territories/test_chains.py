"""Which territories contain a territory: what picks the moderation rules of a contribution."""
from __future__ import annotations

from plateforme.territories.chains import containing_ids
from plateforme.territories.models import TerritoryKind


def test_a_commune_is_in_its_epci_then_its_departement_and_region(db, make):
    lyon = make.territory("69123", TerritoryKind.COMMUNE)
    chain = containing_ids(lyon.id)
    assert chain[0] == lyon.id
    assert chain[1] == lyon.epci_id == make.territory("200046977", TerritoryKind.EPCI).id
    parents, node = [], lyon.parent
    while node is not None:
        parents.append(node.id)
        node = node.parent
    assert list(chain[2:]) == parents and parents  # the département, then the région


def test_a_territory_moved_in_this_process_is_seen_at_once(db, make):
    lyon = make.territory("69123", TerritoryKind.COMMUNE)
    before = containing_ids(lyon.id)
    epci_id = lyon.epci_id
    lyon.epci_id = None  # territories are shared by the whole test session: put it back below
    db.session.commit()
    try:
        after = containing_ids(lyon.id)
        assert before[1] not in after and after[0] == lyon.id
    finally:
        lyon.epci_id = epci_id
        db.session.commit()
    assert containing_ids(lyon.id) == before


def test_an_unknown_territory_is_contained_in_nothing(db):
    assert containing_ids(987654321) == ()
