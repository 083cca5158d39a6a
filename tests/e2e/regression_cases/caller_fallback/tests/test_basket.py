from baskets.basket import Basket, basket_size


def test_size_counts_every_name():
    assert basket_size(["apple", "pear"]) == 2


def test_items_are_the_names_added():
    basket = Basket()
    basket.add("apple")
    assert basket.items() == ["apple"]
