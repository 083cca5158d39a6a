"""Expression templates. Each looks at one CST node and yields (replacement node, description).

A template never touches anything but the node it is given, so a mutation is one
`Module.deep_replace(original, replacement)`; `sites.mutations()` finds the nodes on given lines.
"""

from __future__ import annotations

import codecs
import difflib
import itertools
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import libcst as cst

_RENDER = cst.Module(body=[])


def code(node: cst.CSTNode) -> str:
    return _RENDER.code_for_node(node).strip()


def retyped(literal: cst.SimpleString, text: str) -> cst.SimpleString:
    """`text` written as `literal` is (its prefix and quotes); `text` holds no quote or escape."""
    return cst.SimpleString(f"{literal.prefix}{literal.quote}{text}{literal.quote}")


def is_none(node: cst.CSTNode | None) -> bool:
    """`node` is the constant None, as written."""
    return isinstance(node, cst.Name) and node.value == "None"


@dataclass(frozen=True)
class Scope:
    """What a replacement may draw on inside the enclosing function.

    `names`: parameters and locals; `near`: the lines each of them occurs on; `line`: the line
    of the node being mutated; `attributes`: object text -> attribute names seen on it in
    the module (for `self`, in the enclosing class); `classes`: each class's attributes;
    `returns`: values the function returns elsewhere; `raises`: the exceptions it raises
    (`raise E(...)`); `helpers`: the functions and own methods it calls with one argument
    (`self._build_name`); `empty`: the empty value of its declared
    return type (`0.0` for `-> float`); `statements`: the function's simple statements, to copy
    into a block; `guards`: its `if c: raise ...` (or `return ...`) checks, also to copy;
    `indexed`: (index, sequence) pairs of `seq[i]`; `strings`: the module's string literals, as
    written; `assigned`: target text -> the values the module assigns to it;
    `own_class`: the name of the class whose method this is; `expected_errors`: the exceptions
    the failing tests expect that this module can name (expected.py); `compared_texts`: the
    texts the failing tests compared (texts.py).
    """

    names: tuple[str, ...] = ()
    near: dict[str, tuple[int, ...]] = field(default_factory=dict)
    line: int = 0
    empty: str | None = None
    attributes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    classes: tuple[tuple[str, ...], ...] = ()
    returns: tuple[cst.BaseExpression, ...] = ()
    raises: tuple[cst.Raise, ...] = ()
    helpers: tuple[str, ...] = ()
    statements: tuple[cst.SimpleStatementLine, ...] = ()
    guards: tuple[cst.If, ...] = ()
    indexed: tuple[tuple[str, str], ...] = ()
    strings: tuple[str, ...] = ()
    own_class: str = ""
    assigned: dict[str, tuple[cst.BaseExpression, ...]] = field(default_factory=dict)
    expected_errors: tuple[str, ...] = ()
    compared_texts: tuple[tuple[str, str], ...] = ()


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

# The operator module's function for each operator: `operator.lt` slips as `<` does, and a module
# whose one `operator.le` was changed uses no other attribute to swap it back with.
_OPERATOR_FUNCTIONS: dict[type[Any], str] = {
    cst.LessThan: "lt", cst.LessThanEqual: "le", cst.GreaterThan: "gt", cst.GreaterThanEqual: "ge",
    cst.Equal: "eq", cst.NotEqual: "ne", cst.Is: "is_", cst.IsNot: "is_not", cst.Add: "add",
    cst.Subtract: "sub", cst.Multiply: "mul", cst.Divide: "truediv", cst.FloorDivide: "floordiv",
    cst.Modulo: "mod", cst.Power: "pow",
}


def _named(table: Mapping[type[Any], tuple[type[Any], ...]]) -> dict[str, tuple[str, ...]]:
    return {_OPERATOR_FUNCTIONS[op]: tuple(_OPERATOR_FUNCTIONS[other] for other in others)
            for op, others in table.items() if op in _OPERATOR_FUNCTIONS}


OPERATOR_RELATIVES = {**_named(_COMPARISON), **_named(_ARITHMETIC)}


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


_STRINGS = (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)


def arithmetic_operator(node: cst.CSTNode, scope: Scope) -> Iterator[Replacement]:
    """`a + b` <-> `a - b`, ...; a string literal's operator -> `%` (formatting); `-x` -> `x`
    and `+x` -> `-x` (a sign lost or flipped)."""
    if isinstance(node, cst.BinaryOperation):
        new_ops = _ARITHMETIC.get(type(node.operator), ())
        if isinstance(node.left, _STRINGS) and not isinstance(node.operator, cst.Modulo | cst.Add):
            new_ops = (cst.Modulo,)
        for new_op in new_ops:
            replacement = node.with_changes(operator=_like(new_op, node.operator))
            yield replacement, f"`{code(node)}` -> `{code(replacement)}`"
    elif isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus | cst.Plus):
        signed = (node.expression.with_changes(lpar=node.lpar, rpar=node.rpar)
                  if isinstance(node.operator, cst.Minus) else node.with_changes(operator=cst.Minus()))
        yield signed, f"`{code(node)}` -> `{code(signed)}`"
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


