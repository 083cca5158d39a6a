from counting.numbering import numbered


def test_labels_are_numbered_from_one():
    assert [number for number, _ in zip(numbered(), "abc")] == [1, 2, 3]


def test_numbering_can_start_later():
    assert next(numbered(7)) == 7
