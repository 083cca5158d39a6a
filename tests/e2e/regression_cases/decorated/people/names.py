"""Names as they are printed. Planted bug: initials take the last letter of each part."""

from collections import Counter

CALLS: Counter[str] = Counter()


def counted(function):
    """Counts the calls of `function` (a wrapper without functools.wraps, so it keeps no
    __wrapped__ and has a name of its own)."""
    def counting(*args, **kwargs):
        CALLS[function.__name__] += 1
        return function(*args, **kwargs)

    return counting


@counted
def initials(name):
    return "".join(part[-1] + "." for part in name.split())


def signature(name, title=""):
    return f"{title} {initials(name)}".strip()
