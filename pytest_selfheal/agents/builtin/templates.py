"""Repair templates. Each looks at one CST node and yields (replacement node, description).

A template never touches anything but the node it is given, so a mutation is one
`Module.deep_replace(original, replacement)`; `mutations()` finds the nodes on given lines.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import libcst as cst
from libcst.metadata import (
    ExpressionContext,
    ExpressionContextProvider,
    MetadataWrapper,
    PositionProvider,
)

_RENDER = cst.Module(body=[])


def code(node: cst.CSTNode) -> str:
    return _RENDER.code_for_node(node).strip()


@dataclass(frozen=True)
class Scope:
    """Names a replacement may use: the enclosing function's parameters and locals."""

    names: tuple[str, ...] = ()


Replacement = tuple[cst.CSTNode, str]
Template = Callable[[cst.CSTNode, Scope], Iterator[Replacement]]

_COMPARISON: dict[type[cst.BaseCompOp], tuple[type[cst.BaseCompOp], ...]] = {
    cst.LessThan: (cst.LessThanEqual, cst.GreaterThan),
    cst.LessThanEqual: (cst.LessThan, cst.GreaterThanEqual),
    cst.GreaterThan: (cst.GreaterThanEqual, cst.LessThan),
    cst.GreaterThanEqual: (cst.GreaterThan, cst.LessThanEqual),
    cst.Equal: (cst.NotEqual,),
    cst.NotEqual: (cst.Equal,),
    cst.Is: (cst.IsNot,),
    cst.IsNot: (cst.Is,),
    cst.In: (cst.NotIn,),
    cst.NotIn: (cst.In,),
}

_ARITHMETIC: dict[type[cst.BaseBinaryOp], tuple[type[cst.BaseBinaryOp], ...]] = {
    cst.Add: (cst.Subtract,),
    cst.Subtract: (cst.Add,),
    cst.Multiply: (cst.Divide,),
    cst.Divide: (cst.Multiply, cst.FloorDivide),
    cst.FloorDivide: (cst.Divide, cst.Multiply),
    cst.Modulo: (cst.FloorDivide,),
    cst.Power: (cst.Multiply,),
}

_AUGMENTED: dict[type[cst.BaseAugOp], tuple[type[cst.BaseAugOp], ...]] = {
    cst.AddAssign: (cst.SubtractAssign,),
    cst.SubtractAssign: (cst.AddAssign,),
    cst.MultiplyAssign: (cst.DivideAssign,),
    cst.DivideAssign: (cst.MultiplyAssign, cst.FloorDivideAssign),
    cst.FloorDivideAssign: (cst.DivideAssign,),
}


def _like(new: type[Any], old: Any) -> Any:
    """A new operator with the old one's spacing, so the diff shows only the real change."""
    return new(
        whitespace_before=old.whitespace_before,
        whitespace_after=old.whitespace_after,
    )


def comparison_operator(node: cst.CSTNode, scope: Scope) -> Iterator[Replacement]:
    if not isinstance(node, cst.Comparison):
        return
    for index, target in enumerate(node.comparisons):
        for new_op in _COMPARISON.get(type(target.operator), ()):
            comparisons = list(node.comparisons)
            comparisons[index] = target.with_changes(operator=_like(new_op, target.operator))
            replacement = node.with_changes(comparisons=comparisons)
            yield replacement, f"`{code(node)}` -> `{code(replacement)}`"


def arithmetic_operator(node: cst.CSTNode, scope: Scope) -> Iterator[Replacement]:
    if isinstance(node, cst.BinaryOperation):
        for new_op in _ARITHMETIC.get(type(node.operator), ()):
            replacement = node.with_changes(operator=_like(new_op, node.operator))
            yield replacement, f"`{code(node)}` -> `{code(replacement)}`"
    elif isinstance(node, cst.AugAssign):
        for new_aug in _AUGMENTED.get(type(node.operator), ()):
            augmented = node.with_changes(operator=_like(new_aug, node.operator))
            yield augmented, f"`{code(node)}` -> `{code(augmented)}`"


