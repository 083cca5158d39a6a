"""The call recorder in a test process: objects of the project carved from their construction and
the calls that changed them, written back as statements that rebuild an equal object."""

import importlib.util
import sys

import libcst as cst
import pytest

from pytest_selfheal.heal import regression_source
from pytest_selfheal.heal.regression_source import Imports, Setup, Witness, call_expression
from pytest_selfheal.sandbox.protocol import SANDBOX_ENV
from pytest_selfheal.testproc import carving, values
from pytest_selfheal.testproc.recorder import Recorder

PROJECT = '''
import functools


class Table:
    def __init__(self, name, width=10):
        self.name = name
        self.width = width
        self._rows = []

    def add(self, row):
        self._rows.append(row)

    def extend(self, rows):
        for row in rows:
            self.add(row)

    def rows(self):
        return list(self._rows)

    def fill(self, value):
        return [row + [value] * (self.width - len(row)) for row in self._rows]


class Graph:
    def __init__(self):
        self.edges = {}

    def add_edge(self, source, target):
        self.edges.setdefault(source, {})[target] = 1
        self.edges.setdefault(target, {})

    def hops(self, source):
        return sorted(self.edges[source])


class Node:
    def __init__(self, key):
        self.key = key
        self.next = None


class Chain:
    def __init__(self):
        self.head = None

    def push(self, key):
        if self.head is None:
            self.head = Node(key)
            return
        node = self.head
        while node.next is not None:
            node = node.next
        node.next = Node(key)

    def keys(self):
        node, found = self.head, []
        while node is not None:
            found.append(node.key)
            node = node.next
        return found


def make_table(rows):
    table = Table("made")
    table.extend(rows)
    return table


class Gauge:
    def __init__(self, level):
        self._level = level

    @property
    def level(self):
        return self._level

    @level.setter
    def level(self, value):
        self._level = value

    @functools.cached_property
    def doubled(self):
        return self._level * 2

    @property
    @functools.lru_cache
    def tripled(self):
        return self._level * 3


def over_sublists(f):
    """sqlparse's @recurse: a wrapper with a name of its own and no __wrapped__."""
    def wrapped_f(rows, *rest, **options):
        for row in rows:
            if isinstance(row, list):
                wrapped_f(row, *rest, **options)
        return f(rows, *rest, **options)

    return wrapped_f


class Kind:
    def __init__(self, label):
        self.label = label

    def __repr__(self):
        return f"<Kind {self.label}>"


TEXT = Kind("text")
NUMBER = Kind("number")
NUMBER.INTEGER = Kind("integer")


def kind_of(value, default=TEXT):
    if isinstance(value, int):
        return NUMBER.INTEGER
    return NUMBER if isinstance(value, float) else default


def evens(limit, fail_at=None):
    for number in range(limit):
        if number == fail_at:
            raise ValueError(number)
        if number % 2 == 0:
            yield number


@over_sublists
def widest(items, floor=0):
    return max([floor, *(len(item) for item in items if isinstance(item, str))])
'''


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.setenv(SANDBOX_ENV, str(tmp_path))
    (tmp_path / "tables_mod.py").write_text(PROJECT)
    spec = importlib.util.spec_from_file_location("tables_mod", tmp_path / "tables_mod.py")
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "tables_mod", module)
    spec.loader.exec_module(module)
    yield module
    values.made_by_test.clear()


def _record(project, tmp_path, body, qualname="Table.fill"):
    recorder = Recorder({"file": str(tmp_path / "tables_mod.py"), "qualname": qualname,
                         "output": str(tmp_path)})
    previous = sys.gettrace()
    sys.settrace(recorder.trace)
    try:
        body(project)
    finally:
        sys.settrace(previous)
    return recorder


def _source(recorder, call):
    imports, setup = Imports(), Setup()
    expr = call_expression(recorder.target, Witness(call.get("receiver"), tuple(call["args"]), {}),
                           imports, setup)
    return "\n".join([*(cst.Module([line]).code.strip() for line in setup.lines),
                      cst.Module([]).code_for_node(expr)])


