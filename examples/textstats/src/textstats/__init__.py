"""Word statistics for plain text."""

from .report import summary
from .stats import counts, most_common
from .tokens import words

__all__ = ["counts", "most_common", "summary", "words"]
