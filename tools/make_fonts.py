"""Regenerate storymap/data/fonts/: the fonts of `storymap image`'s picture.

The source is DejaVu Sans 2.37 (Bitstream Vera licence, DejaVu's changes in the public domain,
https://dejavu-fonts.github.io/), as Debian's package ``fonts-dejavu-core`` installs it, a
build-time source only::

    apt-get install fonts-dejavu-core
    python -m pip install fonttools
    python tools/make_fonts.py

Each font is cut to the scripts a story's title is likely written in (:data:`RANGES`: Latin
with its extensions and diacritics, Greek, Cyrillic, Armenian, Hebrew, Arabic, Georgian, and
punctuation, arrows and symbols), with the OpenType tables Pillow's text layout uses for
Arabic joining and marks, and its hinting dropped: a few hundred kilobytes instead of 1.5 MB. A
title in a script outside them (Chinese, Japanese, Korean, Devanagari…) is drawn without the
letters the font lacks, and ``storymap image`` says so.

The output is deterministic: the same source, the same bytes.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from storymap.image import FONT_FILES, FONT_RANGES  # noqa: E402

SOURCE = Path("/usr/share/fonts/truetype/dejavu")
LICENCE = Path("/usr/share/doc/fonts-dejavu-core/copyright")


def subset(source: Path, out: Path) -> None:
    from fontTools import subset as ft

    options = ft.Options()
    options.layout_features = ["*"]  # joining forms, ligatures and marks, for Arabic and others
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.hinting = False
    options.desubroutinize = True
    options.recalc_timestamp = False  # the same source, the same bytes
    font = ft.load_font(str(source), options)
    subsetter = ft.Subsetter(options)
    subsetter.populate(unicodes=[c for lo, hi in FONT_RANGES for c in range(lo, hi + 1)])
    subsetter.subset(font)
    ft.save_font(font, str(out), options)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=SOURCE, help="where DejaVuSans*.ttf are")
    args = parser.parse_args(argv)
    folder = ROOT / "storymap" / "data" / "fonts"
    folder.mkdir(exist_ok=True)
    for name in FONT_FILES.values():
        out = folder / name
        subset(args.source / name, out)
        digest = hashlib.sha256((args.source / name).read_bytes()).hexdigest()
        print(f"{out.relative_to(ROOT)}: {out.stat().st_size:,} bytes (source SHA-256 {digest})")
    if LICENCE.exists():
        (folder / "LICENSE").write_text(LICENCE.read_text(encoding="utf-8"), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