def test_an_object_is_rebuilt_from_its_constructor_and_the_calls_that_changed_it(project, tmp_path):
    def body(tables):
        table = tables.Table("scores", width=3)
        table.add([1])
        table.rows()  # a query: it changes nothing, so the test does not repeat it
        table.extend([[2, 3]])  # its own calls of add are part of it
        table.fill(0)

    recorder = _record(project, tmp_path, body)
    [call] = recorder.calls
    assert _source(recorder, call) == (
        "table = Table('scores', 3)\n"
        "table.add([1])\n"
        "table.extend([[2, 3]])\n"
        "table.fill(0)"
    )


def test_an_object_a_factory_made_is_rebuilt_from_what_the_factory_did(project, tmp_path):
    recorder = _record(project, tmp_path, lambda tables: tables.make_table([[5]]).fill(1))
    [call] = recorder.calls
    assert _source(recorder, call) == "table = Table('made')\ntable.extend([[5]])\ntable.fill(1)"


def test_the_rebuilt_object_behaves_as_the_recorded_one(project, tmp_path):
    def body(tables):
        table = tables.Table("t", 4)
        table.extend([[1, 2], [3]])
        table.fill(9)

    recorder = _record(project, tmp_path, body)
    namespace = {"Table": project.Table}
    exec(_source(recorder, recorder.calls[0]).replace("table.fill(9)", "result = table.fill(9)"),
         namespace)
    assert namespace["result"] == [[1, 2, 9, 9], [3, 9, 9, 9]]


def test_an_object_made_before_recording_says_why_it_cannot_be_rebuilt(project, tmp_path):
    table = project.Table("early")
    recorder = _record(project, tmp_path, lambda tables: table.fill(0))
    assert recorder.calls[0]["error"] == (
        "self cannot be rebuilt: a Table object has no constructor call that rebuilds it"
    )


def _changed_then_filled(calls: int):
    """A test body that adds `calls` rows to one table, then fills it."""
    def body(tables):
        table = tables.Table("long")
        for row in range(calls):
            table.add([row])
        table.fill(0)

    return body


def test_an_object_changed_by_too_many_calls_is_not_carved(project, tmp_path):
    recorder = _record(project, tmp_path, _changed_then_filled(carving.MAX_STEPS + 1))
    assert recorder.calls[0]["error"] == (
        f"self cannot be rebuilt: a Table object was changed by more than {carving.MAX_STEPS} calls"
    )


def test_an_object_past_writing_is_no_longer_fingerprinted(project, tmp_path, monkeypatch):
    """cachetools' LFU test reads one cache half a million times: reading its state at each call
    took the recording past the suite's timeout, so the fix came without a regression test."""
    read = []
    monkeypatch.setattr(carving, "_state", lambda obj: read.append(obj) or None)
    recorder = _record(project, tmp_path, _changed_then_filled(carving.MAX_STEPS + 500))
    assert "more than" in recorder.calls[0]["error"]
    assert len(read) == carving.MAX_STEPS + 1


def test_objects_are_not_followed_once_every_call_is_recorded(project, tmp_path, monkeypatch):
    from pytest_selfheal.testproc import recorder as recording
    monkeypatch.setattr(recording, "MAX_CALLS", 3)
    followed = []
    follow = carving.Carver.call
    monkeypatch.setattr(carving.Carver, "call",
                        lambda self, frame: followed.append(frame.f_code.co_name) or follow(self, frame))

    def body(tables):
        for n in range(10):
            tables.Table(f"t{n}").fill(0)

    recorder = _record(project, tmp_path, body)
    assert len(recorder.calls) == 3
    assert followed.count("__init__") == 3


