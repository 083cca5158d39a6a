"""Buggy projects for the regression-test cases: copied into git repositories, never collected here."""

collect_ignore_glob = ["*"]
