from chunks.batching import batches


def test_even_batches():
    assert list(batches([1, 2, 3, 4], 2)) == [[1, 2], [3, 4]]


def test_a_last_batch_of_one():
    sizes = [len(batch) for batch in batches("abcde", 2)]
    assert sizes == [2, 2, 1]


def test_no_items_no_batches():
    assert list(batches([], 3)) == []
