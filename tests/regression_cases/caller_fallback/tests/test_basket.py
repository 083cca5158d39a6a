from baskets.basket import basket_size


def test_size_counts_every_name():
    assert basket_size(["apple", "pear"]) == 2
