import pytest
from cart import Cart, Coupon, Product, average_price, describe, first_sku, receipt


def make_cart() -> Cart:
    return Cart({"apple": Product("apple", 50, 10), "pear": Product("pear", 80, 2),
                 "plum": Product("plum", 30, 5)})


def test_add_reserves_stock():
    cart = make_cart()
    cart.add("apple", 3)
    cart.add("apple")
    assert cart.lines == {"apple": 4}
    assert cart.catalog["apple"].reserved == 4
    assert cart.catalog["apple"].free() == 6
    assert cart.log == ["add apple x3", "add apple x1"]


def test_add_refuses_more_than_free():
    cart = make_cart()
    cart.add("pear", 2)
    with pytest.raises(ValueError, match="only 0 of pear left"):
        cart.add("pear")
    with pytest.raises(KeyError):
        cart.add("kiwi")


def test_remove_releases_stock():
    cart = make_cart()
    cart.add("plum", 2)
    cart.remove("plum")
    assert cart.lines == {}
    assert cart.catalog["plum"].reserved == 0
    assert cart.log[-1] == "remove plum"


def test_totals_with_coupon():
    cart = make_cart()
    cart.add("apple", 2)
    cart.add("pear", 1)
    assert cart.subtotal() == 180
    cart.coupon = Coupon("TEN", 10, minimum=100)
    assert cart.discount() == 18
    assert cart.total() == 162


def test_coupon_minimum():
    cart = make_cart()
    cart.add("plum")
    cart.coupon = Coupon("TEN", 10, minimum=100)
    assert cart.discount() == 0
    assert cart.total() == 30


def test_empty_and_most_expensive():
    cart = make_cart()
    assert cart.is_empty()
    assert cart.total() == 0
    assert cart.most_expensive() is None
    cart.add("plum")
    cart.add("pear")
    assert not cart.is_empty()
    assert cart.most_expensive() == "pear"


def test_receipt():
    cart = make_cart()
    cart.add("pear")
    cart.add("apple", 2)
    cart.coupon = Coupon("HALF", 50)
    assert receipt(cart) == ["apple x2 100", "pear x1 80", "discount -90", "total 90"]


def test_receipt_without_coupon():
    cart = make_cart()
    cart.add("plum")
    assert receipt(cart) == ["plum x1 30", "total 30"]


def test_average_price():
    cart = make_cart()
    assert average_price(cart) == 0.0
    cart.add("apple", 3)
    cart.add("plum", 1)
    assert average_price(cart) == 45.0


def test_describe():
    assert describe(None) == "unknown"
    assert describe(Product("fig", 20, 1)) == "fig @ 20"


def test_first_sku():
    cart = make_cart()
    assert first_sku(cart, "p") is None
    cart.add("plum")
    cart.add("pear")
    assert first_sku(cart, "p") == "pear"
    assert first_sku(cart, "a") is None
