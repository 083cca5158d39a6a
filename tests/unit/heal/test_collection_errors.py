"""The error behind a collection failure, read from the text pytest prints for a failed import."""

from pytest_selfheal.heal import collection_errors as buildtime
from pytest_selfheal.models import Failure


def _is_test(path: str) -> bool:
    return path.startswith("tests/")


def test_build_error_from_pytest_import_text(tmp_path):
    text = (
        "tests/test_b.py:1: in <module>\n    from pkg.b import f\n"
        f'E     File "{tmp_path}/pkg/b.py", line 3\nE       def f(\nE            ^\n'
        "E   SyntaxError: '(' was never closed"
    )
    collect = Failure(nodeid="tests/test_b.py", phase="collect", exc_type="Error", message=text)
    error = buildtime.build_error(collect, tmp_path, _is_test)
    assert error == buildtime.BuildError("SyntaxError", "'(' was never closed", "pkg/b.py", 3)
