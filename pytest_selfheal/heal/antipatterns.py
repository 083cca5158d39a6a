"""Repair anti-patterns: edits that make failing tests pass by removing behaviour, not fixing it.

Tests pass for a patch that deletes the check they trip on as readily as for the fix. Tan et al.
("Anti-patterns in search-based program repair", FSE 2016) list the shapes such patches take; a
plausible patch of one of these shapes is rarely the developer's fix, so ranking puts it below
one that matches none. Beside theirs come the shapes plausible-but-wrong patches took on real
bugs: a constant returned instead of a computation, a term of a computation dropped, an update
made to do nothing or overwritten at once, a value tested against itself, a condition the
function writes twice changed at one place only. Each shape is found by comparing the patched
functions before and after, never by the template that made the patch, so a patch from any
agent is judged the same way; each is named as a phrase for the report ("deletes a return").
"""

from __future__ import annotations

import ast
import itertools
from collections import Counter
from collections.abc import Callable, Iterator

from ..models import Candidate

_EXITS = {ast.Return: "a return", ast.Raise: "a raise", ast.Break: "a break",
          ast.Continue: "a continue"}
_CONTROL = {ast.If: "an if statement", ast.For: "a for loop", ast.AsyncFor: "a for loop",
            ast.While: "a while loop", ast.Try: "a try statement", ast.With: "a with statement",
            ast.Match: "a match statement"}
_Scope = ast.AST  # a function, or the module for code outside functions


def antipatterns(candidate: Candidate) -> tuple[str, ...]:
    """What the candidate does that repairs rarely should, e.g. ("deletes a return",); empty
    when it matches no anti-pattern or a file does not parse."""
    found: list[str] = []
    for before_text, after_text in candidate.file_changes.values():
        try:
            before, after = ast.parse(before_text), ast.parse(after_text)
        except (SyntaxError, ValueError):
            continue
        for old, new in _changed_scopes(before, after):
            found += [phrase for check in _CHECKS for phrase in check(old, new)]
    return tuple(dict.fromkeys(found))


def _changed_scopes(before: ast.Module, after: ast.Module) -> Iterator[tuple[_Scope, _Scope]]:
    """(before, after) of each function whose code changed, matched by qualified name, and of the
    module's own statements; a function added or removed whole is left out."""
    old, new = _scopes(before), _scopes(after)
    for name in sorted(old.keys() & new.keys()):
        if ast.dump(old[name]) != ast.dump(new[name]):
            yield old[name], new[name]


def _scopes(module: ast.Module) -> dict[str, _Scope]:
    scopes: dict[str, _Scope] = {"": ast.Module(body=[s for s in module.body if not _is_def(s)],
                                                type_ignores=[])}

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if _is_def(child):
                assert isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
                name = f"{prefix}{child.name}"
                if not isinstance(child, ast.ClassDef):
                    scopes[name] = child
                visit(child, f"{name}.")
            elif not isinstance(child, ast.expr):
                visit(child, prefix)

    visit(module, "")
    return scopes


def _is_def(node: ast.AST) -> bool:
    return isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)


def _own_nodes(scope: _Scope) -> Iterator[ast.AST]:
    """The nodes of a scope, not of the functions or classes defined inside it."""
    for child in ast.iter_child_nodes(scope):
        if not _is_def(child):
            yield child
            yield from _own_nodes(child)


def _kinds(scope: _Scope, names: dict[type[ast.AST], str]) -> Counter[str]:
    return Counter(names[type(n)] for n in _own_nodes(scope) if type(n) in names)


def _deleted_exit(before: _Scope, after: _Scope) -> Iterator[str]:
    """A1: an exit of the control flow (return, raise, break, continue) is gone."""
    for kind in _kinds(before, _EXITS) - _kinds(after, _EXITS):
        yield f"deletes {kind}"


def _deleted_control(before: _Scope, after: _Scope) -> Iterator[str]:
    """A2/A3: a branch or loop is gone, with whatever it guarded."""
    for kind in _kinds(before, _CONTROL) - _kinds(after, _CONTROL):
        yield f"deletes {kind}"


def _early_exits(scope: _Scope) -> Counter[str]:
    """Exits followed by more statements in their block: the statements after never run."""
    return Counter(ast.dump(s) for block in _blocks(scope) for s in block[:-1] if type(s) in _EXITS)


def _blocks(scope: _Scope) -> Iterator[list[ast.stmt]]:
    """The statement lists of the scope: its body, and those of the statements in it."""
    for node in (scope, *_own_nodes(scope)):
        for field in ("body", "orelse", "finalbody"):
            block = getattr(node, field, None)
            if isinstance(block, list) and block and isinstance(block[0], ast.stmt):
                yield block


def _appended_early_exit(before: _Scope, after: _Scope) -> Iterator[str]:
    """A4: an unconditional exit inserted before other statements, which it makes dead code."""
    if _early_exits(after) - _early_exits(before):
        yield "adds an early exit that skips the statements after it"


