import csv
import io
import json

from csvlite.reader import count_records

HEADER = "name,qty\n"


def _rows(text):
    return csv.reader(io.StringIO(text))


def _unused_helper():
    return json.dumps({})


def test_blank_lines_are_no_records(sample):
    assert count_records(_rows(sample)) == 2


def test_a_header_alone_has_no_records():
    assert count_records(_rows(HEADER)) == 0
