import collections.abc
import os

from pytest_selfheal.testproc.files import real_file


def test_code_without_a_file_has_no_path_even_when_the_current_directory_is_the_project(tmp_path):
    frozen = collections.abc.MutableMapping.popitem.__code__.co_filename
    assert frozen.startswith("<frozen")
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        assert real_file(frozen) is None
        assert real_file("<string>") is None
        assert real_file("pkg/mod.py") == os.path.realpath(tmp_path / "pkg" / "mod.py")
    finally:
        os.chdir(cwd)