def magnitude(node: cst.CSTNode, scope: Scope) -> Iterator[Replacement]:
    """An integer a digit off (`% 10` for `% 100`), or a binary multiple written for its decimal
    one (`1024` for `1000`, `1024 ** 2` for `1000 ** 2`) or the other way round."""
    if not isinstance(node, cst.Integer):
        return
    for new in _magnitudes(node.evaluated_value):
        yield cst.Integer(str(new)), f"`{node.value}` -> `{new}`"


def _magnitudes(value: int) -> list[int]:
    found = [value * 10, value // 10] if value >= 10 and str(value).rstrip("0") == "1" else []
    for power in (1, 2, 3):
        if value == 1000 ** power:
            found.append(1024 ** power)
        elif value == 1024 ** power:
            found.append(1000 ** power)
    return found


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
    """Index, slice and range() bounds ±1; a key that is a string literal is no bound."""
    replacement: cst.CSTNode
    if isinstance(node, cst.Subscript) and len(node.slice) == 1:
        element = node.slice[0]
        if isinstance(element.slice, cst.Index) and not isinstance(element.slice.value, _STRINGS):
            for value in _shifted_variants(element.slice.value):
                replacement = _resliced(node, element.slice.with_changes(value=value))
                yield replacement, f"`{code(node)}` -> `{code(replacement)}`"
        elif isinstance(element.slice, cst.Slice):
            for field in ("lower", "upper"):
                bound = getattr(element.slice, field)
                if bound is None:
                    continue
                for value in _shifted_variants(bound):
                    replacement = _resliced(node, element.slice.with_changes(**{field: value}))
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


def window_shift(node: cst.CSTNode, scope: Scope) -> Iterator[Replacement]:
    """`s[1:3]` -> `s[2:4]` / `s[0:2]`: a slice's window one place off, both bounds together."""
    if not isinstance(node, cst.Subscript) or len(node.slice) != 1:
        return
    window = node.slice[0].slice
    if not isinstance(window, cst.Slice) or window.lower is None or window.upper is None:
        return
    for delta in (1, -1):
        lower, upper = shift(window.lower, delta), shift(window.upper, delta)
        if lower is not None and upper is not None:
            replacement = _resliced(node, window.with_changes(lower=lower, upper=upper))
            yield replacement, f"`{code(node)}` -> `{code(replacement)}`"


def _resliced(node: cst.Subscript, new_slice: cst.BaseSlice) -> cst.Subscript:
    """`node` (one index or slice) with `new_slice` in place of its own."""
    return node.with_changes(slice=[node.slice[0].with_changes(slice=new_slice)])


def _is_count(expr: cst.BaseExpression) -> bool:
    """A `len(...)` call or a sum or difference: a value that is evidently a number."""
    if isinstance(expr, cst.Call):
        return isinstance(expr.func, cst.Name) and expr.func.value == "len"
    return isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Add | cst.Subtract)


def _is_index(expr: cst.BaseExpression, scope: Scope) -> bool:
    """A name the function indexes a sequence with (`items[mid]`): evidently a number."""
    return isinstance(expr, cst.Name) and any(index == expr.value for index, _ in scope.indexed)


def value_shift(node: cst.CSTNode, scope: Scope) -> Iterator[Replacement]:
    """Off by one in a value: a compared `len(...)` or sum, or a returned or assigned one (or an
    assigned index, `lo = mid` in a search that never moves past `mid`), ±1."""
    replacement: cst.CSTNode
    if isinstance(node, cst.Comparison):
        operands = [node.left, *(c.comparator for c in node.comparisons)]
        for index, operand in enumerate(operands):
            if not _is_count(operand):
                continue
            for value in _shifted_variants(operand):
                comparisons = list(node.comparisons)
                if index == 0:
                    replacement = node.with_changes(left=value)
                else:
                    target = comparisons[index - 1]
                    comparisons[index - 1] = target.with_changes(comparator=value)
                    replacement = node.with_changes(comparisons=comparisons)
                yield replacement, f"`{code(node)}` -> `{code(replacement)}`"
    elif isinstance(node, cst.Return | cst.Assign) and node.value is not None and (
            _is_count(node.value) or _is_index(node.value, scope)):
        for value in _shifted_variants(node.value):
            replacement = node.with_changes(value=value)
            yield replacement, f"`{code(node)}` -> `{code(replacement)}`"


def argument_shift(node: cst.CSTNode, scope: Scope) -> Iterator[Replacement]:
    """An argument off by one: `cls(major, minor)` -> `cls(major, minor + 1)`, `f(n - 1)` ->
    `f(n)`; for a name, an attribute or a sum or difference with a constant passed to a call
    (a recursion's step, a constructor's incremented field). Literals are integer-constant's."""
    if not isinstance(node, cst.Call):
        return
    for index, arg in enumerate(node.args):
        value = arg.value
        if arg.star or not _may_be_number(value):
            continue
        for shifted in _shifted_variants(value):
            args = [*node.args[:index], arg.with_changes(value=shifted), *node.args[index + 1:]]
            replacement = node.with_changes(args=args)
            yield replacement, f"`{code(node)}` -> `{code(replacement)}`"


