"""YAML with a line for every field: the parser under :mod:`storymap.story`.

:func:`parse` gives the plain values of a YAML text (mappings, lists, scalars) and the line
of every field, by its path (``("journey", 2, "by")``), so that each problem can name
where it is. It refuses what a story never needs: keys that are not text, a key twice,
nesting deeper than ``MAX_YAML_DEPTH``, more than ``MAX_YAML_NODES`` values and more than
``MAX_YAML_BYTES`` of text, counted after aliases are expanded (alias bombs), and text that
no file can hold (a lone surrogate such as ``"\\uD800"``). Its errors are
:class:`~storymap.errors.StoryError`, ``file:line: path: message``.
"""

from __future__ import annotations

from typing import Any

from storymap.errors import StoryError

MAX_YAML_NODES = 200_000  # bounds alias expansion ("billion laughs")
MAX_YAML_DEPTH = 24  # bounds nesting, and aliases that contain themselves
MAX_YAML_BYTES = 20_000_000  # bounds the text of a story once its aliases are expanded

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
            raise _yaml_problem(exc, file, text) from None
    try:
        return _parse_with(yaml.SafeLoader, text, file)
    except yaml.YAMLError as exc:
        raise _yaml_problem(exc, file, text) from None


class _Budget:
    """What is left of the values and the bytes of text a story may expand to."""

    def __init__(self) -> None:
        self.nodes = MAX_YAML_NODES
        self.bytes = MAX_YAML_BYTES


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
        budget = _Budget()
        value = _value(node, (), lines, loader, file, budget)
    finally:
        loader.dispose()
    return value, lines


def _yaml_problem(exc: Exception, file: str, text: str) -> StoryError:
    import yaml

    if isinstance(exc, yaml.reader.ReaderError):
        line = text.count("\n", 0, exc.position) + 1
        char = exc.character if isinstance(exc.character, str) else chr(exc.character)
        return StoryError.at(
            file,
            line,
            "",
            f"holds the character {char!r}, which YAML does not allow; remove it "
            "(a NUL or another control character usually comes from a broken copy)",
        )

    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        what = exc.problem or exc.context or "invalid YAML"
        return StoryError.at(
            file, line, "", f"not valid YAML: {what}; check indentation, colons and quotes"
        )
    return StoryError.at(file, None, "", f"not valid YAML: {exc}")


def _text(text: str, node: Any, path: Path_, file: str, budget: _Budget, what: str = "text") -> str:
    """``text`` counted against the budget of bytes, and refused if no file can hold it."""
    try:
        size = len(text) if text.isascii() else len(text.encode("utf-8"))
    except UnicodeEncodeError as exc:
        raise StoryError.at(
            file,
            node.start_mark.line + 1,
            dotted(path),
            f"the {what} holds a lone surrogate ({text[exc.start]!r}, "
            f"character {exc.start + 1}) that cannot be encoded as UTF-8; "
            "remove the \\uD800-\\uDFFF escape, or write the character itself",
        ) from None
    budget.bytes -= size
    if budget.bytes < 0:
        raise StoryError.at(
            file,
            node.start_mark.line + 1,
            dotted(path),
            f"the story expands to more than {MAX_YAML_BYTES:,} bytes of text "
            "(through YAML aliases?); write it out without aliases that repeat long text",
        )
    return text


def _value(node: Any, path: Path_, lines: dict, loader: Any, file: str, budget: _Budget) -> Any:
    import yaml

    budget.nodes -= 1
    if budget.nodes < 0:
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
            key = _text(str(key_node.value), key_node, path, file, budget, "key")
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
        value = loader.construct_object(node, deep=True)
    except (ValueError, yaml.constructor.ConstructorError) as exc:
        raise StoryError.at(
            file,
            node.start_mark.line + 1,
            dotted(path),
            f"cannot read {node.value!r} ({exc}); quote it to keep it as text",
        ) from None
    return _text(value, node, path, file, budget) if isinstance(value, str) else value


def dotted(path: Path_) -> str:
    return ".".join(str(p) for p in path)
