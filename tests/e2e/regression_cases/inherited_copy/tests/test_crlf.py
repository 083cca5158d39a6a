"""The reader's tests again, on CSV text with Windows line ends."""

import test_reader


class TestCrlfReader(test_reader.TestReader):
    newline = "\r\n"
