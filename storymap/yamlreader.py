"""YAML with a line for every field: the parser under :mod:`storymap.story`.

:func:`parse` gives the plain values of a YAML text (mappings, lists, scalars) and the line
of every field, by its path (``("journey", 2, "by")``), so that each problem can name
where it is. It refuses what a story never needs: keys that are not text, a key twice,
nesting deeper than ``MAX_YAML_DEPTH`` and more than ``MAX_YAML_NODES`` values (alias
bombs). Its errors are :class:`~storymap.errors.StoryError`, ``file:line: path: message``.
"""

from __future__ import annotations

from typing import Any

from storymap.errors import StoryError

MAX_YAML_NODES = 200_000  # bounds alias expansion ("billion laughs")
MAX_YAML_DEPTH = 24  # bounds nesting, and aliases that contain themselves

Path_ = tuple[Any, ...]  # a field path: ("journey", 2, "by")


def parse(text: str, file: str) -> tuple[Any, dict[Path_, int]]:
    import yaml

    # libyaml's parser when PyYAML has it (twenty times faster); on a syntax error the
    # pure-Python parser reads the text again, so that messages are the same everywhere.
    fast = getattr(yaml, "CSafeLoader", None)
    try:
        return _parse_with(fast or yaml.SafeLoader, text, file)
    except yaml.YAMLError as exc:
        if fast is None:
            raise _yaml_problem(exc, file) from None
    try:
        return _parse_with(yaml.SafeLoader, text, file)
    except yaml.YAMLError as exc:
        raise _yaml_problem(exc, file) from None


def _parse_with(loader_class: Any, text: str, file: str) -> tuple[Any, dict[Path_, int]]:
    loader = loader_class(text)
    try:
        try:
            node = loader.get_single_node()
        except RecursionError:
            raise StoryError.at(
                file, None, "", "nested too deeply; a story needs only a few levels"
            ) from None
        if node is None:
            raise StoryError.at(
                file, 1, "", "the story is empty; it needs at least title:, places: and journey:"
            )
        lines: dict[Path_, int] = {}
        budget = [MAX_YAML_NODES]
        value = _value(node, (), lines, loader, file, budget)
    finally:
        loader.dispose()
    return value, lines


def _yaml_problem(exc: Exception, file: str) -> StoryError:
    import yaml

    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        what = exc.problem or exc.context or "invalid YAML"
        return StoryError.at(
            file, line, "", f"not valid YAML: {what}; check indentation, colons and quotes"
        )
    return StoryError.at(file, None, "", f"not valid YAML: {exc}")


def _value(node: Any, path: Path_, lines: dict, loader: Any, file: str, budget: list[int]) -> Any:
    import yaml

    budget[0] -= 1
    if budget[0] < 0:
        raise StoryError.at(
            file,
            node.start_mark.line + 1,
            dotted(path),
            f"the story expands to more than {MAX_YAML_NODES:,} values (through YAML aliases?); "
            "write it out without deeply nested aliases",
        )
    if len(path) > MAX_YAML_DEPTH:
        raise StoryError.at(
            file,
            node.start_mark.line + 1,
            dotted(path[:MAX_YAML_DEPTH]),
            f"nested more than {MAX_YAML_DEPTH} levels deep (a YAML alias inside itself?); "
            "a story needs only a few levels",
        )
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise StoryError.at(
                    file,
                    key_node.start_mark.line + 1,
                    dotted(path),
                    "a key must be plain text; write 'name: value'",
                )
            key = str(key_node.value)
            if key in out:
                raise StoryError.at(
                    file,
                    key_node.start_mark.line + 1,
                    dotted((*path, key)),
                    "appears twice; keep one",
                )
            out[key] = _value(value_node, (*path, key), lines, loader, file, budget)
            lines[(*path, key)] = key_node.start_mark.line + 1  # point at the key, not below it
        return out
    if isinstance(node, yaml.SequenceNode):
        return [
            _value(item, (*path, i), lines, loader, file, budget)
            for i, item in enumerate(node.value)
        ]
    try:
        return loader.construct_object(node, deep=True)
    except (ValueError, yaml.constructor.ConstructorError) as exc:
        raise StoryError.at(
            file,
            node.start_mark.line + 1,
            dotted(path),
            f"cannot read {node.value!r} ({exc}); quote it to keep it as text",
        ) from None


def dotted(path: Path_) -> str:
    return ".".join(str(p) for p in path)
