import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

pytest_plugins = ["pytester"]

from helpers import copy_example, init_repo  # noqa: E402


@pytest.fixture
def example_repo(tmp_path: Path):
    """Return a function that copies an example into a fresh directory and commits it."""

    def make(name: str, where: str = "repo") -> Path:
        return init_repo(copy_example(name, tmp_path / where))

    return make


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--run-live", action="store_true", default=False,
                     help="also run tests that call the real Anthropic API (needs ANTHROPIC_API_KEY; "
                          "costs a few cents)")
