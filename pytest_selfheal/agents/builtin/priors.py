"""Template priors: how likely a candidate of each family is the fix, before any test runs.

A candidate's score is its line's suspiciousness times its family's prior, so a family that is
often right and makes few candidates per line comes early, and one that makes many comes late.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

PRIORS: Mapping[str, float] = MappingProxyType({
    "comparison-operator": 1.0,
    "bound-shift": 0.9,
    "value-shift": 0.5,
    "arithmetic-operator": 0.9,
    "boolean-operator": 0.9,
    "integer-constant": 0.85,
    "negate-condition": 0.8,
    "drop-not": 0.8,
    "relative-function": 0.8,
    "constant-value": 0.75,
    "assignment-operator": 0.7,
    "swap-operands": 0.7,
    "name-replacement": 0.6,
    "sibling-attribute": 0.6,
    "return-value": 0.5,
    "condition-clause": 0.45,
    "wrap-call": 0.3,
    "concat-value": 0.3,
    "none-guard": 0.55,
    "copy-statement": 0.45,
    "delete-statement": 0.4,
})
