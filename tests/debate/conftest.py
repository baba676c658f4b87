"""Consultations the debate tests take part in."""
from __future__ import annotations

import pytest

from plateforme.consultations.models import PhaseKind

from ..consultations.helpers import build_consultation


@pytest.fixture
def debating(make):
    """A published consultation in its debate phase (comments, endorsements)."""
    return build_consultation(make, PhaseKind.DEBATE)


@pytest.fixture
def proposing(make):
    """A published consultation in its proposals phase (proposals, supports)."""
    return build_consultation(make, PhaseKind.PROPOSALS)
