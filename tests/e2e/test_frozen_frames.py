"""A failure raised inside code without a file (the frozen standard-library modules, such as
collections.abc's mixin methods) is located at the project's own frames: the heal finds the fix
and writes its regression test, instead of looking for a file named `<frozen _collections_abc>`."""

import pytest
from helpers import latest_report, latest_run_dir, make_repo, run_pytest

pytestmark = pytest.mark.slow


def test_a_key_error_raised_in_a_frozen_mixin_method_is_healed_with_its_regression_test(tmp_path):
    repo = make_repo(tmp_path / "repo", {
        "pyproject.toml": """
            [tool.pytest.ini_options]
            testpaths = ["tests"]
            pythonpath = ["."]
            filterwarnings = ["error"]
            """,
        "lru/__init__.py": "",
        "lru/cache.py": '''
            from collections.abc import MutableMapping


            class Cache(MutableMapping):
                """A mapping of at most `maxsize` items; the oldest goes first."""

                def __init__(self, maxsize):
                    self._data = {}
                    self.maxsize = maxsize

                def __getitem__(self, key):
                    return self._data[key]

                def __setitem__(self, key, value):
                    while len(self._data) + 1 >= self.maxsize:
                        self.popitem()  # MutableMapping's, frozen: KeyError when empty
                    self._data[key] = value

                def __delitem__(self, key):
                    del self._data[key]

                def __iter__(self):
                    return iter(self._data)

                def __len__(self):
                    return len(self._data)
            ''',
        "tests/test_cache.py": """
            from lru.cache import Cache


            def test_one_item_fits():
                cache = Cache(1)
                cache["a"] = 1
                assert cache["a"] == 1


            def test_two_items_fit():
                cache = Cache(2)
                cache["a"] = 1
                cache["b"] = 2
                assert len(cache) == 2


            def test_the_oldest_goes_first():
                cache = Cache(2)
                for key in "abc":
                    cache[key] = key
                assert list(cache) == ["b", "c"]
            """,
    })
    result = run_pytest(repo, "--selfheal")
    assert result.returncode == 1
    report = latest_report(repo)
    assert report["status"] == "healed", report["reason"]
    frames = [frame["path"] for failure in report["failures"] for frame in failure.get("frames", [])]
    assert not any(path.startswith("<") for path in frames)
    regression = report["regression"]
    assert regression["path"], regression["reason"]
    assert "+        while len(self._data) + 1 > self.maxsize:" in (latest_run_dir(repo) / "fix.diff").read_text()
