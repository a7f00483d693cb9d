"""Writing one section of docs/benchmarks.md, leaving the other sections as they are."""

from __future__ import annotations

import datetime as dt
import os
import platform
from pathlib import Path

NEW_FILE = (
    "# Benchmarks\n\n"
    "Measured, not asserted: each section is written by a script in `bench/`, which says how "
    "to run it again.\n\n"
)


def replace_section(text: str, section: str, heading: str) -> str:
    """``text`` with the section under ``heading`` replaced by ``section``, or with it added.

    A section runs from its ``## `` heading to the next one; headings inside code fences do
    not count.
    """
    lines = text.splitlines(keepends=True)
    start = end = None
    fenced = False
    for i, line in enumerate(lines):
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        if fenced:
            continue
        if start is None and line.rstrip() == heading:
            start = i
        elif start is not None and line.startswith("## "):
            end = i
            break
    if start is None:
        head = text.rstrip("\n")
        return (head + "\n\n" if head else "") + section
    if end is None:
        end = len(lines)
    tail = "".join(lines[end:])
    return "".join(lines[:start]) + section + ("\n" + tail if tail else "")


def write_section(path: Path, section: str, heading: str) -> None:
    text = path.read_text(encoding="utf-8") if path.exists() else NEW_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(replace_section(text, section, heading), encoding="utf-8")


def machine() -> dict[str, str]:
    """What every benchmark section says of the machine it ran on."""
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count() or 0
    return {
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": str(usable),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "platform": platform.platform(terse=True),
        "load": load_average(),
    }


def load_average() -> str:
    if not hasattr(os, "getloadavg"):
        return "?"
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())
