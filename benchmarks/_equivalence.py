"""When a patched module counts as the developer's fix: equal ASTs after rewriting the forms that
mean the same thing in every program into one spelling.

Only rewrites that hold for any operands are made: `not a is not b` is `a is b`, `not a == b` is
`a != b` (Python defines `!=` as the negation of `==` unless a class says otherwise, which the
rewrite accepts as the fix's own assumption), `not a in b` is `a not in b`, and `not not x` is
`x` where only its truth is used (a condition); a conditional expression's negative test is made
positive with its branches swapped. `not a < b` is left alone: it is not `a >= b` for
sets or NaN; nor is `a == b` made `b == a`, which calls another method first. Docstrings are
left out: they document the code, and a developer's commit often rewrites one beside the fix
(humanize-ba532d9 renames, in its docstring, the exception the fix raises instead).
"""

from __future__ import annotations

import ast

_NEGATED: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Is: ast.IsNot, ast.IsNot: ast.Is, ast.In: ast.NotIn, ast.NotIn: ast.In,
    ast.Eq: ast.NotEq, ast.NotEq: ast.Eq,
}

_POSITIVE: dict[type[ast.cmpop], type[ast.cmpop]] = {ast.IsNot: ast.Is, ast.NotIn: ast.In, ast.NotEq: ast.Eq}


def _is_not(node: ast.AST) -> bool:
    return isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not)


class _Normalize(ast.NodeTransformer):
    def visit_UnaryOp(self, node: ast.UnaryOp) -> ast.AST:
        self.generic_visit(node)
        operand = node.operand
        if (isinstance(node.op, ast.Not) and isinstance(operand, ast.Compare)
                and len(operand.ops) == 1 and type(operand.ops[0]) in _NEGATED):
            return ast.Compare(operand.left, [_NEGATED[type(operand.ops[0])]()], operand.comparators)
        return node

    def _truth(self, test: ast.expr) -> ast.expr:
        """A condition with its double negations dropped (its value is only tested for truth)."""
        while _is_not(test) and _is_not(test.operand):  # type: ignore[attr-defined]
            test = test.operand.operand  # type: ignore[attr-defined]
        if isinstance(test, ast.BoolOp):
            test.values = [self._truth(value) for value in test.values]
        return test

    def _conditional(self, node: ast.AST) -> ast.AST:
        self.generic_visit(node)
        node.test = self._truth(node.test)  # type: ignore[attr-defined]
        return node

    visit_If = visit_While = visit_Assert = _conditional

    def visit_IfExp(self, node: ast.IfExp) -> ast.AST:
        """`b if not c else a` is `a if c else b`, and `b if v is not None else a` is `a if v is
        None else b`: a negative test is made positive, its branches swapped."""
        self._conditional(node)
        test = node.test
        if _is_not(test):
            node.test, node.body, node.orelse = test.operand, node.orelse, node.body  # type: ignore[attr-defined]
        elif isinstance(test, ast.Compare) and len(test.ops) == 1 and type(test.ops[0]) in _POSITIVE:
            node.test = ast.Compare(test.left, [_POSITIVE[type(test.ops[0])]()], test.comparators)
            node.body, node.orelse = node.orelse, node.body
        return node

    def _undocumented(self, node: ast.AST) -> ast.AST:
        self.generic_visit(node)
        body = node.body  # type: ignore[attr-defined]
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                and isinstance(body[0].value.value, str):
            node.body = body[1:] or [ast.Pass()]  # type: ignore[attr-defined]
        return node

    visit_Module = visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = _undocumented

    def visit_comprehension(self, node: ast.comprehension) -> ast.AST:
        self.generic_visit(node)
        node.ifs = [self._truth(test) for test in node.ifs]
        return node


def normalized(source: str) -> str:
    """The AST dump of `source` with equivalent spellings made one (see the module docstring)."""
    return ast.dump(_Normalize().visit(ast.parse(source)))