def interpolated_shift(node: cst.CSTNode, scope: Scope) -> Iterator[Replacement]:
    """A number an f-string interpolates off by one: `f"bytes {start}-{end}/{size}"` ->
    `f"bytes {start}-{end - 1}/{size}"` (a name, an attribute or one ± a constant, shown as
    it is: no `!r` or `!s`)."""
    if not isinstance(node, cst.FormattedString):
        return
    for index, part in enumerate(node.parts):
        if (not isinstance(part, cst.FormattedStringExpression) or part.conversion is not None
                or not _may_be_number(part.expression)):
            continue
        for value in _shifted_variants(part.expression):
            parts = [*node.parts[:index], part.with_changes(expression=value), *node.parts[index + 1:]]
            replacement = node.with_changes(parts=parts)
            yield replacement, f"`{code(node)}` -> `{code(replacement)}`"


def _may_be_number(expr: cst.BaseExpression) -> bool:
    if isinstance(expr, cst.Name):
        return expr.value not in ("True", "False", "None", "self", "cls")
    if isinstance(expr, cst.BinaryOperation):
        return isinstance(expr.right, cst.Integer) and isinstance(expr.operator, cst.Add | cst.Subtract)
    return isinstance(expr, cst.Attribute)


def boolean_operator(node: cst.CSTNode, scope: Scope) -> Iterator[Replacement]:
    if isinstance(node, cst.BooleanOperation):
        new_op = _like(cst.Or if isinstance(node.operator, cst.And) else cst.And, node.operator)
        replacement = node.with_changes(operator=new_op)
        yield replacement, f"`{code(node)}` -> `{code(replacement)}`"


_NEEDS_GROUPING = (cst.BooleanOperation, cst.IfExp, cst.Lambda, cst.NamedExpr)


def _ungrouped(expr: cst.BaseExpression) -> cst.BaseExpression:
    """`expr` without the parentheses around it, as a person (or a formatter) would write it
    where nothing binds it: they grouped it only for the `not` an edit removed. Kept when they
    span lines (they carry the continuation)."""
    if expr.lpar and "\n" not in code(expr):
        return expr.with_changes(lpar=[], rpar=[])
    return expr


# Operators whose negation Python spells as an operator, as people write it: `a is not b`, never
# `not a is b`. Orderings keep their `not` (`not a < b` is not `a >= b` for sets or NaN).
_NEGATED_OPERATOR: dict[type[cst.BaseCompOp], type[cst.BaseCompOp]] = {
    cst.Is: cst.IsNot, cst.IsNot: cst.Is, cst.In: cst.NotIn, cst.NotIn: cst.In,
    cst.Equal: cst.NotEqual, cst.NotEqual: cst.Equal,
}


def _negated(test: cst.BaseExpression) -> cst.BaseExpression:
    """The negation of a statement's whole condition: `not c`, or `c` for `not c` (never
    `not not c`, nor `(a or b)` for `not (a or b)`), and `a is not b` for `a is b`."""
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        return _ungrouped(test.expression)
    if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
        target = test.comparisons[0]
        negated = _NEGATED_OPERATOR.get(type(target.operator))
        if negated is not None:
            return test.with_changes(comparisons=[target.with_changes(operator=negated())])
    return cst.UnaryOperation(operator=cst.Not(), expression=_grouped(test))


def negate_condition(node: cst.CSTNode, scope: Scope) -> Iterator[Replacement]:
    """`if c:` -> `if not c:` (and back), also for `while` and the value of a `return`; a
    conditional expression swaps its branches instead (`b if c else a`, as one would write it)."""
    if isinstance(node, cst.If | cst.While):
        new_test = _negated(node.test)
        yield node.with_changes(test=new_test), f"`{code(node.test)}` -> `{code(new_test)}`"
    elif isinstance(node, cst.IfExp):
        swapped = node.with_changes(body=node.orelse, orelse=node.body)
        yield swapped, f"`{code(node)}` -> `{code(swapped)}`"
    elif isinstance(node, cst.Return) and node.value is not None:
        value = _negated(node.value)
        yield node.with_changes(value=value), f"`{code(node)}` -> `return {code(value)}`"


def drop_not(node: cst.CSTNode, scope: Scope) -> Iterator[Replacement]:
    """`not x` -> `x` wherever it stands; an operand that binds tighter than `not` (a name, a
    call, a comparison) loses the parentheses it needed only under `not`."""
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Not):
        operand = node.expression
        if not isinstance(operand, _NEEDS_GROUPING):
            operand = _ungrouped(operand)
        yield operand, f"`{code(node)}` -> `{code(operand)}`"


def _similar(name: str, pool: Iterable[str], limit: int = 6) -> list[str]:
    """Other names from `pool`, most similar to `name` first."""
    others = [n for n in dict.fromkeys(pool) if n != name and n not in ("self", "cls")]
    others.sort(key=lambda n: -difflib.SequenceMatcher(None, name, n).ratio())
    return others[:limit]


