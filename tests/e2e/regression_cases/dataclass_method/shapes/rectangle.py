"""Rectangles. Planted bug: the perimeter subtracts the height instead of adding it."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Rectangle:
    width: int
    height: int
    label: str = ""

    def area(self) -> int:
        return self.width * self.height

    def perimeter(self) -> int:
        return 2 * (self.width - self.height)
