from baskets.basket import Basket


def test_count():
    basket = Basket()
    basket.add("apple")
    basket.add("pear")
    assert basket.count() == 2


def test_items_are_the_names_added():
    basket = Basket()
    basket.add("apple")
    assert basket.items() == ["apple"]
