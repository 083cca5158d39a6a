"""The sandbox writes source in its file's encoding and line endings, and puts back every byte."""

from pathlib import Path

import pytest

from pytest_selfheal.errors import SandboxError
from pytest_selfheal.models import Edit
from pytest_selfheal.sandbox.paths import Sandbox

LATIN1 = "# -*- coding: latin-1 -*-\r\ns = 'é'\r\nx = 1\r\n"


def sandbox(tmp_path: Path) -> Sandbox:
    return Sandbox(user_root=tmp_path / "user", root=tmp_path / "tree", tmp=tmp_path / "tmp")


def test_source_is_written_in_its_encoding_with_its_line_endings(tmp_path: Path):
    box = sandbox(tmp_path)
    box.write("pkg/m.py", LATIN1, "iso-8859-1")
    assert (box.root / "pkg/m.py").read_bytes() == LATIN1.encode("iso-8859-1")
    assert box.read("pkg/m.py").text == LATIN1 and box.read("pkg/m.py").encoding == "iso-8859-1"


def test_applied_edits_are_undone_to_the_original_bytes_whatever_happens(tmp_path: Path):
    box = sandbox(tmp_path)
    original = b"\xef\xbb\xbfx = 1\r\ny = 2"
    box.write_bytes("m.py", original)
    first = Edit("m.py", "x = 1\r\ny = 2", "x = 2\r\ny = 2", "x", encoding="utf-8-sig")
    second = Edit("m.py", first.after, "x = 2\r\ny = 3", "y", encoding="utf-8-sig")
    with pytest.raises(RuntimeError), box.applied((first, second)):
        assert (box.root / "m.py").read_bytes() == b"\xef\xbb\xbfx = 2\r\ny = 3"
        raise RuntimeError("a test run that crashed")
    assert (box.root / "m.py").read_bytes() == original


def test_every_write_gets_an_mtime_of_its_own(tmp_path: Path):
    box = sandbox(tmp_path)
    box.write("m.py", "x = 1\n")
    first = (box.root / "m.py").stat().st_mtime_ns
    box.write("m.py", "x = 2\n")
    assert (box.root / "m.py").stat().st_mtime_ns != first


def test_nothing_is_written_through_a_link_that_leads_out_of_the_worktree(tmp_path: Path):
    box = sandbox(tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "m.py").write_text("x = 1\n")
    box.root.mkdir()
    (box.root / "vendor").symlink_to(outside)
    edit = Edit("vendor/m.py", "x = 1\n", "x = 2\n", "x")
    with pytest.raises(SandboxError, match=r"vendor/m.py leads outside the sandbox .* nothing was written"), \
            box.applied((edit,)):
        pass
    with pytest.raises(SandboxError):
        box.write("vendor/new.py", "y = 1\n")
    assert (outside / "m.py").read_text() == "x = 1\n" and not (outside / "new.py").exists()
