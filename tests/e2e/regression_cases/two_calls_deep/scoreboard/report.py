"""A one-line report of test results; reaches the faulty function two calls down."""

from .shares import summarize


def format_report(results: dict[str, int]) -> str:
    shares = summarize(results)
    return ", ".join(f"{name}: {share}%" for name, share in sorted(shares.items()))
