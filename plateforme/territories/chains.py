"""Which territories contain a territory, kept per process.

Every contribution asks which moderation rules apply (the territory's own, or the nearest
ones above it), so the chain of containing territories is read on every comment. It
changes only when territories are loaded (`flask territories load`, the administration
page): a change made in this process forgets every chain at once (listeners below); one
made by another process (the CLI, another worker) shows within CHAIN_SECONDS.
"""
from __future__ import annotations

import time

from flask import current_app
from sqlalchemy import event, select

from ..extensions import db
from .models import Territory

CHAIN_SECONDS = 60.0
_CHAINS_MAX = 4096
_chains: dict[tuple[str, int], tuple[float, tuple[int, ...]]] = {}


def containing_ids(territory_id: int) -> tuple[int, ...]:
    """`territory_id`, then the territories containing it, nearest first: each territory's
    EPCI before its administrative parent."""
    key = (current_app.config["SQLALCHEMY_DATABASE_URI"], territory_id)
    now = time.monotonic()
    cached = _chains.get(key)
    if cached is not None and cached[0] > now:
        return cached[1]
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
    if len(_chains) >= _CHAINS_MAX:
        _chains.clear()
    _chains[key] = (now + CHAIN_SECONDS, tuple(chain))
    return tuple(chain)


@event.listens_for(Territory, "after_insert")
@event.listens_for(Territory, "after_update")
@event.listens_for(Territory, "after_delete")
def _forget_chains(*_args) -> None:
    _chains.clear()