def _nearby(name: str, scope: Scope, limit: int = 6) -> list[str]:
    """Other locals, those used or bound closest to the mutated line first (a wrong variable is
    usually one in play right there), then the most similar; names that first appear at or after
    the line (usually not bound yet when it runs) come last."""
    def order(other: str) -> tuple[bool, int]:
        lines = scope.near.get(other, ())
        later = min(lines, default=1 << 30) >= scope.line
        return later, min((abs(line - scope.line) for line in lines), default=1 << 30)

    return sorted(_similar(name, scope.names, limit=len(scope.names)), key=order)[:limit]


def name_replacement(node: cst.CSTNode, scope: Scope) -> Iterator[Replacement]:
    """A local name read here replaced by another local, nearest and most similar first."""
    if not isinstance(node, cst.Name) or node.value not in scope.names:
        return
    for other in _nearby(node.value, scope):
        yield node.with_changes(value=other), f"`{node.value}` -> `{other}`"


def assignment_operator(node: cst.CSTNode, scope: Scope) -> Iterator[Replacement]:
    """`x = v` <-> `x += v` / `x -= v`."""
    replacement: cst.CSTNode
    if isinstance(node, cst.Assign) and len(node.targets) == 1:
        target = node.targets[0].target
        if isinstance(target, cst.Name | cst.Attribute | cst.Subscript):
            for op in (cst.AddAssign, cst.SubtractAssign):
                replacement = cst.AugAssign(target=target, operator=op(), value=node.value)
                yield replacement, f"`{code(node)}` -> `{code(replacement)}`"
    elif isinstance(node, cst.AugAssign):
        replacement = cst.Assign(targets=[cst.AssignTarget(node.target)], value=node.value)
        yield replacement, f"`{code(node)}` -> `{code(replacement)}`"


_NON_COMMUTATIVE = (cst.Subtract, cst.Divide, cst.FloorDivide, cst.Modulo, cst.Power)


def swap_operands(node: cst.CSTNode, scope: Scope) -> Iterator[Replacement]:
    """`a - b` -> `b - a` for non-commutative operators; swap two positional call arguments, or
    two neighbouring elements of a list or tuple (`[value, data]` -> `[data, value]`)."""
    replacement: cst.CSTNode
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, _NON_COMMUTATIVE):
        replacement = node.with_changes(left=node.right, right=node.left)
        yield replacement, f"`{code(node)}` -> `{code(replacement)}`"
    elif isinstance(node, cst.Call):
        positional = [i for i, a in enumerate(node.args[:4]) if is_positional(a)]
        yield from _neighbours_swapped(node, "args", positional)
    elif isinstance(node, cst.List | cst.Tuple):
        plain = [i for i, e in enumerate(node.elements[:4]) if isinstance(e, cst.Element)]
        yield from _neighbours_swapped(node, "elements", plain)


def swap_callees(node: cst.CSTNode, scope: Scope) -> Iterator[Replacement]:
    """`f(g(x))` -> `g(f(x))`: two functions composed in the wrong order."""
    if not isinstance(node, cst.Call) or len(node.args) != 1 or not is_positional(node.args[0]):
        return
    inner = node.args[0].value
    if isinstance(inner, cst.Call) and code(inner.func) != code(node.func):
        swapped = node.with_changes(func=inner.func, args=[
            node.args[0].with_changes(value=inner.with_changes(func=node.func))])
        yield swapped, f"`{code(node)}` -> `{code(swapped)}`"


def _neighbours_swapped(node: cst.CSTNode, field: str, indexes: list[int]) -> Iterator[Replacement]:
    """`node` with the values of each two neighbours of `indexes` in its `field` (call arguments,
    display elements) swapped, their commas and spacing kept in place."""
    items = getattr(node, field)
    for i, j in itertools.pairwise(indexes):
        swapped = list(items)
        swapped[i] = items[i].with_changes(value=items[j].value)
        swapped[j] = items[j].with_changes(value=items[i].value)
        replacement = node.with_changes(**{field: swapped})
        yield replacement, f"`{code(node)}` -> `{code(replacement)}`"


