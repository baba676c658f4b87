import pytest

from .helpers import Observatory


@pytest.fixture
def obs(make, db):
    return Observatory(make, db)
