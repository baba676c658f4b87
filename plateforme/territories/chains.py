"""Which territories contain a territory: the moderation rules that apply on a territory
are its own, or the nearest ones above it."""
from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from .models import Territory


def containing_ids(territory_id: int) -> tuple[int, ...]:
    """`territory_id`, then the territories containing it, nearest first: each territory's
    EPCI before its administrative parent."""
    chain: list[int] = []
    node_id = territory_id
    while node_id is not None and node_id not in chain:
        row = db.session.execute(select(Territory.parent_id, Territory.epci_id)
                                 .where(Territory.id == node_id)).first()
        if row is None:
            break
        chain.append(node_id)
        if row.epci_id is not None and row.epci_id not in chain:
            chain.append(row.epci_id)
        node_id = row.parent_id
    return tuple(chain)
