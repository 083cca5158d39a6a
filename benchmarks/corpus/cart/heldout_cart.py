"""Held-back tests for cart: stock shared between carts, rounding, receipts, edge cases."""

import pytest
from cart import Cart, Coupon, Product, average_price, describe, first_sku, receipt


def catalog() -> dict[str, Product]:
    return {"apple": Product("apple", 50, 10), "apricot": Product("apricot", 120, 4),
            "pear": Product("pear", 80, 2), "plum": Product("plum", 30, 5)}


def test_two_carts_share_the_stock():
    shared = catalog()
    first, second = Cart(shared), Cart(shared)
    first.add("apple", 8)
    with pytest.raises(ValueError, match="only 2 of apple left"):
        second.add("apple", 3)
    second.add("apple", 2)
    assert shared["apple"].free() == 0
    first.remove("apple")
    assert shared["apple"].free() == 8
    assert shared["apple"].on_hand == 10


def test_refused_add_changes_nothing():
    cart = Cart(catalog())
    cart.add("pear")
    with pytest.raises(ValueError):
        cart.add("pear", 2)
    assert cart.lines == {"pear": 1}
    assert cart.catalog["pear"].reserved == 1
    assert cart.log == ["add pear x1"]


def test_remove_then_add_again():
    cart = Cart(catalog())
    cart.add("plum", 5)
    cart.remove("plum")
    assert cart.is_empty()
    cart.add("plum", 5)
    assert cart.lines == {"plum": 5}
    assert cart.log == ["add plum x5", "remove plum", "add plum x5"]


def test_removing_what_is_not_in_the_cart_is_harmless():
    cart = Cart(catalog())
    cart.add("apple")
    cart.remove("pear")
    assert cart.lines == {"apple": 1}
    assert cart.catalog["pear"].reserved == 0
    assert cart.catalog["apple"].reserved == 1


def test_discount_rounds_down_and_applies_at_the_minimum():
    cart = Cart(catalog())
    cart.add("plum", 3)
    cart.add("apple", 2)  # 190
    cart.coupon = Coupon("SAVE", 15, minimum=190)
    assert cart.discount() == 28
    assert cart.total() == 162
    cart.coupon = Coupon("ALL", 100)
    assert cart.total() == 0


def test_receipt_lists_skus_in_order_and_hides_a_zero_discount():
    cart = Cart(catalog())
    cart.add("plum", 2)
    cart.add("apricot")
    cart.add("apple")
    cart.coupon = Coupon("BIG", 10, minimum=1000)
    assert receipt(cart) == ["apple x1 50", "apricot x1 120", "plum x2 60", "total 230"]
    cart.coupon = Coupon("ZERO", 0)
    assert receipt(cart)[-1] == "total 230"
    assert len(receipt(Cart(catalog()))) == 1


def test_most_expensive_and_empty():
    cart = Cart(catalog())
    cart.add("plum", 5)
    cart.add("apricot")
    cart.add("apple", 3)
    assert cart.most_expensive() == "apricot"
    for sku in ("plum", "apricot", "apple"):
        cart.remove(sku)
    assert cart.is_empty()
    assert cart.most_expensive() is None


def test_average_price_weights_by_quantity():
    cart = Cart(catalog())
    cart.add("apple")
    cart.add("pear")
    assert average_price(cart) == 65.0
    cart.add("plum", 2)
    assert average_price(cart) == 47.5
    cart.remove("apple")
    cart.remove("pear")
    cart.remove("plum")
    assert average_price(cart) == 0.0


def test_describe_and_first_sku_more():
    assert describe(Product("x", 0, 0)) == "x @ 0"
    cart = Cart(catalog())
    cart.add("pear")
    cart.add("apricot")
    cart.add("apple")
    assert first_sku(cart, "ap") == "apple"
    assert first_sku(cart, "apr") == "apricot"
    assert first_sku(cart, "") == "apple"
    assert first_sku(cart, "q") is None