def test_a_result_that_does_not_compare_by_value_is_no_outcome_to_assert(project, tmp_path):
    recorder = Recorder({"file": str(tmp_path / "tables_mod.py"), "qualname": "make_table",
                         "output": str(tmp_path)})
    previous = sys.gettrace()
    sys.settrace(recorder.trace)
    try:
        project.make_table([[1]])
    finally:
        sys.settrace(previous)
    assert recorder.calls[0]["outcome"] == {
        "error": "the result: a Table object does not compare by value"
    }


def test_an_object_no_call_changed_stays_inline(project, tmp_path):
    recorder = _record(project, tmp_path, lambda tables: tables.Table("t").fill(0))
    assert _source(recorder, recorder.calls[0]) == "Table('t').fill(0)"


def test_a_method_call_records_what_it_left_in_its_object(project, tmp_path):
    def body(tables):
        table = tables.Table("t", 2)
        table.add([1])

    [call] = _record(project, tmp_path, body, qualname="Table.add").calls
    assert call["state"] == {
        "self.name": {"literal": "'t'"}, "self.width": {"literal": "2"},
        "self._rows": {"seq": "list", "items": [{"seq": "list", "items": [{"literal": "1"}]}]},
        "row": {"seq": "list", "items": [{"literal": "1"}]},  # an argument the call could change
    }


def test_a_call_that_changes_only_an_inner_container_is_replayed(project, tmp_path):
    def body(tables):
        graph = tables.Graph()
        graph.add_edge("a", "b")
        graph.add_edge("b", "a")  # the graph's own dict keeps its size: only edges["b"] grows
        graph.hops("b")

    recorder = _record(project, tmp_path, body, qualname="Graph.hops")
    assert _source(recorder, recorder.calls[0]) == (
        "graph = Graph()\ngraph.add_edge('a', 'b')\ngraph.add_edge('b', 'a')\ngraph.hops('b')"
    )


def test_a_call_that_changes_an_object_deep_inside_is_replayed(project, tmp_path):
    def body(tables):
        chain = tables.Chain()
        chain.push(1)
        chain.push(2)  # the chain's head stays: only the head's next changes
        chain.keys()

    recorder = _record(project, tmp_path, body, qualname="Chain.keys")
    assert _source(recorder, recorder.calls[0]) == (
        "chain = Chain()\nchain.push(1)\nchain.push(2)\nchain.keys()"
    )


def test_a_call_of_the_traced_method_is_also_a_step_of_its_object(project, tmp_path):
    def body(tables):
        table = tables.Table("t", 2)
        table.add([1])
        table.add([2])

    recorder = _record(project, tmp_path, body, qualname="Table.add")
    assert _source(recorder, recorder.calls[1]) == "table = Table('t', 2)\ntable.add([1])\ntable.add([2])"


def test_an_attribute_too_large_to_assert_is_left_out_of_the_state(project, tmp_path):
    def body(tables):
        table = tables.Table("big", 2)
        table.extend([[n] for n in range(100)])
        table.add([100])

    calls = _record(project, tmp_path, body, qualname="Table.add").calls
    assert "self._rows" in calls[99]["state"] and "self._rows" not in calls[100]["state"]
    assert calls[100]["state"]["self.width"] == {"literal": "2"}


def test_a_property_is_read_on_the_object_not_called(project, tmp_path):
    recorder = _record(project, tmp_path, lambda tables: tables.Gauge(3).level, "Gauge.level")
    [call] = recorder.calls
    assert call["args"] == [] and call["outcome"] == {"returns": {"literal": "3"}}
    assert _source(recorder, call) == "Gauge(3).level"


def test_a_cached_property_is_read_as_one_too(project, tmp_path):
    recorder = _record(project, tmp_path, lambda tables: tables.Gauge(4).doubled, "Gauge.doubled")
    [call] = recorder.calls
    assert call["outcome"] == {"returns": {"literal": "8"}}
    assert _source(recorder, call) == "Gauge(4).doubled"


def test_a_property_over_a_decorated_getter_is_read_as_one(project, tmp_path):
    recorder = _record(project, tmp_path, lambda tables: tables.Gauge(2).tripled, "Gauge.tripled")
    [call] = recorder.calls
    assert call["outcome"] == {"returns": {"literal": "6"}}
    assert _source(recorder, call) == "Gauge(2).tripled"