def integer_constant(node: cst.CSTNode, scope: Scope) -> Iterator[Replacement]:
    if not isinstance(node, cst.Integer):
        return
    value = node.evaluated_value
    for new in (value + 1, value - 1):
        if new >= 0:
            yield cst.Integer(str(new)), f"`{node.value}` -> `{new}`"


def shift(expr: cst.BaseExpression, delta: int) -> cst.BaseExpression | None:
    """`expr + delta`, folded into a trailing `± k` or an integer literal when there is one."""
    if isinstance(expr, cst.Integer):
        value = expr.evaluated_value + delta
        return cst.Integer(str(value)) if value >= 0 else None
    if (
        isinstance(expr, cst.BinaryOperation)
        and isinstance(expr.right, cst.Integer)
        and isinstance(expr.operator, cst.Add | cst.Subtract)
    ):
        sign = 1 if isinstance(expr.operator, cst.Add) else -1
        offset = sign * expr.right.evaluated_value + delta
        if offset == 0:
            return expr.left
        op = _like(cst.Add if offset > 0 else cst.Subtract, expr.operator)
        return expr.with_changes(operator=op, right=cst.Integer(str(abs(offset))))
    operator = cst.Add() if delta > 0 else cst.Subtract()
    return cst.BinaryOperation(left=expr, operator=operator, right=cst.Integer(str(abs(delta))))


def _shifted_variants(expr: cst.BaseExpression) -> Iterator[cst.BaseExpression]:
    for delta in (1, -1):
        shifted = shift(expr, delta)
        if shifted is not None:
            yield shifted


def bound_shift(node: cst.CSTNode, scope: Scope) -> Iterator[Replacement]:
    """Index, slice and range() bounds ±1."""
    replacement: cst.CSTNode
    new_slice: cst.BaseSlice
    if isinstance(node, cst.Subscript) and len(node.slice) == 1:
        element = node.slice[0]
        if isinstance(element.slice, cst.Index):
            for value in _shifted_variants(element.slice.value):
                new_slice = element.slice.with_changes(value=value)
                replacement = node.with_changes(slice=[element.with_changes(slice=new_slice)])
                yield replacement, f"`{code(node)}` -> `{code(replacement)}`"
        elif isinstance(element.slice, cst.Slice):
            for field in ("lower", "upper"):
                bound = getattr(element.slice, field)
                if bound is None:
                    continue
                for value in _shifted_variants(bound):
                    new_slice = element.slice.with_changes(**{field: value})
                    replacement = node.with_changes(slice=[element.with_changes(slice=new_slice)])
                    yield replacement, f"`{code(node)}` -> `{code(replacement)}`"
    elif (
        isinstance(node, cst.Call)
        and isinstance(node.func, cst.Name)
        and node.func.value == "range"
    ):
        for index, arg in enumerate(node.args[:2]):
            for value in _shifted_variants(arg.value):
                args = list(node.args)
                args[index] = arg.with_changes(value=value)
                replacement = node.with_changes(args=args)
                yield replacement, f"`{code(node)}` -> `{code(replacement)}`"


def boolean_operator(node: cst.CSTNode, scope: Scope) -> Iterator[Replacement]:
    if isinstance(node, cst.BooleanOperation):
        new_op = _like(cst.Or if isinstance(node.operator, cst.And) else cst.And, node.operator)
        replacement = node.with_changes(operator=new_op)
        yield replacement, f"`{code(node)}` -> `{code(replacement)}`"


def _negated(test: cst.BaseExpression) -> cst.BaseExpression:
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        return test.expression
    if isinstance(test, cst.BooleanOperation | cst.IfExp | cst.Lambda | cst.NamedExpr):
        test = test.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
    return cst.UnaryOperation(operator=cst.Not(), expression=test)


def negate_condition(node: cst.CSTNode, scope: Scope) -> Iterator[Replacement]:
    """`if c:` -> `if not c:` (and back), also for `while` and conditional expressions."""
    if isinstance(node, cst.If | cst.While | cst.IfExp):
        new_test = _negated(node.test)
        yield node.with_changes(test=new_test), f"`{code(node.test)}` -> `{code(new_test)}`"


def drop_not(node: cst.CSTNode, scope: Scope) -> Iterator[Replacement]:
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Not):
        yield node.expression, f"`{code(node)}` -> `{code(node.expression)}`"


