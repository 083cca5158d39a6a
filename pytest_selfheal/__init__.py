"""pytest-selfheal: propose validated fixes for failing tests, in an isolated git worktree.

PYTEST_DONT_REWRITE: the sandbox's test processes import this package before pytest configures
(they are its modules); this marker, which pytest honours, keeps pytest from warning that it
could not rewrite it (an error under `filterwarnings = error`). It has no asserts to rewrite.
"""

__version__ = "0.1.0"
