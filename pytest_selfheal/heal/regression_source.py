"""Recorded calls (recorder.py's JSON trees) -> a readable pytest module, built as a LibCST tree."""

from __future__ import annotations

import sys
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

import libcst as cst

Tree = dict[str, Any]
SINGLETONS = ("None", "True", "False")
NO_SPACE = cst.SimpleWhitespace("")
KEYWORD_EQUAL = cst.AssignEqual(whitespace_before=NO_SPACE, whitespace_after=NO_SPACE)
LONG_VALUE = 40  # characters; longer arguments and results are named on a line of their own


@dataclass(frozen=True)
class Witness:
    """One call whose outcome the fix changed: the inputs and the fixed outcome; or, when only
    what the call left in its object or its arguments changed, the fixed values (effects)."""

    receiver: Tree | None
    args: tuple[Tree, ...]
    outcome: Tree  # {"returns": tree} or {"raises": ref}; a generator's {"yields": [trees]}, with "raises"
    # what the call left, by the expression a test reads it by (`self.balance`, `found`,
    # `source.balance`: `self` is the object a method was called on), and the fixed value
    effects: tuple[tuple[str, Tree], ...] = ()


@dataclass
class Imports:
    """What the generated module must import, collected while building expressions."""

    names: dict[str, set[str]] = field(default_factory=dict)
    modules: set[str] = field(default_factory=set)

    def name(self, ref: Tree) -> cst.BaseExpression:
        """`from module import Top` and the expression `Top.Nested` for a reference; or, for a
        `qualified` one, `import module` and `module.Top.Nested` (`re.compile`, which a bare
        `compile` would shadow)."""
        if ref.get("qualified"):
            self.modules.add(ref["module"])
            return _dotted(f"{ref['module']}.{ref['name']}")
        top, *rest = str(ref["name"]).split(".")
        if ref["module"] != "builtins":
            self.names.setdefault(ref["module"], set()).add(top)
        expr: cst.BaseExpression = cst.Name(top)
        for part in rest:
            expr = cst.Attribute(expr, cst.Name(part))
        return expr

    def statements(self) -> list[cst.SimpleStatementLine]:
        """Import lines in isort's sections (standard library, pytest, the project), each
        section led by an empty line."""
        lines: list[cst.SimpleStatementLine] = []
        for section in range(3):
            plain = [m for m in sorted(self.modules) if _section(m) == section]
            froms = [m for m in sorted(self.names) if _section(m) == section]
            found = [cst.SimpleStatementLine([cst.Import([cst.ImportAlias(_dotted(m))])])
                     for m in plain]
            for module in froms:
                aliases = [cst.ImportAlias(cst.Name(n)) for n in sorted(self.names[module])]
                found.append(cst.SimpleStatementLine([cst.ImportFrom(_dotted(module), aliases)]))
            if found:
                found[0] = found[0].with_changes(leading_lines=[cst.EmptyLine()])
            lines += found
        return lines


def _section(module: str) -> int:
    top = module.split(".")[0]
    return 0 if top in sys.stdlib_module_names else 1 if top == "pytest" else 2


def _dotted(module: str) -> cst.Attribute | cst.Name:
    first, *rest = module.split(".")
    expr: cst.Attribute | cst.Name = cst.Name(first)
    for part in rest:
        expr = cst.Attribute(expr, cst.Name(part))
    return expr


