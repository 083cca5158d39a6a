"""The reader on CSV text with Unix line ends."""

import csv
import io

from csvlite.reader import count_records


class TestReader:
    newline = "\n"

    def rows(self, *lines):
        return csv.reader(io.StringIO(self.newline.join(lines) + self.newline))

    def test_blank_lines_are_no_records(self):
        assert count_records(self.rows("name,qty", "apple,2", "", "pear,3")) == 2

    def test_a_header_alone_has_no_records(self):
        assert count_records(self.rows("name,qty")) == 0

    def test_one_record(self):
        assert count_records(self.rows("name,qty", "apple,2")) == 1

    def test_a_quoted_line_end_is_no_new_record(self):
        assert count_records(self.rows("name,qty", '"apple\npie",2')) == 1