def _constant_tests(scope: _Scope) -> Counter[str]:
    return Counter(ast.dump(n.test) for n in _own_nodes(scope)
                   if isinstance(n, ast.If | ast.While | ast.IfExp | ast.Assert)
                   and _is_constant(n.test))


def _is_constant(expr: ast.expr) -> bool:
    """An expression whose truth is fixed: a literal, `not` a literal, `x or True`, `x and False`,
    and a number's text (`str(n % 2)`, `repr(x)`), which is never empty."""
    if isinstance(expr, ast.Constant):
        return True
    if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name) and len(expr.args) == 1:
        return expr.func.id == "repr" or (expr.func.id == "str" and _is_number(expr.args[0]))
    if isinstance(expr, ast.UnaryOp) and isinstance(expr.op, ast.Not):
        return _is_constant(expr.operand)
    if isinstance(expr, ast.BoolOp):
        absorbing = isinstance(expr.op, ast.Or)
        return any(isinstance(v, ast.Constant) and bool(v.value) is absorbing for v in expr.values)
    return False


_NUMBER_CALLS = frozenset({"len", "int", "float", "abs", "round", "bool"})


def _is_number(expr: ast.expr) -> bool:
    """An expression that is a number or a truth value whatever its operands hold: a comparison,
    a `not`, `len(...)`, arithmetic on such a value (`len(xs) % 2`)."""
    if isinstance(expr, ast.Constant):
        return isinstance(expr.value, int | float | complex)
    if isinstance(expr, ast.Compare):
        return True
    if isinstance(expr, ast.UnaryOp):
        return isinstance(expr.op, ast.Not) or _is_number(expr.operand)
    if isinstance(expr, ast.Call):
        return isinstance(expr.func, ast.Name) and expr.func.id in _NUMBER_CALLS
    if isinstance(expr, ast.BinOp):  # `"%d" % n` is text: the left operand decides a `%`
        return _is_number(expr.left) or (not isinstance(expr.op, ast.Mod | ast.Add)
                                         and _is_number(expr.right))
    return False


def _trivial_condition(before: _Scope, after: _Scope) -> Iterator[str]:
    """A5: a branch or loop condition made constant (`if True:`, `while False:`)."""
    if _constant_tests(after) - _constant_tests(before):
        yield "makes a condition constant"


def _counter_updates(scope: _Scope) -> Counter[str]:
    """How many statements inside while loops assign each name their loop's condition reads
    (by name: a changed update, `i += 2` -> `i += 1`, is still one)."""
    found: Counter[str] = Counter()
    for loop in (n for n in _own_nodes(scope) if isinstance(n, ast.While)):
        read = {n.id for n in ast.walk(loop.test) if isinstance(n, ast.Name)}
        for node in ast.walk(loop):
            if isinstance(node, ast.stmt):
                found.update(_assigned(node) & read)
    return found


def _deleted_counter_update(before: _Scope, after: _Scope) -> Iterator[str]:
    """A6: the update of a variable a while loop's condition reads is gone."""
    if _counter_updates(before) - _counter_updates(after):
        yield "deletes the update of a loop's counter"


def _no_op_updates(scope: _Scope) -> Counter[str]:
    """Updates that change nothing: `x += 0`, `x -= 0`, `x *= 1`, `x /= 1`."""
    neutral = {ast.Add: 0, ast.Sub: 0, ast.Mult: 1, ast.Div: 1, ast.FloorDiv: 1}
    return Counter(ast.dump(n) for n in _own_nodes(scope)
                   if isinstance(n, ast.AugAssign) and type(n.op) in neutral
                   and isinstance(n.value, ast.Constant) and type(n.value.value) is int
                   and n.value.value == neutral[type(n.op)])


def _neutralized_update(before: _Scope, after: _Scope) -> Iterator[str]:
    """An update made to do nothing (`count += 1` -> `count += 0`): a deletion in effect."""
    if _no_op_updates(after) - _no_op_updates(before):
        yield "makes an update do nothing"


def _overwrites(scope: _Scope) -> Counter[str]:
    """Pairs of statements in a block where the second assigns a name the first just set,
    without reading it (`count += 1` then `count = 0`): the first one's effect is lost."""
    found: Counter[str] = Counter()
    for block in _blocks(scope):
        for first, second in itertools.pairwise(block):
            if isinstance(second, ast.Assign) and _assigned(first) & _assigned(second) and not (
                    _assigned(second) & {n.id for n in ast.walk(second.value)
                                         if isinstance(n, ast.Name)}):
                found[ast.dump(first) + ast.dump(second)] += 1
    return found


def _assigned(statement: ast.stmt) -> set[str]:
    targets = (statement.targets if isinstance(statement, ast.Assign)
               else [statement.target] if isinstance(statement, ast.AugAssign | ast.AnnAssign)
               else [])
    return {t.id for t in targets if isinstance(t, ast.Name)}


