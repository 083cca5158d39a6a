"""An exception becomes the incident the reproduction side needs: its chain as Python prints it,
the project's frames with the arguments described as the regression recorder describes them,
redacted and within bounds."""

from __future__ import annotations

import decimal
import inspect
import json
from pathlib import Path
from typing import Any

import pytest

from pytest_selfheal.redaction import Redactor
from pytest_selfheal.runtime.capture import Limits, Project, bounded_repr, capture, find_root, type_name
from pytest_selfheal.runtime.incident import Incident
from pytest_selfheal.testproc import values

HERE = Path(__file__).resolve().parent
PROJECT = Project.at(HERE)
SECRET = "sk-live-9f8e7d6c5b4a39281706"


def raised(call: Any, *args: Any, **kwargs: Any) -> BaseException:
    try:
        call(*args, **kwargs)
    except BaseException as exc:
        return exc
    raise AssertionError("it did not raise")


def incident_of(exc: BaseException, limits: Limits | None = None, secrets: tuple[str, ...] = ()) -> Incident:
    found = capture(exc, source="manual", project=PROJECT, version="abc123", redactor=Redactor(secrets),
                    limits=limits or Limits())
    assert Incident.from_line(found.to_line()) == found
    return found


def price(amount: str, rate: float = 1.0) -> decimal.Decimal:
    return decimal.Decimal(amount) * decimal.Decimal(rate)


class Cart:
    def __init__(self, items: list[str]) -> None:
        self.items = items

    def total(self, discount: str, *, currency: str = "EUR") -> decimal.Decimal:
        try:
            return sum((price(item) for item in self.items), decimal.Decimal()) - price(discount)
        except decimal.InvalidOperation as exc:
            raise ValueError(f"bad discount {discount!r}") from exc


def test_the_chain_frames_and_arguments_of_the_project_are_recorded() -> None:
    incident = incident_of(raised(Cart(["1.50"]).total, "50%"))

    assert [(e.type, e.relation) for e in incident.chain] == [
        ("ValueError", "raised"), ("decimal.InvalidOperation", "cause")]
    assert incident.exception.message == "bad discount '50%'"
    total = incident.exception.frames[-1]
    assert (total.path, total.function, total.in_project) == ("test_capture.py", "Cart.total", True)
    assert total.line == inspect.getsourcelines(Cart.total)[1] + 4
    arguments = {a["name"]: a for a in total.arguments or ()}
    signature = inspect.signature(Cart.total)
    # the same trees the regression recorder writes, defaults included
    assert arguments["discount"] == values.argument(signature.parameters["discount"], "50%")
    assert arguments["currency"] == {"name": "currency", "kind": "keyword",
                                     "value": {"literal": "'EUR'"}, "default": True}
    assert arguments["self"]["unrenderable"].endswith("no constructor call that rebuilds it")
    assert arguments["self"]["type"] == "test_capture.Cart" or \
        arguments["self"]["type"].endswith(".Cart")
    innermost_cause = incident.chain[1].frames[-1]
    assert innermost_cause.function == "price"
    assert [a["name"] for a in innermost_cause.arguments or ()] == ["amount", "rate"]
    assert incident.version == "abc123"
    assert set(incident.process) == {"pid", "executable", "program", "host"}


def test_a_suppressed_context_is_left_out_and_a_context_is_kept() -> None:
    def suppressed() -> None:
        try:
            {"j": 1}["k"]
        except KeyError:
            raise ValueError("no k") from None

    def during() -> None:
        try:
            {"j": 1}["k"]
        except KeyError:
            raise ValueError("no k")  # noqa: B904

    assert [e.relation for e in incident_of(raised(suppressed)).chain] == ["raised"]
    assert [(e.type, e.relation) for e in incident_of(raised(during)).chain] == [
        ("ValueError", "raised"), ("KeyError", "context")]


def test_library_frames_are_not_the_project_and_carry_no_arguments() -> None:
    incident = incident_of(raised(json.loads, "{"))

    library = [frame for frame in incident.exception.frames if not frame.in_project]
    assert library and all(frame.arguments is None for frame in library)
    assert any(frame.path.endswith("json/decoder.py") for frame in library)
    assert incident.exception.type == "json.decoder.JSONDecodeError"


def test_a_virtual_environment_inside_the_project_is_not_the_project(tmp_path: Path) -> None:
    project = Project.at(tmp_path)
    assert project.relative(str(tmp_path / "app" / "views.py")) == "app/views.py"
    assert project.relative(str(tmp_path / ".venv/lib/python3.11/site-packages/flask/app.py")) is None
    assert project.relative("<frozen importlib._bootstrap>") is None
    assert project.relative(inspect.getfile(json)) is None


def test_the_root_is_the_nearest_directory_with_git_or_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname='x'\n", encoding="utf-8")
    (tmp_path / "src" / "app").mkdir(parents=True)
    assert find_root(tmp_path / "src" / "app") == tmp_path


def test_an_argument_reassigned_before_raising_shows_its_last_value() -> None:
    def shrink(count: int) -> None:
        count = count - 10
        raise RuntimeError(count)

    arguments = incident_of(raised(shrink, 3)).exception.frames[-1].arguments or ()
    assert arguments[0]["value"] == {"literal": "-7"}


class Hostile:
    def __repr__(self) -> str:
        raise RuntimeError("no repr for you")

    def __eq__(self, other: object) -> bool:
        raise RuntimeError("no eq either")

    __hash__ = object.__hash__