def expression(tree: Tree, imports: Imports, setup: Setup | None = None) -> cst.BaseExpression:
    """The source expression that rebuilds a described value; an object carved from its
    construction also adds its statements to `setup`."""
    if "literal" in tree:
        return cst.parse_expression(tree["literal"])
    if "seq" in tree:
        return _sequence(tree["seq"], [expression(t, imports, setup) for t in tree["items"]])
    if "dict" in tree:
        return cst.Dict([cst.DictElement(expression(k, imports, setup), expression(v, imports, setup))
                         for k, v in tree["dict"]])
    if "member" in tree:
        return cst.Attribute(imports.name(tree["ref"]), cst.Name(tree["member"]))
    if "object" in tree:
        return imports.name(tree["object"])
    if "module_value" in tree:
        imports.modules.add(tree["module_value"])
        return _dotted(tree["module_value"])
    if "type_of" in tree:
        return cst.Call(cst.Name("type"), [cst.Arg(expression(tree["type_of"], imports, setup))])
    if "flags" in tree:
        flags = [expression(t, imports, setup) for t in tree["flags"]]
        combined = flags[0]
        for flag in flags[1:]:
            combined = cst.BinaryOperation(combined, cst.BitOr(), flag)
        return combined
    if "call" in tree:
        return cst.Call(imports.name(tree["call"]), _call_args(tree, imports, setup))
    if "method" in tree:
        on = expression(tree["on"], imports, setup)
        return cst.Call(cst.Attribute(on, cst.Name(tree["method"])), _call_args(tree, imports, setup))
    if "repr" in tree:
        if "ref" in tree:
            imports.name(tree["ref"])
        else:
            imports.modules.add(tree["module"]["module"])
        return cst.parse_expression(tree["repr"])
    if "carved" in tree:
        if setup is None:
            raise ValueError("an object carved from its construction needs a Setup for its statements")
        return carved(tree, imports, setup, _snake(tree["carved"]["call"]["name"]))
    raise ValueError(f"unknown value description: {sorted(tree)}")


def _call_args(tree: Tree, imports: Imports, setup: Setup | None) -> list[cst.Arg]:
    args = [cst.Arg(expression(t, imports, setup)) for t in tree["args"]]
    return args + [_keyword(k, expression(t, imports, setup)) for k, t in tree["kwargs"]]


def _sequence(kind: str, items: list[cst.BaseExpression]) -> cst.BaseExpression:
    if kind == "list":
        return cst.List([cst.Element(i) for i in items])
    if kind == "tuple":
        elements = [cst.Element(i, comma=cst.Comma() if len(items) == 1 else cst.MaybeSentinel.DEFAULT)
                    for i in items]
        return cst.Tuple(elements)
    if kind == "set" and items:
        return cst.Set([cst.Element(i) for i in items])
    arg = [cst.Arg(cst.List([cst.Element(i) for i in items]))] if items else []
    return cst.Call(cst.Name(kind), arg)


@dataclass
class Setup:
    """The statements before the assertion: long values named on a line of their own, so each
    line stays readable, and objects built by their constructor and method calls."""

    lines: list[cst.BaseStatement] = field(default_factory=list)
    taken: set[str] = field(default_factory=set)
    built: dict[int, str] = field(default_factory=dict)  # carved object number -> its variable

    def named(self, name: str, value: cst.BaseExpression, parameter: bool = False) -> cst.BaseExpression:
        """`value`, or a variable holding it; parameter names are reserved for their arguments."""
        if len(cst.Module([]).code_for_node(value)) <= LONG_VALUE:
            return value
        return self.variable(name, value, parameter)

    def variable(self, name: str, value: cst.BaseExpression, parameter: bool = False) -> cst.Name:
        while name in self.taken and not parameter:
            name += "_"
        self.taken.add(name)
        self.lines.append(cst.SimpleStatementLine([cst.Assign([cst.AssignTarget(cst.Name(name))], value)]))
        return cst.Name(name)


def carved(tree: Tree, imports: Imports, setup: Setup, name: str,
           parameter: bool = False) -> cst.BaseExpression:
    """`name = Cls(args)` and `name.method(args)` for each recorded call that changed it, as the
    test built it (an object met twice is built once); a short construction alone stays inline."""
    made = tree["carved"]
    if made["id"] in setup.built:
        return cst.Name(setup.built[made["id"]])
    construction = cst.Call(imports.name(made["call"]), arguments(made["args"], imports, setup))
    if not tree["steps"]:
        return setup.named(name, construction, parameter)  # `Inventory().needs_reorder(item)`
    variable = setup.variable(name, construction, parameter)
    setup.built[made["id"]] = variable.value
    for step in tree["steps"]:
        call = cst.Call(cst.Attribute(variable, cst.Name(step["name"])),
                        arguments(step["args"], imports, setup))
        setup.lines.append(cst.SimpleStatementLine([cst.Expr(call)]))
    return variable