def drop_argument(node: cst.CSTNode, scope: Scope) -> Iterator[Replacement]:
    """`f(a, b, key=c)` -> `f(a, key=c)`, ...: an argument passed that the callee should not get
    (TBar's "mutate method invocation"); the last ones first, as defaults usually come last."""
    if not isinstance(node, cst.Call) or not node.args:
        return
    for index in reversed(range(len(node.args))):
        if node.args[index].star:
            continue
        args = [a for i, a in enumerate(node.args) if i != index]
        if args:
            args[-1] = args[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        replacement = node.with_changes(args=args)
        yield replacement, f"`{code(node)}` -> `{code(replacement)}`"


def sibling_attribute(node: cst.CSTNode, scope: Scope) -> Iterator[Replacement]:
    """`obj.a` -> `obj.b`, where `b` is another attribute the module uses on `obj` (on `self`:
    in the same class), or one of a class that has `a` too: `obj` is likely one of those. On the
    operator module, the operator templates' alternatives first (`operator.lt` -> `operator.le`)."""
    if not isinstance(node, cst.Attribute):
        return
    receiver = code(node.value)
    siblings = list(scope.attributes.get(receiver, ()))
    if receiver not in ("self", "cls"):
        siblings += [n for names in scope.classes if node.attr.value in names for n in names]
    relatives = OPERATOR_RELATIVES.get(node.attr.value, ()) if receiver == "operator" else ()
    for other in dict.fromkeys([*relatives, *_similar(node.attr.value, siblings)]):
        replacement = node.with_changes(attr=cst.Name(other))
        yield replacement, f"`{code(node)}` -> `{code(replacement)}`"


def sibling_sum(node: cst.CSTNode, scope: Scope) -> Iterator[Replacement]:
    """`[n.body]` -> `[n.body + n.orelse]`: a list's element that should be joined by a sibling,
    another attribute the module uses on the same object (a part of a collection left out)."""
    if not isinstance(node, cst.List):
        return
    for index, element in enumerate(node.elements):
        value = element.value
        if not isinstance(element, cst.Element) or not isinstance(value, cst.Attribute):
            continue
        siblings = scope.attributes.get(code(value.value), ())
        for other in _similar(value.attr.value, siblings, limit=4):
            elements = list(node.elements)
            joined = cst.BinaryOperation(left=value, operator=cst.Add(),
                                         right=value.with_changes(attr=cst.Name(other)))
            elements[index] = element.with_changes(value=joined)
            replacement = node.with_changes(elements=elements)
            yield replacement, f"`{code(node)}` -> `{code(replacement)}`"


_RELATIVE_GROUPS = (
    ("min", "max"), ("any", "all"), ("append", "extend"), ("lstrip", "rstrip", "strip"),
    ("floor", "ceil"), ("keys", "values", "items"), ("startswith", "endswith"),
    ("upper", "lower"), ("find", "rfind"), ("index", "rindex"), ("split", "rsplit"),
    ("bisect_left", "bisect_right"), ("append", "appendleft"), ("pop", "popleft"),
    ("remove", "discard"), ("isdigit", "isalpha", "isalnum"), ("sum", "len"), ("int", "round"),
)
RELATIVES: dict[str, tuple[str, ...]] = {}
for _group in _RELATIVE_GROUPS:
    for _name in _group:
        RELATIVES[_name] = (*RELATIVES.get(_name, ()), *(n for n in _group if n != _name))


def relative_function(node: cst.CSTNode, scope: Scope) -> Iterator[Replacement]:
    """A called function or method replaced by a close relative (`min` <-> `max`, ...);
    `xs.sort()` <-> `sorted(xs)`; `xs.append(x)` <-> `xs.insert(0, x)` (the end or the front);
    `hasattr(o, n)` <-> `getattr(o, n, None)` (an attribute that is there, or one that is there
    and set)."""
    if not isinstance(node, cst.Call):
        return
    func = node.func
    target = func.attr if isinstance(func, cst.Attribute) else func
    if isinstance(target, cst.Name):
        for other in RELATIVES.get(target.value, ()):
            new_func = (func.with_changes(attr=cst.Name(other)) if isinstance(func, cst.Attribute)
                        else cst.Name(other))
            replacement = node.with_changes(func=new_func)
            yield replacement, f"`{code(node)}` -> `{code(replacement)}`"
    if isinstance(func, cst.Attribute) and func.attr.value == "sort" and not node.args:
        sorted_call = cst.Call(func=cst.Name("sorted"), args=[cst.Arg(func.value)])
        yield sorted_call, f"`{code(node)}` -> `{code(sorted_call)}`"
    elif isinstance(func, cst.Attribute) and all(map(is_positional, node.args)) and (
            end_or_front := _end_or_front(node, func)) is not None:
        yield end_or_front, f"`{code(node)}` -> `{code(end_or_front)}`"
    elif isinstance(func, cst.Name) and func.value == "sorted" and len(node.args) == 1:
        in_place = cst.Call(func=cst.Attribute(value=node.args[0].value, attr=cst.Name("sort")))
        yield in_place, f"`{code(node)}` -> `{code(in_place)}`"
    elif isinstance(func, cst.Name) and len(node.args) in (2, 3) and all(map(is_positional, node.args)):
        presence = _presence_twin(node, func.value)
        if presence is not None:
            yield presence, f"`{code(node)}` -> `{code(presence)}`"


CODECS = ("utf-8", "latin-1", "ascii", "utf-16")  # the text encodings code names most


def codec_name(node: cst.CSTNode, scope: Scope) -> Iterator[Replacement]:
    """`s.encode("utf-8")` -> `s.encode("latin-1")`: the codec an `encode` or `decode` call or
    an `encoding=` argument names, replaced by another that code names most (mojibake, a
    `UnicodeEncodeError`): no string of the module need hold the right one."""
    if not isinstance(node, cst.Call):
        return
    named = [arg for arg in node.args if arg.keyword is not None and arg.keyword.value == "encoding"]
    if (not named and isinstance(node.func, cst.Attribute)
            and node.func.attr.value in ("encode", "decode") and node.args and node.args[0].keyword is None):
        named = [node.args[0]]
    for arg in named:
        literal = arg.value
        if not isinstance(literal, cst.SimpleString) or (current := _codec(literal.evaluated_value)) is None:
            continue
        for other in CODECS:
            if _codec(other) != current:
                new = retyped(literal, other)
                replacement = node.with_changes(args=[a.with_changes(value=new) if a is arg else a
                                                      for a in node.args])
                yield replacement, f"`{literal.value}` -> `{new.value}`"


def _codec(name: object) -> str | None:
    """The codec's own name for `name` ("latin1" and "iso-8859-1" are one), or None."""
    try:
        return codecs.lookup(name).name if isinstance(name, str) else None
    except LookupError:
        return None


def _end_or_front(node: cst.Call, func: cst.Attribute) -> cst.Call | None:
    """`xs.append(x)` -> `xs.insert(0, x)`, and `xs.insert(0, x)` -> `xs.append(x)`."""
    if func.attr.value == "append" and len(node.args) == 1:
        return node.with_changes(func=func.with_changes(attr=cst.Name("insert")),
                                 args=[cst.Arg(cst.Integer("0"), comma=cst.Comma(
                                     whitespace_after=cst.SimpleWhitespace(" "))), node.args[0]])
    if (func.attr.value == "insert" and len(node.args) == 2
            and isinstance(node.args[0].value, cst.Integer) and node.args[0].value.value == "0"):
        return node.with_changes(func=func.with_changes(attr=cst.Name("append")),
                                 args=[node.args[1].with_changes(comma=cst.MaybeSentinel.DEFAULT)])
    return None


def _presence_twin(node: cst.Call, name: str) -> cst.Call | None:
    """`hasattr(o, n)` -> `getattr(o, n, None)`, and `getattr(o, n, None)` -> `hasattr(o, n)`."""
    obj, attr = node.args[0].with_changes(comma=cst.MaybeSentinel.DEFAULT), node.args[1]
    if name == "hasattr" and len(node.args) == 2:
        return node.with_changes(func=cst.Name("getattr"), args=[
            obj, attr.with_changes(comma=cst.MaybeSentinel.DEFAULT), cst.Arg(cst.Name("None"))])
    if name == "getattr" and len(node.args) == 3 and code(node.args[2].value) == "None":
        return node.with_changes(func=cst.Name("hasattr"), args=[
            obj, attr.with_changes(comma=cst.MaybeSentinel.DEFAULT)])
    return None


def constant_value(node: cst.CSTNode, scope: Scope) -> Iterator[Replacement]:
    """`[]` <-> `[[]]`, `0` <-> `None`, `True` <-> `False`."""
    replacements: list[cst.BaseExpression] = []
    if isinstance(node, cst.List) and not node.elements:
        replacements.append(cst.List([cst.Element(cst.List([]))]))
    elif isinstance(node, cst.List) and len(node.elements) == 1 and code(node.elements[0].value) == "[]":
        replacements.append(cst.List([]))
    elif isinstance(node, cst.Integer) and node.value == "0":
        replacements.append(cst.Name("None"))
    elif isinstance(node, cst.Name) and node.value in ("None", "True", "False"):
        other = {"None": "0", "True": "False", "False": "True"}[node.value]
        replacements.append(cst.Integer("0") if other == "0" else cst.Name(other))
    for replacement in replacements:
        yield replacement, f"`{code(node)}` -> `{code(replacement)}`"


def return_value(node: cst.CSTNode, scope: Scope) -> Iterator[Replacement]:
    """`return x` -> `return y` for another local, or a value returned elsewhere."""
    if not isinstance(node, cst.Return) or node.value is None:
        return
    current = code(node.value)
    values: list[cst.BaseExpression] = [cst.Name(n) for n in _nearby(current, scope)]
    values += [v for v in scope.returns if code(v) != current]
    for value in values[:8]:
        replacement = node.with_changes(value=value)
        yield replacement, f"`{code(node)}` -> `{code(replacement)}`"


def _grouped(expr: cst.BaseExpression) -> cst.BaseExpression:
    """`expr` in parentheses when an operator around it would otherwise bind part of it."""
    if isinstance(expr, _NEEDS_GROUPING) and not expr.lpar:
        return expr.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
    return expr


def _clauses(scope: Scope, test: cst.BaseExpression) -> Iterator[tuple[str, cst.BaseExpression]]:
    """Conjuncts and disjuncts built from in-scope names: names the test uses first, then those
    in play nearest the line (`item`, set just above, before a parameter named far up)."""
    used = [n for n in scope.names
            if n not in ("self", "cls") and re.search(rf"\b{re.escape(n)}\b", code(test))]
    for name in [*used, *(n for n in _nearby("", scope, len(scope.names)) if n not in used)][:4]:
        yield "or", cst.parse_expression(f"not {name}")
        yield "and", cst.Name(name)
        yield "or", cst.parse_expression(f"{name} is None")
    for index, sequence in scope.indexed[:3]:
        yield "and", cst.parse_expression(f"{index} < len({sequence})")


def drop_operand(node: cst.CSTNode, scope: Scope) -> Iterator[Replacement]:
    """`a and b` -> `a` / `b`: a condition that tests one thing too many (or too few, for `or`);
    on a chain `a and b and c`, the last operand first, then the chain before it."""
    if isinstance(node, cst.BooleanOperation):
        for part in (node.left, node.right):
            yield part, f"`{code(node)}` -> `{code(part)}`"


def condition_clause(node: cst.CSTNode, scope: Scope) -> Iterator[Replacement]:
    """Widen or narrow a condition: `c` -> `c or not xs`, `c and i < len(a)`."""
    if not isinstance(node, cst.If | cst.While | cst.IfExp):
        return
    for operator, clause in _clauses(scope, node.test):
        op = cst.Or() if operator == "or" else cst.And()
        # `a and b` and `c` is `a and b and c`: the chain goes on, as a person would write it
        chained = isinstance(node.test, cst.BooleanOperation) and type(node.test.operator) is type(op)
        left = node.test if chained else _grouped(node.test)
        test = cst.BooleanOperation(left=left, operator=op, right=clause)
        yield node.with_changes(test=test), f"`{code(node.test)}` -> `{code(test)}`"


WRAPPERS = ("abs", "len", "int", "str", "sorted", "list")
CONVERSIONS = ("int", "str", "float", "list", "tuple", "set", "bool", "sorted")


def wrap_call(node: cst.CSTNode, scope: Scope) -> Iterator[Replacement]:
    """`x` -> `abs(x)` / `len(x)` / `int(x)` / `str(x)` / `sorted(x)` / `list(x)`, and a
    conversion taken off: `str(x)` -> `x` (the value was wanted as it was)."""
    if not isinstance(node, cst.Name | cst.Call | cst.Attribute | cst.Subscript | cst.BinaryOperation):
        return
    if isinstance(node, cst.Name) and node.value not in scope.names:
        return
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Name):
        argument = sole_argument(node)
        if node.func.value in CONVERSIONS and argument is not None:
            yield argument.value, f"`{code(node)}` -> `{code(argument.value)}`"
        if node.func.value in WRAPPERS:
            return
    text = code(node)  # rendered once: six wrappers, and most nodes on a line get them
    for wrapper in WRAPPERS:
        yield cst.Call(func=cst.Name(wrapper), args=[cst.Arg(node)]), f"`{text}` -> `{wrapper}({text})`"


