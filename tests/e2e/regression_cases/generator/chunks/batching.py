"""Lists of consecutive items. Planted bug: a last batch of one item is dropped."""


def batches(items, size):
    """Consecutive lists of `size` items; the last may be shorter."""
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if len(batch) > 1:
        yield batch
