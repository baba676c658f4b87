import pytest
from .conftest import visit, axe_check
pytestmark = pytest.mark.browser
def test_guard(page):
    page.goto("/connexion")
    page.goto("/inscription")
    axe_check(page)
def test_guard2(page):
    page.goto("/connexion")