def is_positional(arg: cst.Arg) -> bool:
    """A plain positional argument: no keyword, no `*` or `**`."""
    return arg.keyword is None and not arg.star


def sole_argument(call: cst.Call) -> cst.Arg | None:
    """The call's argument when it has exactly one, positional."""
    return call.args[0] if len(call.args) == 1 and is_positional(call.args[0]) else None


MAX_HELPERS = 3


def helper_call(node: cst.CSTNode, scope: Scope) -> Iterator[Replacement]:
    """`key` -> `self._build_name(key)`: a local passed through a one-argument function or method
    the function calls elsewhere (a name normalized, a value converted, in one place but not
    another); the first MAX_HELPERS it calls, in order."""
    if not isinstance(node, cst.Name) or node.value not in scope.names or node.value in ("self", "cls"):
        return
    for helper in scope.helpers[:MAX_HELPERS]:
        if helper != node.value:
            yield (cst.Call(func=cst.parse_expression(helper), args=[cst.Arg(node)]),
                   f"`{node.value}` -> `{helper}({node.value})`")


def concat_value(node: cst.CSTNode, scope: Scope) -> Iterator[Replacement]:
    """A term or piece left out: `a + b` -> `x + a + b` / `a + b + x`, and `return v` ->
    `return x + v` / `return v + x`, for an in-scope name `x`, those in play nearest first."""
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
        value: cst.BaseExpression = node
    elif isinstance(node, cst.Return) and node.value is not None and not _is_sum(node.value):
        value = node.value  # a returned sum is extended as the sum itself
    else:
        return
    for name in _nearby("", scope, limit=5):
        for total in (
            cst.BinaryOperation(left=cst.Name(name), operator=cst.Add(), right=value),
            cst.BinaryOperation(left=value, operator=cst.Add(), right=cst.Name(name)),
        ):
            replacement = node.with_changes(value=total) if isinstance(node, cst.Return) else total
            yield replacement, f"`{code(node)}` -> `{code(replacement)}`"