def name_replacement(node: cst.CSTNode, scope: Scope) -> Iterator[Replacement]:
    """A local name read here replaced by another local, most similar names first."""
    if not isinstance(node, cst.Name) or node.value not in scope.names:
        return
    others = [n for n in scope.names if n != node.value and n not in ("self", "cls")]
    others.sort(key=lambda n: -difflib.SequenceMatcher(None, node.value, n).ratio())
    for other in others[:6]:
        yield node.with_changes(value=other), f"`{node.value}` -> `{other}`"


# Ordered by prior: how often each family is the right fix (to be measured on the corpus).
TEMPLATES: tuple[tuple[str, Template, float], ...] = (
    ("comparison-operator", comparison_operator, 1.0),
    ("bound-shift", bound_shift, 0.9),
    ("arithmetic-operator", arithmetic_operator, 0.9),
    ("boolean-operator", boolean_operator, 0.9),
    ("integer-constant", integer_constant, 0.85),
    ("negate-condition", negate_condition, 0.8),
    ("drop-not", drop_not, 0.8),
    ("name-replacement", name_replacement, 0.6),
)


@dataclass(frozen=True)
class Mutation:
    template: str
    prior: float
    line: int
    original: cst.CSTNode
    replacement: cst.CSTNode
    description: str


class _Sites(cst.CSTVisitor):
    """Collects nodes on the wanted lines with the scope of their enclosing function."""

    METADATA_DEPENDENCIES = (PositionProvider, ExpressionContextProvider)

    def __init__(self, lines: frozenset[int]) -> None:
        super().__init__()
        self.lines = lines
        self.sites: list[tuple[cst.CSTNode, int, Scope]] = []
        self.scopes: list[Scope] = [Scope()]
        self.not_variables: set[int] = set()  # attribute names, keyword names

    def on_visit(self, node: cst.CSTNode) -> bool:
        if isinstance(node, cst.FunctionDef):
            self.scopes.append(Scope(names=_local_names(node, self)))
        elif isinstance(node, cst.Attribute):
            self.not_variables.add(id(node.attr))
        elif isinstance(node, cst.Arg) and node.keyword is not None:
            self.not_variables.add(id(node.keyword))
        position = self.get_metadata(PositionProvider, node, None)
        line = position.start.line if position is not None else 0
        if line in self.lines and not self._is_unreadable_name(node):
            self.sites.append((node, line, self.scopes[-1]))
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        if isinstance(original_node, cst.FunctionDef):
            self.scopes.pop()

    def _is_unreadable_name(self, node: cst.CSTNode) -> bool:
        if not isinstance(node, cst.Name):
            return False
        context = self.get_metadata(ExpressionContextProvider, node, None)
        return id(node) in self.not_variables or context is not ExpressionContext.LOAD


def _local_names(func: cst.FunctionDef, sites: _Sites) -> tuple[str, ...]:
    params = func.params
    names = [
        p.name.value
        for p in (*params.posonly_params, *params.params, *params.kwonly_params)
    ]
    for star in (params.star_arg, params.star_kwarg):
        if isinstance(star, cst.Param):
            names.append(star.name.value)
    stores = _StoreNames(sites)
    func.body.visit(stores)
    return tuple(dict.fromkeys([*names, *stores.names]))


class _StoreNames(cst.CSTVisitor):
    def __init__(self, sites: _Sites) -> None:
        self.sites = sites
        self.names: list[str] = []

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False  # a nested function's locals are not ours

    def visit_Name(self, node: cst.Name) -> None:
        context = self.sites.get_metadata(ExpressionContextProvider, node, None)
        if context is ExpressionContext.STORE:
            self.names.append(node.value)


def mutations(module: cst.Module, lines: frozenset[int]) -> list[Mutation]:
    """Every template applied to every node that starts on one of `lines`."""
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    sites = _Sites(lines)
    wrapper.visit(sites)
    found = []
    for node, line, scope in sites.sites:
        for name, template, prior in TEMPLATES:
            for replacement, description in template(node, scope):
                found.append(Mutation(name, prior, line, node, replacement, description))
    return found