def test_an_argument_whose_repr_raises_is_kept_as_its_type() -> None:
    def handle(thing: Hostile) -> None:
        raise LookupError("missing")

    argument = (incident_of(raised(handle, Hostile())).exception.frames[-1].arguments or ())[0]
    assert argument["type"].endswith("Hostile")
    assert "raised" in argument["unrenderable"]
    assert argument["repr"].startswith("<Hostile instance at")  # reprlib's words for it


def test_an_exception_whose_str_raises_still_makes_an_incident() -> None:
    class Odd(Exception):
        def __str__(self) -> str:
            raise TypeError("no")

    assert incident_of(Odd()).exception.message == "<str() of the exception raised TypeError>"


def test_a_secret_in_an_argument_and_a_message_is_written_nowhere() -> None:
    def call_api(token: str, retries: int) -> None:
        raise PermissionError(f"rejected {token} for https://api.example.com?key={SECRET}")

    incident = incident_of(raised(call_api, SECRET, 3), secrets=(SECRET,))

    line = incident.to_line()
    assert SECRET not in line and SECRET[:12] not in line
    token, retries = incident.exception.frames[-1].arguments or ()
    assert token["unrenderable"] == "it holds a secret, redacted"
    assert token["repr"] == "'[REDACTED]'"
    assert retries["value"] == {"literal": "3"}
    assert "[REDACTED]" in incident.exception.message


def test_the_bounds_are_kept_and_what_they_leave_out_is_counted() -> None:
    def deep(n: int, payload: list[int]) -> None:
        if n == 0:
            raise OverflowError("x" * 5000)
        deep(n - 1, payload)

    limits = Limits(frames=10, argument_frames=3, characters=100, items=50)
    incident = incident_of(raised(deep, 30, list(range(100))), limits)

    frames = incident.exception.frames
    assert len(frames) == 10
    assert incident.dropped["frames"] == 32 - 10  # raised() and 31 calls of deep
    assert sum(frame.arguments is not None for frame in frames) == 3
    assert incident.dropped["arguments"] == 2 * 7
    assert incident.exception.message == "x" * 100 + "... (truncated)"
    assert incident.dropped["characters"] == 4900
    payload = (frames[-1].arguments or ())[1]
    assert payload["unrenderable"] == "more than 50 elements to describe"


def test_a_line_too_long_sheds_arguments_first() -> None:
    def keep(blob: str, other: str) -> None:
        raise ValueError("too much")

    limits = Limits(argument_characters=10_000, line_bytes=3000)
    incident = incident_of(raised(keep, "a" * 2500, "b" * 2500), limits)

    assert len(incident.to_line().encode()) <= 3000
    assert incident.dropped["arguments"] >= 2
    assert incident.exception.frames[-1].function.endswith("keep")


def deep(depth: int, label: str) -> None:
    if depth:
        deep(depth - 1, label)
    raise RecursionError(label)


def test_a_line_too_long_sheds_frames_outermost_first_only_as_many_as_it_must() -> None:
    bound = 4000
    incident = incident_of(raised(deep, 45, "é" * 50), Limits(argument_frames=2, line_bytes=bound))

    line = incident.to_line().encode()
    frames = incident.exception.frames
    assert len(line) <= bound and "arguments" in incident.dropped
    assert incident.dropped["frames"] == 47 - len(frames) and frames[-1].arguments is None
    # one more frame would not have fitted: what is left is less than a frame and the room the
    # counts of `dropped` may need
    assert bound - len(line) < len(json.dumps(incident.to_json()["chain"][0]["frames"][0])) + 100


def spread(*carts: Cart, owner: Cart, **more: Cart) -> None:
    raise ValueError("no")


def test_an_argument_that_cannot_be_rebuilt_keeps_the_kind_of_its_parameter() -> None:
    cart = Cart([])
    incident = incident_of(raised(spread, cart, owner=cart, extra=cart))

    found = {a["name"]: a for a in incident.exception.frames[-1].arguments or ()}
    assert {name: (a["kind"], "unrenderable" in a) for name, a in found.items()} == {
        "carts": ("varargs", True), "owner": ("keyword", True), "more": ("varkw", True)}


def test_type_names_are_module_qualified_and_builtins_bare() -> None:
    assert type_name(ValueError) == "ValueError"
    assert type_name(decimal.InvalidOperation) == "decimal.InvalidOperation"
    assert type_name(Cart).endswith("test_capture.Cart")


def test_a_bounded_repr_of_a_huge_value_is_short() -> None:
    assert len(bounded_repr(list(range(100_000)), Limits())) < 1000


@pytest.mark.parametrize("kind", ["static", "klass", "wrapped"])
def test_methods_and_decorated_functions_have_their_defaults(kind: str) -> None:
    incident = incident_of(raised(getattr(Shapes, kind), 2))
    arguments = {a["name"]: a for a in incident.exception.frames[-1].arguments or ()}
    assert arguments["scale"]["default"] is True


def _decorate(function: Any) -> Any:
    import functools

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return function(*args, **kwargs)
    return wrapper


class Shapes:
    @staticmethod
    def static(size: int, scale: int = 3) -> None:
        raise ArithmeticError(size * scale)

    @classmethod
    def klass(cls, size: int, scale: int = 3) -> None:
        raise ArithmeticError(size * scale)

    @staticmethod
    @_decorate
    def wrapped(size: int, scale: int = 3) -> None:
        raise ArithmeticError(size * scale)