def _last_argument(call: cst.Call) -> cst.Arg | None:
    last = call.args[-1] if call.args else None
    return last if last is not None and is_positional(last) else None


def _hoisted(call: cst.Call) -> cst.BinaryOperation | None:
    """`f(g(a * b))` -> `f(g(a)) * b`: the operation in the last argument (through nested calls'
    last arguments) applied to the call's result instead."""
    last = _last_argument(call)
    if last is None:
        return None
    value = last.value
    inner = value if isinstance(value, cst.BinaryOperation) else (
        _hoisted(value) if isinstance(value, cst.Call) else None)
    if inner is None:
        return None
    args = [*call.args[:-1], last.with_changes(value=inner.left)]
    return inner.with_changes(left=call.with_changes(args=args), lpar=[], rpar=[])


def misplaced_parenthesis(node: cst.CSTNode, scope: Scope) -> Iterator[Replacement]:
    """A closing parenthesis in the wrong place: `f(a * b)` -> `f(a) * b` (through nested calls,
    `tuple(map(tuple, xs * n))` -> `tuple(map(tuple, xs)) * n`), and `f(a) - 1` -> `f(a - 1)`."""
    replacement: cst.BaseExpression | None = None
    if isinstance(node, cst.Call):
        replacement = _hoisted(node)
    elif isinstance(node, cst.BinaryOperation) and isinstance(node.left, cst.Call) and not node.left.lpar:
        call = node.left
        last = _last_argument(call)
        if last is not None:
            inner = node.with_changes(left=last.value, lpar=[], rpar=[])
            replacement = call.with_changes(args=[*call.args[:-1], last.with_changes(value=inner)],
                                            lpar=node.lpar, rpar=node.rpar)
    if replacement is not None:
        yield replacement, f"`{code(node)}` -> `{code(replacement)}`"


