import pytest

from .helpers import Cards


@pytest.fixture
def cards(make, db):
    return Cards(make, db)
