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