def _overwritten_update(before: _Scope, after: _Scope) -> Iterator[str]:
    """A statement whose result the patch throws away by assigning the name again at once."""
    if _overwrites(after) - _overwrites(before):
        yield "overwrites what the statement before it computed"


def _is_literal(expr: ast.expr | None) -> bool:
    return expr is None or all(isinstance(n, ast.Constant | ast.expr_context | ast.Tuple | ast.List
                                          | ast.Set | ast.Dict | ast.UnaryOp | ast.unaryop)
                               for n in ast.walk(expr))


def _values(scope: _Scope, kind: type[ast.Return] | type[ast.Assign]) -> tuple[int, int]:
    """(computed, literal) values of the scope's returns or assignments."""
    values = [n.value for n in _own_nodes(scope) if isinstance(n, kind)]
    literal = sum(_is_literal(v) for v in values)
    return len(values) - literal, literal


def _constant_for_computation(before: _Scope, after: _Scope) -> Iterator[str]:
    """A computed return value or assigned value replaced by a literal (the tests' expected one)."""
    for kind, verb in ((ast.Return, "returns"), (ast.Assign, "assigns")):
        (computed_before, literal_before), (computed_after, literal_after) = (
            _values(before, kind), _values(after, kind))
        if computed_after < computed_before and literal_after > literal_before:
            yield f"{verb} a constant instead of a computation"


def _dropped_term(before: _Scope, after: _Scope) -> Iterator[str]:
    """An arithmetic term that reads variables dropped: `a + b * c` -> `a` (a literal term is
    left out: dropping `- 1` is how an off-by-one is fixed)."""
    target = ast.dump(after)
    for parent in (before, *_own_nodes(before)):
        for field, value in ast.iter_fields(parent):
            slots = list(enumerate(value)) if isinstance(value, list) else [(None, value)]
            for index, node in slots:
                if not isinstance(node, ast.BinOp):
                    continue
                for kept, dropped in ((node.left, node.right), (node.right, node.left)):
                    if not _is_literal(dropped) and _dump_with(before, parent, field, index,
                                                               kept) == target:
                        yield "drops a term of a computation"
                        return


def _dump_with(scope: _Scope, parent: ast.AST, field: str, index: int | None,
               replacement: ast.expr) -> str:
    """ast.dump(scope) with the node at parent.field[index] (or parent.field) replaced."""
    holder = getattr(parent, field)
    original = holder[index] if index is not None else holder
    if index is not None:
        holder[index] = replacement
    else:
        setattr(parent, field, replacement)
    try:
        return ast.dump(scope)
    finally:
        if index is not None:
            holder[index] = original
        else:
            setattr(parent, field, original)


def _self_checks(scope: _Scope) -> Counter[str]:
    """Conditions that test one value twice (`a and a`) or compare it with itself (`a == a`)."""
    found: Counter[str] = Counter()
    for node in _own_nodes(scope):
        if isinstance(node, ast.BoolOp):
            operands = [ast.dump(value) for value in node.values]
            found.update(operand for operand, count in Counter(operands).items() if count > 1)
        elif isinstance(node, ast.Compare) and len(node.comparators) == 1 and (
                ast.dump(node.left) == ast.dump(node.comparators[0])):
            found[ast.dump(node)] += 1
    return found


def _redundant_check(before: _Scope, after: _Scope) -> Iterator[str]:
    """A condition made to test a value twice or against itself: the operand it replaced is
    dropped in effect, and if dropping it is the fix, the fix is to drop it."""
    if _self_checks(after) - _self_checks(before):
        yield "tests a value against itself"


def _conditions(scope: _Scope) -> Counter[str]:
    """Each `and`/`or` condition of the scope, and each run of two or more of its operands
    (`a and b` also stands inside `a and b and c`)."""
    found: Counter[str] = Counter()
    for node in _own_nodes(scope):
        if isinstance(node, ast.BoolOp):
            for start, stop in itertools.combinations(range(len(node.values) + 1), 2):
                if stop - start >= 2:
                    found[ast.dump(ast.BoolOp(op=node.op, values=node.values[start:stop]))] += 1
    return found


def _half_changed_condition(before: _Scope, after: _Scope) -> Iterator[str]:
    """A condition the function writes twice changed at one place only: the same rule written
    twice is usually wrong twice, and the tests may check only one of them."""
    old, new = _conditions(before), _conditions(after)
    if any(new[condition] for condition in old - new):
        yield "changes one of two identical conditions"


_CHECKS: tuple[Callable[[_Scope, _Scope], Iterator[str]], ...] = (
    _deleted_exit, _deleted_control, _appended_early_exit, _trivial_condition,
    _deleted_counter_update, _neutralized_update, _overwritten_update, _constant_for_computation,
    _dropped_term, _redundant_check, _half_changed_condition,
)
