"""Nested configuration data as json.loads returns it: flatten and rebuild dotted keys, merge
layers, look up paths and list the changes between two versions.
"""

from __future__ import annotations

from typing import Any

Config = dict[str, Any]


def flatten_list(items: list[Any]) -> list[Any]:
    """Every element of arbitrarily nested lists that is not itself a list, in order."""
    flat: list[Any] = []
    for item in items:
        if isinstance(item, list):
            flat.extend(flatten_list(item))
        else:
            flat.append(item)
    return flat


def depth(value: Any) -> int:
    """How deeply containers nest: 0 for a scalar, 1 for a list or dict of scalars (or none)."""
    if isinstance(value, dict):
        children = list(value.values())
    elif isinstance(value, list):
        children = value
    else:
        return 0
    return 1 + max((depth(child) for child in children), default=0)


def count_leaves(value: Any) -> int:
    """Scalars inside `value`, at any depth."""
    if isinstance(value, dict):
        return sum(count_leaves(child) for child in value.values())
    if isinstance(value, list):
        return sum(count_leaves(child) for child in value)
    return 1


def flatten_keys(data: Config, prefix: str = "", separator: str = ".") -> dict[str, Any]:
    """{"db": {"port": 1}} -> {"db.port": 1}; an empty dict stays, as a leaf."""
    flat: dict[str, Any] = {}
    for key, value in data.items():
        path = prefix + separator + key if prefix else key
        if isinstance(value, dict) and value:
            flat.update(flatten_keys(value, path, separator))
        else:
            flat[path] = value
    return flat


def unflatten_keys(flat: dict[str, Any], separator: str = ".") -> Config:
    """The inverse of flatten_keys."""
    data: Config = {}
    for path, value in flat.items():
        *parents, last = path.split(separator)
        node = data
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = value
    return data


def merge(base: Config, override: Config) -> Config:
    """A new dict where `override` wins and nested dicts merge key by key; the inputs stay as
    they are, so one base can serve several overrides."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def get_path(data: Any, path: str, default: Any = None) -> Any:
    """`get_path(config, "servers.0.host")`: dict keys and list indexes; `default` when missing."""
    node = data
    for part in path.split("."):
        if isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        elif isinstance(node, dict) and part in node:
            node = node[part]
        else:
            return default
    return node


def diff(old: Config, new: Config, prefix: str = "") -> list[str]:
    """Changes from `old` to `new` in key order: "+ a.b" added, "- a.c" removed, "~ a.d: 1 -> 2"."""
    changes: list[str] = []
    for key in sorted(old.keys() | new.keys()):
        path = prefix + key
        if key not in new:
            changes.append(f"- {path}")
        elif key not in old:
            changes.append(f"+ {path}")
        elif isinstance(old[key], dict) and isinstance(new[key], dict):
            changes.extend(diff(old[key], new[key], path + "."))
        elif old[key] != new[key]:
            changes.append(f"~ {path}: {old[key]!r} -> {new[key]!r}")
    return changes