def call_expression(target: Tree, witness: Witness, imports: Imports,
                    setup: Setup) -> cst.Call | cst.Attribute:
    """`fn(args)`, `Cls(...).method(args)` or `Cls.method(args)`; a property's `Cls(...).name`."""
    owner = imports.name(target["ref"])
    binding = target["binding"]
    setup.taken.update(arg["name"] for arg in witness.args)
    receiver = witness.receiver
    changed = {path.split(".", 1)[0] for path, _ in witness.effects}
    if binding in ("method", "property") and receiver is not None:
        read = cst.Attribute(_receiver(receiver, imports, setup, "self" in changed),
                             cst.Name(target["name"]))
        if binding == "property":
            return read
        func: cst.BaseExpression = read
    elif binding == "function":
        func = owner
    else:
        func = cst.Attribute(owner, cst.Name(target["name"]))
    return cst.Call(func, arguments(witness.args, imports, setup, changed))


def _receiver(receiver: Tree, imports: Imports, setup: Setup, kept: bool) -> cst.BaseExpression:
    """The object a method is called on, inline when short; `kept` names it on a line of its own,
    for the assertions on what the call left in it."""
    if "carved" in receiver:
        name = _snake(receiver["carved"]["call"]["name"])
        value = carved(receiver, imports, setup, name)
    else:
        name = _snake(receiver["call"]["name"]) if "call" in receiver else "subject"
        value = expression(receiver, imports, setup)
        if not kept:
            return setup.named(name, value)
    return setup.variable(name, value) if kept and not isinstance(value, cst.Name) else value


def arguments(described: Sequence[Tree], imports: Imports, setup: Setup,
              kept: Collection[str] = ()) -> list[cst.Arg]:
    """Recorded arguments as a call's: those equal to their default are left out, and any
    argument after a left-out one is passed by keyword; those `kept` are variables named after
    their parameter, for the assertions on what the call left in them."""
    args: list[cst.Arg] = []
    by_keyword = False
    for arg in described:
        if arg["default"]:
            by_keyword = True
            continue
        if arg["kind"] == "varargs":
            args += [cst.Arg(expression(t, imports, setup)) for t in arg["value"]["items"]]
            continue
        if arg["kind"] == "varkw":
            args += [_keyword(_key(k), expression(v, imports, setup)) for k, v in arg["value"]["dict"]]
            continue
        if "carved" in arg["value"]:
            value: cst.BaseExpression = carved(arg["value"], imports, setup, arg["name"], parameter=True)
        elif arg["name"] in kept:
            value = expression(arg["value"], imports, setup)
        else:
            value = setup.named(arg["name"], expression(arg["value"], imports, setup), parameter=True)
        if arg["name"] in kept and not isinstance(value, cst.Name):
            value = setup.variable(arg["name"], value, parameter=True)
        if arg["kind"] == "keyword" or by_keyword:
            args.append(_keyword(arg["name"], value))
        else:
            args.append(cst.Arg(value))
    return args


def _snake(qualname: str) -> str:
    name = qualname.rsplit(".", 1)[-1]
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_") or "subject"


def _keyword(name: str, value: cst.BaseExpression) -> cst.Arg:
    return cst.Arg(value, keyword=cst.Name(name), equal=KEYWORD_EQUAL)


def _key(tree: Tree) -> str:
    return str(cst.ensure_type(cst.parse_expression(tree["literal"]), cst.SimpleString).evaluated_value)


