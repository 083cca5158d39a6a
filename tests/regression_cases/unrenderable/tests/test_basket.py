from baskets.basket import Basket


def test_count():
    basket = Basket()
    basket.add("apple")
    basket.add("pear")
    assert basket.count() == 2
