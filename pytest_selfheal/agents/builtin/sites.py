"""Find the nodes and statements on suspect lines, with what their function has in scope, and
apply every template to them."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from typing import cast

import libcst as cst
from libcst.metadata import (
    ExpressionContext,
    ExpressionContextProvider,
    MetadataWrapper,
    PositionProvider,
)

from .clues import NO_CLUES, Clues
from .expected import EXPECTED_TEMPLATES, module_bindings, nameable
from .literals import LITERAL_TEMPLATES
from .statements import STATEMENT_TEMPLATES
from .templates import CONVERSIONS, TEMPLATES, WRAPPERS, Scope, code, is_none, sole_argument
from .texts import TEXT_TEMPLATES


@dataclass(frozen=True)
class Mutation:
    """`line` is where the edit is; `suspect_line` the suspect line whose score it takes (the
    same line, but for a default value: the first suspect line of its function's body), or None
    for an edit the failures' own words place (a literal holding the text a failure compared),
    which takes the best score of its file's suspects."""

    template: str
    line: int
    original: cst.CSTNode
    replacement: cst.CSTNode
    description: str
    suspect_line: int | None
    fills_none: bool = False  # it puts a value where a None is written as one (fills_none)
    share: float = 1.0  # of its suspect line's score it takes (DEFAULT_SHARE for a default)


_SELF = ("self", "cls")


class _Attributes(cst.CSTVisitor):
    """Object text -> attribute names used on it anywhere in the module; `self` and `cls` are
    kept per class, with the class's fields (`name: int = 0` or `name = 0` in its body)."""

    def __init__(self) -> None:
        self.found: dict[str, list[str]] = defaultdict(list)
        self.of_class: dict[int, list[str]] = {}  # id(ClassDef) -> attribute names
        self.classes: list[cst.ClassDef] = []

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.classes.append(node)
        self.of_class[id(node)] = _fields(node)

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self.classes.pop()

    def visit_Attribute(self, node: cst.Attribute) -> None:
        receiver = code(node.value)
        if receiver in _SELF and self.classes:
            self.of_class[id(self.classes[-1])].append(node.attr.value)
        else:
            self.found[receiver].append(node.attr.value)

    def scope_attributes(self, cls: cst.ClassDef | None) -> dict[str, tuple[str, ...]]:
        """What `Scope.attributes` holds inside `cls` (None: outside any class)."""
        attributes = {k: tuple(dict.fromkeys(v)) for k, v in self.found.items() if k not in _SELF}
        if cls is not None:
            own = tuple(dict.fromkeys(self.of_class[id(cls)]))
            attributes.update(self=own, cls=own)
        return attributes

    def class_attributes(self) -> tuple[tuple[str, ...], ...]:
        return tuple(tuple(dict.fromkeys(names)) for names in self.of_class.values())


class _Values(cst.CSTVisitor):
    """The module's string literals (not docstrings): their texts, and the nodes, where a text a
    failure compared may come from; and the values it assigns to each target."""

    def __init__(self) -> None:
        self.strings: dict[str, None] = {}
        self.literals: list[cst.SimpleString] = []
        self.assigned: dict[str, dict[str, cst.BaseExpression]] = defaultdict(dict)

    def visit_Expr(self, node: cst.Expr) -> bool:
        return not isinstance(node.value, cst.SimpleString)  # a docstring is no value

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        self.strings[node.value] = None
        self.literals.append(node)

    def visit_Assign(self, node: cst.Assign) -> None:
        if len(node.targets) == 1:
            self.assigned[code(node.targets[0].target)].setdefault(code(node.value), node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self.assigned[code(node.target)].setdefault(code(node.value), node.value)

    def scope(self, attributes: _Attributes) -> Scope:
        """The module-level scope, which every function's scope extends."""
        return Scope(attributes=attributes.scope_attributes(None),
                     classes=attributes.class_attributes(), strings=tuple(self.strings),
                     assigned={k: tuple(v.values()) for k, v in self.assigned.items()})


def _fields(cls: cst.ClassDef) -> list[str]:
    """Names assigned in the class body: dataclass fields and class attributes."""
    names: list[str] = []
    for line in cls.body.body:
        for statement in line.body if isinstance(line, cst.SimpleStatementLine) else ():
            if isinstance(statement, cst.AnnAssign):
                targets = [statement.target]
            elif isinstance(statement, cst.Assign):
                targets = [t.target for t in statement.targets]
            else:
                continue
            names += [t.value for t in targets if isinstance(t, cst.Name)]
    return names


# What a default value's slip is: another constant or literal. Every template at each of a
# class's many defaults would put hundreds of conversions and names ahead of the body's edits.
DEFAULT_TEMPLATES = frozenset({"integer-constant", "constant-value", "literal-replacement"})
# A parameter's default takes this share of its function's first suspect line's score: that
# line ran, the default only at import.
DEFAULT_SHARE = 0.5


class _Sites(cst.CSTVisitor):
    """Collects nodes and block statements on the wanted lines with their function's scope."""

    METADATA_DEPENDENCIES = (PositionProvider, ExpressionContextProvider)

    def __init__(self, lines: frozenset[int], attributes: _Attributes, module_scope: Scope,
                 among: frozenset[int]) -> None:
        super().__init__()
        self.lines = lines
        self.among = among  # every suspect line of the file, `lines` a group of them
        self.attributes = attributes
        self.classes: list[cst.ClassDef] = []
        self.sites: list[tuple[cst.CSTNode, int, Scope]] = []
        self.defaults: list[tuple[cst.CSTNode, int, int, Scope]] = []  # node, line, suspect line
        self.statements: list[tuple[cst.IndentedBlock, int, int, Scope]] = []
        self.scopes: list[Scope] = [module_scope]
        self.not_variables: set[int] = set()  # attribute names, keyword names
        # the Nones a comparison tests against (`x is None`): a check, not a value left out
        self.compared: set[int] = set()
        # annotations of a function's variables, which Python never evaluates: no edit of
        # them changes what runs (a parameter's, which frameworks read, are kept)
        self.unevaluated: set[int] = set()

    def on_visit(self, node: cst.CSTNode) -> bool:
        if not self._spans_a_line(node):
            return False  # nothing below it starts on a wanted line
        if isinstance(node, cst.Import | cst.ImportFrom):
            return False  # the names it imports are not values an expression template may change
        if id(node) in self.unevaluated:
            return False
        if isinstance(node, cst.ClassDef):
            self.classes.append(node)
        elif isinstance(node, cst.FunctionDef):
            self._add_defaults(node)
            self.scopes.append(_function_scope(node, self))
        elif isinstance(node, cst.Attribute):
            self.not_variables.add(id(node.attr))
        elif isinstance(node, cst.Arg) and node.keyword is not None:
            self.not_variables.add(id(node.keyword))
        elif isinstance(node, cst.AnnAssign) and len(self.scopes) > 1:
            self.unevaluated.add(id(node.annotation))
        elif isinstance(node, cst.Comparison):
            operands = (node.left, *(target.comparator for target in node.comparisons))
            self.compared.update(id(operand) for operand in operands if is_none(operand))
        elif isinstance(node, cst.IndentedBlock) and len(self.scopes) > 1:
            for index, statement in enumerate(node.body):
                line = self.line_of(statement)
                if line in self.lines:
                    self.statements.append((node, index, line, self.scopes[-1]))
        line = self.line_of(node)
        if line in self.lines and not self._is_unreadable_name(node):
            self.sites.append((node, line, self.scopes[-1]))
        return True

    def _add_defaults(self, func: cst.FunctionDef) -> None:
        """A suspect function's parameter defaults are sites too (`milliseconds=1` for `=0`),
        though their lines ran once, at import, and no test's coverage shows them: they take
        the score of the body's first suspect line, and the enclosing scope, where they are
        evaluated."""
        body = self.get_metadata(PositionProvider, func.body, None)
        if body is None:
            return
        wanted = [line for line in self.among if body.start.line <= line <= body.end.line]
        if not wanted or min(wanted) not in self.lines:
            return  # made with the group of lines that holds the body's first
        params = func.params
        for param in (*params.posonly_params, *params.params, *params.kwonly_params):
            line = self.line_of(param.default) if param.default is not None else 0
            if param.default is not None and line not in self.among:
                self.defaults.append((param.default, line, min(wanted), self.scopes[-1]))

    def on_leave(self, original_node: cst.CSTNode) -> None:
        if not self._spans_a_line(original_node) or isinstance(original_node, cst.Import | cst.ImportFrom):
            return
        if isinstance(original_node, cst.ClassDef):
            self.classes.pop()
        elif isinstance(original_node, cst.FunctionDef):
            self.scopes.pop()

    def _spans_a_line(self, node: cst.CSTNode) -> bool:
        """Whether a wanted line lies within `node` (its decorators included)."""
        position = self.get_metadata(PositionProvider, node, None)
        if position is None:
            return True
        start = position.start.line
        if isinstance(node, cst.FunctionDef | cst.ClassDef) and node.decorators:
            start = min(start, self.line_of(node.decorators[0]))
        return any(start <= line <= position.end.line for line in self.lines)

    def line_of(self, node: cst.CSTNode) -> int:
        position = self.get_metadata(PositionProvider, node, None)
        return position.start.line if position is not None else 0

    def _is_unreadable_name(self, node: cst.CSTNode) -> bool:
        if not isinstance(node, cst.Name):
            return False
        context = self.get_metadata(ExpressionContextProvider, node, None)
        return id(node) in self.not_variables or context is not ExpressionContext.LOAD


class _FunctionBody(cst.CSTVisitor):
    """Locals, returned values, raised exceptions, one-argument helpers called, simple
    statements, guards and `seq[i]` pairs of one function body."""

    def __init__(self, sites: _Sites) -> None:
        self.sites = sites
        self.names: list[str] = []
        self.near: dict[str, list[int]] = defaultdict(list)
        self.comprehension_targets: set[int] = set()
        self.returns: list[cst.BaseExpression] = []
        self.raises: list[cst.Raise] = []
        self.helpers: list[str] = []
        self.statements: list[cst.SimpleStatementLine] = []
        self.guards: list[cst.If] = []
        self.indexed: list[tuple[str, str]] = []

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False  # a nested function's body is not ours

    def visit_CompFor(self, node: cst.CompFor) -> None:
        """A comprehension's variables live only inside it: not locals the function can use."""
        node.target.visit(_Collect(self.comprehension_targets))

    def visit_Name(self, node: cst.Name) -> None:
        context = self.sites.get_metadata(ExpressionContextProvider, node, None)
        if context is ExpressionContext.STORE and id(node) not in self.comprehension_targets:
            self.names.append(node.value)
        if context is not None:
            self.near[node.value].append(self.sites.line_of(node))

    def visit_Return(self, node: cst.Return) -> None:
        if node.value is not None:
            self.returns.append(node.value)

    def visit_Call(self, node: cst.Call) -> None:
        callee = _helper(node.func) if sole_argument(node) is not None else None
        if callee is not None:
            self.helpers.append(callee)

    def visit_Raise(self, node: cst.Raise) -> None:
        if isinstance(node.exc, cst.Call | cst.Name) and node.cause is None:
            self.raises.append(node)

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        if all(isinstance(s, cst.Assign | cst.AugAssign) or
               (isinstance(s, cst.Expr) and isinstance(s.value, cst.Call)) for s in node.body):
            self.statements.append(node)

    def visit_If(self, node: cst.If) -> None:
        body = node.body.body if isinstance(node.body, cst.IndentedBlock) else ()
        exits = body[0].body if len(body) == 1 and isinstance(body[0], cst.SimpleStatementLine) else ()
        if node.orelse is None and len(exits) == 1 and isinstance(exits[0], cst.Raise | cst.Return):
            self.guards.append(node)

    def visit_Subscript(self, node: cst.Subscript) -> None:
        element = node.slice[0].slice if len(node.slice) == 1 else None
        if isinstance(node.value, cst.Name) and isinstance(element, cst.Index) and isinstance(
            element.value, cst.Name
        ):
            self.indexed.append((element.value.value, node.value.value))


# Called with one argument, but never what a value is missing: checks, output, construction,
# and the builtins wrap-call already applies or takes off.
_NOT_HELPERS = frozenset({"print", "isinstance", "issubclass", "hasattr", "callable", "id", "type",
                          "super", "iter", "next", "repr", "vars", "dir", "dict",
                          *WRAPPERS, *CONVERSIONS})


def _helper(func: cst.BaseExpression) -> str | None:
    """`f` or `self.f` (a name, or an attribute of a name) as text, unless _NOT_HELPERS has it
    or it is a method of a value (`xs.append`: what it does is to `xs`, not a conversion)."""
    if isinstance(func, cst.Name):
        return None if func.value in _NOT_HELPERS else func.value
    if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and func.value.value in (
            "self", "cls"):
        return code(func)
    return None


class _Collect(cst.CSTVisitor):
    """The ids of every name under a node."""

    def __init__(self, found: set[int]) -> None:
        self.found = found

    def visit_Name(self, node: cst.Name) -> None:
        self.found.add(id(node))


def _function_scope(func: cst.FunctionDef, sites: _Sites) -> Scope:
    params = func.params
    names = [p.name.value for p in (*params.posonly_params, *params.params, *params.kwonly_params)]
    for star in (params.star_arg, params.star_kwarg):
        if isinstance(star, cst.Param):
            names.append(star.name.value)
    body = _FunctionBody(sites)
    func.body.visit(body)
    near = {name: tuple(lines) for name, lines in body.near.items()}
    for name in names:
        near[name] = (sites.line_of(func), *near.get(name, ()))
    # A nested function reads the enclosing function's variables too (a closure: a decorator's
    # wrapper, a class made inside a function): they are its names as much as its own.
    closure: list[str] = []
    if len(sites.scopes) > 1:
        enclosing = sites.scopes[-1]
        closure = [name for name in enclosing.names if name not in {*names, *body.names}]
        for name in closure:
            near.setdefault(name, enclosing.near.get(name, ()))
    return replace(
        sites.scopes[0],
        names=tuple(dict.fromkeys([*names, *body.names, *closure])),
        near=near,
        empty=empty_value(func.returns.annotation) if func.returns else None,
        attributes=sites.attributes.scope_attributes(sites.classes[-1] if sites.classes else None),
        returns=tuple({code(v): v for v in body.returns}.values()),
        raises=tuple({code(r): r for r in body.raises}.values()),
        helpers=tuple(dict.fromkeys(body.helpers)),
        statements=tuple(body.statements),
        guards=tuple(body.guards),
        indexed=tuple(dict.fromkeys(body.indexed)),
        own_class=sites.classes[-1].name.value if sites.classes else _declared_self(func),
    )


def _declared_self(func: cst.FunctionDef) -> str:
    """The class a function's `self` parameter is declared to be (`self: "Version"`): a method
    written outside its class, a wrapper a decorator makes."""
    params = func.params.params
    annotation = params[0].annotation if params and params[0].name.value == "self" else None
    value = annotation.annotation if annotation is not None else None
    if isinstance(value, cst.SimpleString):
        name = str(value.evaluated_value)
        return name if name.isidentifier() else ""
    return value.value if isinstance(value, cst.Name) else ""


_EMPTY = {"int": "0", "float": "0.0", "str": '""', "bool": "False", "list": "[]", "dict": "{}",
          "set": "set()", "tuple": "()", "List": "[]", "Dict": "{}", "Set": "set()", "Tuple": "()",
          "Sequence": "[]", "Mapping": "{}"}


def empty_value(annotation: cst.BaseExpression) -> str | None:
    """The empty value of a declared return type: `0.0` for `float`, `[]` for `list[int]`;
    None for an optional type (its empty value is None) or one without an obvious empty value."""
    if isinstance(annotation, cst.Subscript):
        annotation = annotation.value
    if isinstance(annotation, cst.Attribute):  # typing.List
        annotation = annotation.attr
    return _EMPTY.get(annotation.value) if isinstance(annotation, cst.Name) else None


def fills_none(original: cst.CSTNode, replacement: cst.CSTNode) -> bool:
    """The edit puts a value where a None is written: in `x = None`, `return None`, or as
    `None` itself (not `x += None`, which keeps the None)."""
    if isinstance(original, cst.Assign | cst.AnnAssign | cst.Return):
        return (is_none(original.value) and type(replacement) is type(original)
                and not is_none(cast(cst.Assign, replacement).value))
    return is_none(original) and not is_none(replacement)


@dataclass(frozen=True)
class ModuleAnalysis:
    """What the templates need of a module whatever lines are suspect: its attributes, values
    and node positions. Most of the cost of mutating a file, so it can be done ahead, before
    the suspect lines are known."""

    module: cst.Module
    attributes: _Attributes
    values: _Values
    wrapper: MetadataWrapper
    bound: frozenset[str]  # the names the module binds at its top level

    @classmethod
    def of(cls, module: cst.Module) -> ModuleAnalysis:
        attributes, values = _Attributes(), _Values()
        module.visit(attributes)
        module.visit(values)
        wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
        wrapper.resolve_many(_Sites.METADATA_DEPENDENCIES)
        return cls(module, attributes, values, wrapper, module_bindings(module))


_DEFAULT_FAMILIES = tuple((name, template) for name, template in (*TEMPLATES, *LITERAL_TEMPLATES)
                          if name in DEFAULT_TEMPLATES)


def mutations(module: cst.Module, lines: frozenset[int], clues: Clues = NO_CLUES
              ) -> list[Mutation]:
    """Every template applied to every node and statement that starts on one of `lines`;
    `clues` is what the failures say (clues.py)."""
    return analysed_mutations(ModuleAnalysis.of(module), lines, clues)


def analysed_mutations(analysis: ModuleAnalysis, lines: frozenset[int],
                       clues: Clues = NO_CLUES, *, among: frozenset[int] | None = None,
                       texts: bool = True) -> list[Mutation]:
    """`mutations` of a module analysed already. `lines` may be a group of the suspect lines
    `among`, made a group at a time: a function's parameter defaults come with the group that
    holds its body's first suspect line, and the edits to the texts the failures compare (at no
    suspect line) when `texts` is true."""
    module_scope = replace(analysis.values.scope(analysis.attributes),
                           expected_errors=nameable(clues.expected_errors, analysis.bound),
                           compared_texts=clues.compared_texts)
    sites = _Sites(lines, analysis.attributes, module_scope, lines if among is None else among)
    analysis.wrapper.visit(sites)
    found = []
    for node, line, function_scope in sites.sites:
        scope = replace(function_scope, line=line)
        compared = id(node) in sites.compared
        for name, template in (*TEMPLATES, *LITERAL_TEMPLATES, *EXPECTED_TEMPLATES):
            for replacement, description in template(node, scope):
                found.append(Mutation(name, line, node, replacement, description, line,
                                      fills_none=not compared and fills_none(node, replacement)))
    for node, line, suspect_line, scope in sites.defaults:
        for name, template in _DEFAULT_FAMILIES:
            for replacement, description in template(node, replace(scope, line=line)):
                found.append(Mutation(name, line, node, replacement, description, suspect_line,
                                      share=DEFAULT_SHARE))
    if clues.compared_texts and texts:
        positions = analysis.wrapper.resolve(PositionProvider)  # resolved by ModuleAnalysis.of
        for node in analysis.values.literals:
            for name, template in TEXT_TEMPLATES:
                for replacement, description in template(node, module_scope):
                    found.append(Mutation(name, positions[node].start.line, node, replacement,
                                          description, None))
    for block, index, line, scope in sites.statements:
        for name, block_template in STATEMENT_TEMPLATES:
            for new_block, description in block_template(block, index, scope):
                found.append(Mutation(name, line, block, new_block, description, line))
    return found
