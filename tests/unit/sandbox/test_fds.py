"""What a forked child does with the heal's descriptors, run here on descriptors of this process
(the handler is the function a fork calls; no process is started)."""

import os

from pytest_selfheal.sandbox import fds


def test_a_registered_pipe_is_pointed_at_devnull_so_its_reader_sees_the_end():
    read, write = os.pipe()
    try:
        fds.keep_private(write)
        fds._blind_in_child()
        os.write(write, b"lost")  # goes to /dev/null now
        assert os.read(read, 10) == b"", "no writer is left on the pipe"
    finally:
        os.close(read)
        os.close(write)


def test_a_number_reused_since_is_left_alone(tmp_path):
    read, write = os.pipe()
    fds.keep_private(write)
    os.close(write)  # closed without forget()
    os.close(read)
    with (tmp_path / "mine.txt").open("w") as mine:
        fds._blind_in_child()
        mine.write("kept")
    assert (tmp_path / "mine.txt").read_text() == "kept"


def test_a_forgotten_descriptor_is_left_alone():
    read, write = os.pipe()
    try:
        fds.keep_private(write)
        fds.forget(write)
        fds._blind_in_child()
        os.write(write, b"still the pipe")
        assert os.read(read, 20) == b"still the pipe"
    finally:
        os.close(read)
        os.close(write)
