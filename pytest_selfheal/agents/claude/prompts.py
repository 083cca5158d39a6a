"""Prompts are package data files, rendered strictly: a missing variable is an error."""

from __future__ import annotations

from importlib import resources
from string import Template

from ...errors import AgentError


def render(name: str, **variables: object) -> str:
    """Fill `prompts/<name>.txt`; `$variable`s must all be supplied, and no extra ones."""
    text = resources.files(__package__).joinpath("prompts", f"{name}.txt").read_text(encoding="utf-8")
    template = Template(text)
    wanted = set(template.get_identifiers())
    missing, extra = wanted - variables.keys(), variables.keys() - wanted
    if missing or extra:
        raise AgentError(
            f"prompt {name!r}: missing variables {sorted(missing)}, unexpected {sorted(extra)}; "
            "the prompt file and its caller disagree"
        )
    return template.substitute({k: str(v) for k, v in variables.items()})
