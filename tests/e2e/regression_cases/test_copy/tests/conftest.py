import pytest


@pytest.fixture
def sample():
    return "name,qty\napple,2\n\npear,3\n"