def test_a_property_setter_is_no_call_to_replay(project, tmp_path):
    def body(tables):
        gauge = tables.Gauge(1)
        gauge.level = 2

    [call] = _record(project, tmp_path, body, "Gauge.level").calls
    assert "setter or deleter" in call["error"]


def test_a_function_a_decorator_wrapped_is_called_by_its_name_with_its_own_arguments(project, tmp_path):
    """sqlparse's grouping functions: the wrapper's qualname is recurse.<locals>...wrapped_f, so
    no call could be written, and the regression test said the tests "never called" it."""
    recorder = _record(project, tmp_path, lambda tables: tables.widest([["ab"], "abc"], floor=1),
                       "widest")
    inner, outer = recorder.calls  # the wrapper calls it for the sublist first
    assert outer["outcome"] == {"returns": {"literal": "3"}}
    assert _source(recorder, outer) == "widest([['ab'], 'abc'], 1)"
    assert _source(recorder, inner) == "widest(['ab'], 1)"


def test_a_generator_is_recorded_until_it_ends_and_replayed_as_the_list_it_yields(project, tmp_path):
    """jinja2's `batch` filter: a generator's call returns a generator object, which no value
    compares equal to, so a fix of one was never replayed."""
    def body(tables):
        assert list(tables.evens(5)) == [0, 2, 4]
        taken = tables.evens(9)
        assert next(taken) == 0 and next(taken) == 2  # then closed: what was taken is the outcome
        del taken
        held = tables.evens(9)
        next(held)  # left unfinished
        with pytest.raises(ValueError):
            list(tables.evens(5, fail_at=3))

    recorder = _record(project, tmp_path, body, "evens")
    whole, closed, left, failed = recorder.calls
    assert whole["outcome"] == {"yields": [{"literal": "0"}, {"literal": "2"}, {"literal": "4"}]}
    assert _test(recorder, whole) == "def test_call():\n    assert list(evens(5)) == [0, 2, 4]\n"
    assert closed["outcome"] == {"yields": [{"literal": "0"}, {"literal": "2"}], "taken": 2}
    assert _test(recorder, closed) == (
        "def test_call():\n    assert list(itertools.islice(evens(9), 2)) == [0, 2]\n")
    assert left["outcome"] == {"yields": [{"literal": "0"}], "taken": 1}
    assert failed["outcome"] == {"yields": [{"literal": "0"}, {"literal": "2"}],
                                 "raises": {"module": "builtins", "name": "ValueError"}}
    assert _test(recorder, failed) == ("def test_call():\n    with pytest.raises(ValueError):\n"
                                       "        list(evens(5, 3))\n")


def _test(recorder, call):
    imports, setup = Imports(), Setup()
    witness = Witness(call.get("receiver"), tuple(call["args"]), call["outcome"])
    function = regression_source.test_function("test_call", call_expression(recorder.target, witness, imports, setup),
                             witness.outcome, imports, setup)
    return cst.Module([function]).code


def test_an_object_its_module_binds_to_a_name_is_that_name(project, tmp_path):
    """sqlparse's token types (`tokens.Keyword`) and sentinels: made when their module was
    imported, so no call the test made rebuilds them, and no call holding one could be written."""
    def body(tables):
        tables.kind_of(3.5, tables.TEXT)
        tables.kind_of(3)

    recorder = _record(project, tmp_path, body, "kind_of")
    floating, integer = recorder.calls
    assert floating["outcome"] == {"returns": {"object": {"module": "tables_mod", "name": "NUMBER"}}}
    assert _test(recorder, floating) == "def test_call():\n    assert kind_of(3.5) is NUMBER\n"
    # an attribute of such a constant (sqlparse's `tokens.Number.Integer`)
    assert _test(recorder, integer) == "def test_call():\n    assert kind_of(3) is NUMBER.INTEGER\n"
