"""pytest-selfheal: propose validated fixes for failing tests, in an isolated git worktree."""

__version__ = "0.1.0"