def negate_clause(node: cst.CSTNode, scope: Scope) -> Iterator[Replacement]:
    """`a and b` -> `not a and b` / `a and not b`: one operand of a condition negated (a chain's
    inner operands are the inner operation's own)."""
    if not isinstance(node, cst.BooleanOperation):
        return
    for side in ("left", "right"):
        operand = getattr(node, side)
        if (isinstance(operand, cst.UnaryOperation) and isinstance(operand.operator, cst.Not)) or (
                side == "left" and isinstance(operand, cst.BooleanOperation)
                and type(operand.operator) is type(node.operator) and not operand.lpar):
            continue
        replacement = node.with_changes(**{side: _negated(operand)})
        yield replacement, f"`{code(node)}` -> `{code(replacement)}`"


def own_class(node: cst.CSTNode, scope: Scope) -> Iterator[Replacement]:
    """`Version` -> `type(self)` (`cls` in a class method) inside Version's own methods, or a
    function whose `self` is declared a Version: a subclass should get its own class, not its
    parent (TBar's "mutate class instance creation")."""
    if isinstance(node, cst.Name) and scope.own_class and node.value == scope.own_class:
        receiver = "cls" if "cls" in scope.names else "self" if "self" in scope.names else None
        if receiver is not None:
            replacement = cst.parse_expression("cls" if receiver == "cls" else "type(self)")
            yield replacement, f"`{node.value}` -> `{code(replacement)}`"


def if_while(node: cst.CSTNode, scope: Scope) -> Iterator[Replacement]:
    """`if c:` <-> `while c:` (neither with an `else`): a step done once that should repeat
    until `c` fails, or a loop that should run at most once."""
    if isinstance(node, cst.If) and node.orelse is None:
        loop = cst.While(test=node.test, body=node.body, leading_lines=node.leading_lines,
                         whitespace_after_while=node.whitespace_before_test,
                         whitespace_before_colon=node.whitespace_after_test)
        yield loop, f"`if {code(node.test)}:` -> `while {code(node.test)}:`"
    elif isinstance(node, cst.While) and node.orelse is None:
        once = cst.If(test=node.test, body=node.body, leading_lines=node.leading_lines,
                      whitespace_before_test=node.whitespace_after_while,
                      whitespace_after_test=node.whitespace_before_colon)
        yield once, f"`while {code(node.test)}:` -> `if {code(node.test)}:`"


def _is_sum(expr: cst.BaseExpression) -> bool:
    return isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Add)


# Every expression template; on equal scores, one node's candidates come in this order.
TEMPLATES: tuple[tuple[str, Template], ...] = (
    ("comparison-operator", comparison_operator),
    ("bound-shift", bound_shift),
    ("window-shift", window_shift),
    ("value-shift", value_shift),
    ("argument-shift", argument_shift),
    ("interpolated-shift", interpolated_shift),
    ("arithmetic-operator", arithmetic_operator),
    ("boolean-operator", boolean_operator),
    ("integer-constant", integer_constant),
    ("magnitude", magnitude),
    ("negate-condition", negate_condition),
    ("drop-not", drop_not),
    ("relative-function", relative_function),
    ("codec-name", codec_name),
    ("constant-value", constant_value),
    ("assignment-operator", assignment_operator),
    ("swap-operands", swap_operands),
    ("swap-callees", swap_callees),
    ("drop-argument", drop_argument),
    ("name-replacement", name_replacement),
    ("sibling-attribute", sibling_attribute),
    ("sibling-sum", sibling_sum),
    ("return-value", return_value),
    ("condition-clause", condition_clause),
    ("drop-operand", drop_operand),
    ("wrap-call", wrap_call),
    ("concat-value", concat_value),
    ("misplaced-parenthesis", misplaced_parenthesis),
    ("negate-clause", negate_clause),
    ("own-class", own_class),
    ("helper-call", helper_call),
    ("if-while", if_while),
)
