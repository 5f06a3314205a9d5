"""Reading user-written YAML (policy packs, inventories, stormguard.yaml) without surprises.

PyYAML alone lets three kinds of bad input escape as something other than a one-line
:class:`~stormguard.errors.ConfigError`:

* its error messages quote the offending token, and the token is often a secret: a password
  that begins with ``*`` is read as an alias (``found undefined alias 'S3cret'``), one that begins
  with ``!`` as a tag. Messages made here never quote more than two characters.
* an "alias bomb" (a few lines of anchors that expand to billions of nodes) loads in a blink as
  shared references, but every walk over the node tree (line numbers, validation) expands it and
  hangs. :func:`compose` measures the expanded size first and refuses what is absurd.
* some values fail while being constructed with plain ``ValueError`` (``2027-13-45`` looks like a
  date), deep nesting with ``RecursionError``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from stormguard.errors import ConfigError

#: Expanded nodes a file may hold. A 10,000-host inventory is ~200,000; a bomb is billions.
MAX_NODES = 1_000_000
#: Nesting depth; real files stay under 10.
MAX_DEPTH = 200

_QUOTED = re.compile(r"'(?!<)[^']{3,}'|\"(?!<)[^\"]{3,}\"")  # not '<scalar>' tokens


def problem_text(exc: yaml.YAMLError) -> str:
    """The problem a YAML error describes, with any quoted token (possibly a secret) hidden."""
    problem = str(getattr(exc, "problem", None) or getattr(exc, "context", None)
                  or str(exc).splitlines()[0])
    if problem.startswith("found undefined alias"):
        return "found undefined alias: a value starting with '*' must be quoted"
    if "constructor for the tag" in problem:
        return "unknown YAML tag: a value starting with '!' must be quoted"
    return _QUOTED.sub("'...'", problem)


def _line(exc: yaml.YAMLError) -> int | None:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    return mark.line + 1 if mark is not None else None


def yaml_error(where: str, exc: yaml.YAMLError) -> ConfigError:
    """A one-line ConfigError ``where:line: invalid YAML: problem`` for `exc`."""
    line = _line(exc)
    at = f"{where}:{line}" if line else where
    return ConfigError(f"{at}: invalid YAML: {problem_text(exc)}")


def check_size(node: yaml.Node | None, where: str) -> None:
    """Refuse alias bombs and absurd nesting before anything walks the tree.

    Aliases make the node tree a DAG; its expanded size is computed once per distinct node,
    so this costs time linear in the file, not in the expansion.
    """
    if node is None:
        return
    sizes: dict[int, int] = {}
    # iterative post-order walk: no recursion limit to trip over
    stack: list[tuple[yaml.Node, int, bool]] = [(node, 1, False)]
    while stack:
        n, depth, done = stack.pop()
        if id(n) in sizes:
            continue
        if depth > MAX_DEPTH:
            raise ConfigError(f"{where}:{n.start_mark.line + 1}: invalid YAML: nested more "
                              f"than {MAX_DEPTH} levels deep")
        children = _children(n)
        if not done:
            stack.append((n, depth, True))
            stack.extend((c, depth + 1, False) for c in children if id(c) not in sizes)
            continue
        total = 1 + sum(sizes.get(id(c), 1) for c in children)
        if total > MAX_NODES:
            raise ConfigError(f"{where}:{n.start_mark.line + 1}: invalid YAML: expands to more "
                              f"than {MAX_NODES:,} values (aliases nested too deep?)")
        sizes[id(n)] = total


def _children(n: yaml.Node) -> list[yaml.Node]:
    if isinstance(n, yaml.MappingNode):
        return [x for kv in n.value for x in kv]
    if isinstance(n, yaml.SequenceNode):
        return list(n.value)
    return []


#: libyaml when PyYAML was built with it: ~10x faster on a 10,000-host inventory.
FAST_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def compose(text: str, where: str, loader: Any = None) -> yaml.Node | None:
    """``yaml.compose`` with one-line errors, after :func:`check_size`."""
    loader = loader or FAST_LOADER
    try:
        node = yaml.compose(text, Loader=loader)
    except yaml.YAMLError as exc:
        if loader is not yaml.SafeLoader:  # the pure-Python parser says what it found
            compose(text, where, yaml.SafeLoader)
        raise yaml_error(where, exc) from None
    except RecursionError:
        raise ConfigError(f"{where}: invalid YAML: nested too deep") from None
    check_size(node, where)
    return node


def construct(node: yaml.Node | None, where: str) -> Any:
    """Plain Python data from a node tree (safe tags only), with one-line errors."""
    if node is None:
        return None
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_document(node)
    except yaml.YAMLError as exc:
        raise yaml_error(where, exc) from None
    except (ValueError, TypeError, OverflowError) as exc:  # e.g. a date like 2027-13-45
        line = _bad_scalar_line(node)
        at = f"{where}:{line}" if line else where
        raise ConfigError(f"{at}: invalid YAML value: {exc}") from None
    finally:
        loader.dispose()


def _bad_scalar_line(node: yaml.Node) -> int | None:
    """The line of the first scalar the safe constructor cannot build."""
    ctor = yaml.constructor.SafeConstructor()
    stack = [node]
    seen: set[int] = set()
    while stack:
        n = stack.pop()
        if id(n) in seen:
            continue
        seen.add(id(n))
        if isinstance(n, yaml.ScalarNode):
            try:
                ctor.construct_object(n)
            except Exception:
                return n.start_mark.line + 1
        else:
            stack.extend(reversed(_children(n)))
    return None


def load(text: str, where: str) -> tuple[Any, yaml.Node | None]:
    """(data, node tree) of a YAML document; every problem is a one-line ConfigError."""
    node = compose(text, where)
    return construct(node, where), node


def first_duplicate_key(node: yaml.Node | None) -> tuple[str, int, int] | None:
    """(dotted key path, line, line of the first occurrence) of the first key written twice in
    one mapping, or None. PyYAML silently keeps the last one: a setting quietly overridden."""
    stack: list[tuple[yaml.Node, tuple[str, ...]]] = [(node, ())] if node is not None else []
    seen: set[int] = set()
    while stack:
        n, path = stack.pop()
        if id(n) in seen:
            continue
        seen.add(id(n))
        if isinstance(n, yaml.MappingNode):
            first: dict[str, int] = {}
            for k, v in n.value:
                name = str(k.value)
                if name in first:
                    return ".".join((*path, name)), k.start_mark.line + 1, first[name]
                first[name] = k.start_mark.line + 1
                stack.append((v, (*path, name)))
        elif isinstance(n, yaml.SequenceNode):
            stack.extend((v, (*path, str(i))) for i, v in enumerate(n.value))
    return None


def load_settings_file(path: Path) -> tuple[Any, yaml.Node | None]:
    """Read and load a settings file (stormguard.yaml): one-line errors for an unreadable file,
    bad YAML, and a key written twice in one mapping."""
    from stormguard.readlimits import MAX_SETTINGS_BYTES, read_text

    try:
        text = read_text(path, MAX_SETTINGS_BYTES, "config file")
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found") from None
    doc, node = load(text, str(path))
    dup = first_duplicate_key(node)
    if dup is not None:
        raise ConfigError(f"{path}:{dup[1]}: {dup[0]}: duplicate key (first at line {dup[2]})")
    return doc, node