def test_function(
    name: str, call: cst.Call | cst.Attribute, outcome: Tree, imports: Imports, setup: Setup,
    effects: Sequence[tuple[str, Tree]] = (),
) -> cst.FunctionDef:
    """`assert call == expected` (or `is` for None/True/False and classes, functions, types), or
    `with pytest.raises(E): call`; with effects, the call (in `pytest.raises` when it raised) and
    then `assert found == value` for each thing it left different (its receiver and arguments are
    variables then). An outcome `{"completes": True}` is the call alone: the test passes when it
    raises nothing (an incident's reproduction). A generator's call is consumed, `list(call)`,
    or as far as the test took it, `list(itertools.islice(call, n))`, and what it yielded is
    asserted as a list."""
    body: list[cst.BaseStatement]
    run: cst.BaseExpression = call
    if "taken" in outcome:
        imports.modules.add("itertools")
        run = cst.Call(cst.Attribute(cst.Name("itertools"), cst.Name("islice")),
                       [cst.Arg(call), cst.Arg(cst.Integer(str(outcome["taken"])))])
    if "yields" in outcome:
        run = cst.Call(cst.Name("list"), [cst.Arg(run)])
    if "completes" in outcome:
        body = [cst.SimpleStatementLine([cst.Expr(run)])]
    elif "raises" in outcome:
        imports.modules.add("pytest")
        raises = cst.Call(cst.Attribute(cst.Name("pytest"), cst.Name("raises")),
                          [cst.Arg(imports.name(outcome["raises"]))])
        body = [cst.With([cst.WithItem(raises)],
                         cst.IndentedBlock([cst.SimpleStatementLine([cst.Expr(run)])]))]
    elif effects:
        body = [cst.SimpleStatementLine([cst.Expr(run)])]
    elif "yields" in outcome:
        body = [_assertion(run, {"seq": "list", "items": outcome["yields"]}, "expected", imports, setup)]
    else:
        body = [_assertion(call, outcome["returns"], "expected", imports, setup)]
    body += [_assertion(_read(path, call), value, path.rsplit(".", 1)[-1].strip("_") or "value",
                        imports, setup) for path, value in effects]
    return cst.FunctionDef(cst.Name(name), cst.Parameters(), cst.IndentedBlock([*setup.lines, *body]))


def _read(path: str, call: cst.Call | cst.Attribute) -> cst.BaseExpression:
    """`subject.balance` for `self.balance` (the call's receiver), `found`, `source.balance`."""
    head, *attributes = path.split(".")
    expr: cst.BaseExpression = cst.Name(head)
    if head == "self":
        expr = (call if isinstance(call, cst.Attribute)
                else cst.ensure_type(call.func, cst.Attribute)).value
    for attribute in attributes:
        expr = cst.Attribute(expr, cst.Name(attribute))
    return expr


def _assertion(actual: cst.BaseExpression, value: Tree, name: str, imports: Imports,
               setup: Setup) -> cst.SimpleStatementLine:
    """`assert actual == value`, `is` for None/True/False and classes, functions, types; a long
    value is named on a line of its own (added to setup, before the call)."""
    expected = setup.named(name, expression(value, imports, setup))
    singleton = ((isinstance(expected, cst.Name) and expected.value in SINGLETONS)
                 or "object" in value or "type_of" in value)
    operator = cst.Is() if singleton else cst.Equal()
    return cst.SimpleStatementLine(
        [cst.Assert(cst.Comparison(actual, [cst.ComparisonTarget(operator, expected)]))])


def module_source(target: Tree, witnesses: Sequence[Witness], docstring: str,
                  newline: str = "\n", test_name: str = "") -> str:
    """The whole regression test module: docstring, imports, one test per witness, named
    `test_name` or after the target; its lines end with `newline`, as the project's files do."""
    imports = Imports()
    base = test_name or f"test_{target['name'].strip('_') or 'call'}"
    functions = []
    for number, witness in enumerate(witnesses, 1):
        name = base if len(witnesses) == 1 else f"{base}_{number}"
        setup = Setup()
        call = call_expression(target, witness, imports, setup)
        functions.append(test_function(name, call, witness.outcome, imports, setup, witness.effects))
    text = docstring.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    doc = cst.SimpleStatementLine([cst.Expr(cst.SimpleString('"""' + text + '"""'))])
    body: list[cst.SimpleStatementLine | cst.BaseCompoundStatement] = [doc]
    body += imports.statements()
    for function in functions:
        body.append(function.with_changes(leading_lines=[cst.EmptyLine(), cst.EmptyLine()]))
    return cst.Module(body).code.replace("\n", newline)
