"""Template priors: how likely a candidate of each family is the fix, before any test runs.

A candidate's score is its line's suspiciousness times its family's prior, so a family that is
often right and makes few candidates per line comes early, and one that makes many comes late.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

# Measured by benchmarks/fit_builtin.py on the corpus's first 73 bugs: each family's share of
# oracles among the candidates it makes at the faulty lines, smoothed (100 pseudo-candidates at
# the mean rate) and tempered (^0.25), both chosen on programs left out. With Weights(), they
# raised the budget-averaged reach of the oracle from 0.550 to 0.578 in-sample, 0.556 leaving
# each program out; kept on all 125 bugs (benchmarks/results/fit_builtin.txt).
PRIORS: Mapping[str, float] = MappingProxyType({
    "relative-function": 1.0,
    "comparison-operator": 0.984,
    "boolean-operator": 0.9,
    "arithmetic-operator": 0.881,
    "constant-value": 0.852,
    "integer-constant": 0.822,
    "bound-shift": 0.805,
    "negate-condition": 0.787,
    "value-shift": 0.776,
    "swap-operands": 0.77,
    "assignment-operator": 0.767,
    "drop-not": 0.752,
    "sibling-attribute": 0.706,
    "delete-statement": 0.677,
    "return-value": 0.638,
    "none-guard": 0.597,
    "concat-value": 0.557,
    "name-replacement": 0.548,
    "copy-statement": 0.543,
    "condition-clause": 0.479,
    # Split out of condition-clause, whose operand drops it was; its rate at the faulty lines of
    # all 125 bugs (fit_builtin.py --no-cv) is 0.6 of the best family's, condition-clause's 0.42.
    "drop-operand": 0.6,
    "wrap-call": 0.355,
    # Not in the fit (no bug of the corpus needs them): ranked among the families that make
    # many candidates per line, so that they extend the search without reordering its start.
    "drop-argument": 0.4,
    "move-statement": 0.4,
    "indent-statement": 0.4,
    "argument-shift": 0.4,
    "interpolated-shift": 0.4,
    "sibling-sum": 0.4,
    "helper-call": 0.3,  # up to three per name on the line: after wrap-call's builtins
    # Few candidates per line (at most 3, 4 and 1), drawn from the module's own values.
    "literal-replacement": 0.5,
    "separator-literal": 0.5,
    "codec-name": 0.5,
    "magnitude": 0.5,
    "swap-callees": 0.5,
    "window-shift": 0.5,
    "exception-type": 0.5,
    "compared-text": 0.5,
    "assigned-value": 0.5,
    "stray-comma": 0.5,
    # One candidate per call, condition operand or if/while; own-class only on the class's own name.
    "misplaced-parenthesis": 0.5,
    "negate-clause": 0.5,
    "own-class": 0.5,
    "if-while": 0.5,
})
