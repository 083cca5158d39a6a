"""A sorted map from integer keys to amounts on an unbalanced binary search tree.

Insertion is iterative; lookups of neighbours, deletion, ranges and aggregates recurse.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass


@dataclass
class Node:
    key: int
    value: int
    left: Node | None = None
    right: Node | None = None


class TreeMap:
    def __init__(self) -> None:
        self.root: Node | None = None
        self.size = 0

    def __len__(self) -> int:
        return self.size

    def put(self, key: int, value: int) -> None:
        """Insert `key`, or replace its value when it is already there."""
        if self.root is None:
            self.root = Node(key, value)
            self.size += 1
            return
        node = self.root
        while True:
            if key < node.key:
                if node.left is None:
                    node.left = Node(key, value)
                    self.size += 1
                    return
                node = node.left
            elif key > node.key:
                if node.right is None:
                    node.right = Node(key, value)
                    self.size += 1
                    return
                node = node.right
            else:
                node.value = value
                return

    def _find(self, key: int) -> Node | None:
        node = self.root
        while node is not None and node.key != key:
            node = node.left if key < node.key else node.right
        return node

    def get(self, key: int) -> int | None:
        node = self._find(key)
        if node is None:
            return None
        return node.value

    def __contains__(self, key: int) -> bool:
        return self._find(key) is not None

    def min_key(self) -> int | None:
        node = self.root
        if node is None:
            return None
        while node.left is not None:
            node = node.left
        return node.key

    def max_key(self) -> int | None:
        node = self.root
        if node is None:
            return None
        while node.right is not None:
            node = node.right
        return node.key

    def floor(self, key: int) -> int | None:
        """The largest key less than or equal to `key`, or None."""
        return _floor(self.root, key)

    def delete(self, key: int) -> bool:
        """Remove `key`; False when it was not there."""
        self.root, removed = _delete(self.root, key)
        if removed:
            self.size -= 1
        return removed

    def items(self) -> Iterator[tuple[int, int]]:
        """(key, value) pairs in key order."""
        return _items(self.root)

    def keys_between(self, low: int, high: int) -> list[int]:
        """Sorted keys `k` with low <= k < high, visiting only the subtrees that can hold them."""
        found: list[int] = []
        _collect(self.root, low, high, found)
        return found

    def total(self) -> int:
        return _total(self.root)

    def height(self) -> int:
        """Nodes on the longest path from the root down; 0 for an empty map."""
        return _height(self.root)


def _floor(node: Node | None, key: int) -> int | None:
    if node is None:
        return None
    if node.key == key:
        return key
    if key < node.key:
        return _floor(node.left, key)
    better = _floor(node.right, key)
    return node.key if better is None else better


def _delete(node: Node | None, key: int) -> tuple[Node | None, bool]:
    """The subtree without `key`, and whether it was found."""
    if node is None:
        return None, False
    if key < node.key:
        node.left, removed = _delete(node.left, key)
        return node, removed
    if key > node.key:
        node.right, removed = _delete(node.right, key)
        return node, removed
    if node.left is None:
        return node.right, True
    if node.right is None:
        return node.left, True
    successor = node.right
    while successor.left is not None:
        successor = successor.left
    node.key, node.value = successor.key, successor.value
    node.right, _ = _delete(node.right, successor.key)
    return node, True


def _items(node: Node | None) -> Iterator[tuple[int, int]]:
    if node is None:
        return
    yield from _items(node.left)
    yield node.key, node.value
    yield from _items(node.right)


def _collect(node: Node | None, low: int, high: int, found: list[int]) -> None:
    if node is None:
        return
    if low < node.key:
        _collect(node.left, low, high, found)
    if low <= node.key < high:
        found.append(node.key)
    if node.key < high:
        _collect(node.right, low, high, found)


def _total(node: Node | None) -> int:
    if node is None:
        return 0
    left = _total(node.left)
    right = _total(node.right)
    return left + node.value + right


def _height(node: Node | None) -> int:
    if node is None:
        return 0
    return 1 + max(_height(node.left), _height(node.right))


def from_pairs(pairs: list[tuple[int, int]]) -> TreeMap:
    tree = TreeMap()
    for key, value in pairs:
        tree.put(key, value)
    return tree
