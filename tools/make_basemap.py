"""Regenerate storymap/data/basemap-110m.npz, -50m.npz and -10m.npz, the offline basemap.

The source is Natural Earth's 1:110m, 1:50m and 1:10m Admin 0 countries (public domain), as
TopoJSON in the ``world-atlas`` npm package (ISC licence), a build-time source only::

    cd /tmp && npm pack world-atlas@2.0.2          # writes /tmp/world-atlas-2.0.2.tgz
    python tools/make_basemap.py /tmp/world-atlas-2.0.2.tgz            # every scale
    python tools/make_basemap.py /tmp/world-atlas-2.0.2.tgz --scale 10m

The files have the same form; only the source file (``countries-110m.json``,
``countries-50m.json`` or ``countries-10m.json``) differs.

It keeps the topology's arcs, so that land, coasts and borders share their edges and stay in
register after simplification:

- an arc used by one country is a **coast**, one shared by two countries a **border**;
- Natural Earth cuts a few islands along the 180° meridian, and the south pole closes Antarctica:
  those pieces of the outlines are **edges**, used to fill the land but never drawn as a line;
- longitudes are unwrapped along each arc (TopoJSON jumps from +180 to −180), so Chukotka lies at
  up to 190° east, and each land ring is made continuous; Antarctica's ring, which goes once
  round the globe, is closed along the pole by an added edge;
- outer rings run anticlockwise and holes clockwise (RFC 7946), and each arc of the land is
  stored the way its ring runs it, so a coast has the land on its left.

The ``.npz`` holds plain integer arrays (read with ``numpy.load(allow_pickle=False)``):

=============  ================================================================================
``xy``         int32 (n, 2): the quantized points of every arc, one after the other, as deltas
               from the point before (the first from (0, 0)); a cumulative sum gives them back
``arc_start``  int32 (arcs + 1): where each arc's points begin in ``xy``
``arc_kind``   int8 (arcs): 0 coast, 1 border, 2 edge
``ring_ref``   int32: the arcs of each land ring in order; ``~i`` is arc ``i`` reversed
``ring_shift`` int8: per entry of ``ring_ref``, turns of 360° to add so the ring is continuous
``ring_start`` int32 (rings + 1): where each ring begins in ``ring_ref``
``poly_start`` int32 (polygons + 1): where each polygon's rings begin; its first is the shell
``meta``       uint8: UTF-8 JSON: the transform, the source and its SHA-256
=============  ================================================================================

A longitude is ``x * scale[0] + translate[0]``, a latitude ``y * scale[1] + translate[1]``; 360°
is exactly ``turn`` units of x. The output is deterministic: the same source, the same bytes.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import sys
import tarfile
import zipfile
from pathlib import Path

import numpy as np

DATA = Path(__file__).resolve().parent.parent / "storymap" / "data"
SCALES = ("110m", "50m", "10m")
COAST, BORDER, EDGE = 0, 1, 2
CUT_SLACK = 2  # units of x: how far from the 180° meridian a point is taken to be on it


def read_source(path: Path, scale: str) -> tuple[bytes, str]:
    """The TopoJSON's bytes, from the npm tarball or the extracted ``countries-SCALE.json``."""
    if path.name.endswith((".tgz", ".tar.gz")):
        with tarfile.open(path) as tar:
            package = json.load(tar.extractfile("package/package.json"))
            raw = tar.extractfile(f"package/countries-{scale}.json").read()
        return raw, f"{package['name']}@{package['version']}"
    return path.read_bytes(), path.name


def _rings(geometry: dict) -> list[list[list[int]]]:
    if geometry["type"] == "Polygon":
        return [geometry["arcs"]]
    if geometry["type"] == "MultiPolygon":
        return geometry["arcs"]
    return []


def _oriented(pieces: list[np.ndarray], ref: int) -> np.ndarray:
    return pieces[ref] if ref >= 0 else pieces[~ref][::-1]


def _area(ring: np.ndarray) -> float:
    x, y = ring[:, 0].astype(np.float64), ring[:, 1].astype(np.float64)
    return float((x[:-1] * y[1:] - x[1:] * y[:-1]).sum() / 2)


def build(topology: dict) -> dict[str, np.ndarray]:
    """The arrays of the ``.npz`` from a decoded world-atlas TopoJSON topology."""
    sx, sy = topology["transform"]["scale"]
    tx, ty = topology["transform"]["translate"]
    turn = round(360 / sx)
    if abs(turn * sx - 360) > 1e-9 or tx != -180:
        raise SystemExit("the source's transform does not map 360° to a whole number of units")

    uses = np.zeros(len(topology["arcs"]), dtype=np.int64)
    for country in topology["objects"]["countries"]["geometries"]:
        for polygon in _rings(country):
            for ring in polygon:
                for ref in ring:
                    uses[ref if ref >= 0 else ~ref] += 1
    if uses.min() < 1:
        raise SystemExit("an arc is used by no country")
    # At 1:10m one arc a single unit long, where Israel, Palestine and Jordan meet by the Dead
    # Sea, is used six times, back and forth: a border (the land check below makes sure no such
    # arc is on the land's outline).

    # Split each arc where it runs along the 180° meridian or along the pole; unwrap longitudes.
    pieces: list[np.ndarray] = []
    kinds: list[int] = []
    split: list[list[int]] = []  # source arc -> its pieces, in order
    for i, arc in enumerate(topology["arcs"]):
        raw = np.cumsum(np.asarray(arc, dtype=np.int64), axis=0)
        # At 1:10m the cuts along the 180° meridian wander up to two units off it (0.007°):
        # put those points on it, so the cut is an edge and not a coast (1:50m has none).
        raw[:, 0] = np.where(raw[:, 0] <= CUT_SLACK, 0, raw[:, 0])
        raw[:, 0] = np.where(raw[:, 0] >= turn - CUT_SLACK, turn, raw[:, 0])
        x, y = raw[:, 0], raw[:, 1]
        on = (x == 0) | (x == turn)  # on the 180° meridian (from either side)
        meridian = on[:-1] & on[1:] & (y[1:] != y[:-1])
        pole = (y[:-1] == 0) & (y[1:] == 0)
        edge = meridian | pole
        jumps = np.diff(x)
        shift = np.concatenate([[0], np.cumsum(-np.round(jumps / turn).astype(np.int64))])
        points = np.column_stack([x + shift * turn, y])
        kind = COAST if uses[i] == 1 else BORDER
        split.append([])
        start = 0
        for k in range(1, len(edge) + 1):
            if k == len(edge) or edge[k] != edge[start]:
                piece = points[start : k + 1]
                keep = np.concatenate([[True], np.any(piece[1:] != piece[:-1], axis=1)])
                if keep.sum() >= 2:  # a piece that the snapping above made a point is left out
                    split[i].append(len(pieces))
                    pieces.append(piece[keep])
                    kinds.append(EDGE if edge[start] else kind)
                start = k

    def refs(ref: int) -> list[int]:
        return split[ref] if ref >= 0 else [~p for p in reversed(split[~ref])]

    def first_last(ref: int) -> tuple[np.ndarray, np.ndarray]:
        p = pieces[ref if ref >= 0 else ~ref]
        return (p[0], p[-1]) if ref >= 0 else (p[-1], p[0])

    ring_ref: list[int] = []
    ring_shift: list[int] = []
    ring_start = [0]
    poly_start = [0]
    (land,) = topology["objects"]["land"]["geometries"]
    for polygon in _rings(land):
        before = len(ring_start)
        for ring in polygon:
            ring_refs = [r for ref in ring for r in refs(ref)]
            if all(kinds[r if r >= 0 else ~r] == EDGE for r in ring_refs):
                continue  # a ring along the pole alone: no area
            shifts = []
            end = None
            for r in ring_refs:
                first, last = first_last(r)
                k = 0 if end is None else round((end[0] - first[0]) / turn)
                if end is not None and (first[0] + k * turn != end[0] or first[1] != end[1]):
                    raise SystemExit(f"ring arcs do not meet at arc {r}")
                shifts.append(k)
                end = (last[0] + k * turn, last[1])
            start_point = first_last(ring_refs[0])[0]
            if end[0] != start_point[0]:
                # Goes once round the globe: close it along the nearer pole with an edge.
                pole_y = 0 if end[1] * sy + ty < 0 else round((90 - ty) / sy)
                closing = np.array(
                    [end, (end[0], pole_y), (start_point[0], pole_y), start_point], dtype=np.int64
                )
                ring_refs.append(len(pieces))
                shifts.append(0)
                pieces.append(closing)
                kinds.append(EDGE)
            # Outer rings anticlockwise, holes clockwise, as RFC 7946 has them.
            points = np.concatenate(
                [
                    _oriented(pieces, r)[1 if j else 0 :] + (k * turn, 0)
                    for j, (r, k) in enumerate(zip(ring_refs, shifts, strict=True))
                ]
            )
            outer = len(ring_start) == before
            if (_area(points) > 0) != outer:
                ring_refs = [~r for r in reversed(ring_refs)]
                shifts = shifts[::-1]
            ring_ref.extend(ring_refs)
            ring_shift.extend(shifts)
            ring_start.append(len(ring_ref))
        if len(ring_start) > before:
            poly_start.append(len(ring_start) - 1)

    # Store each arc of the land the way its ring runs: coasts then have the land on their left,
    # and the page's land outlines repeat the coast lines point for point, which compresses well.
    seen: set[int] = set()
    for k, ref in enumerate(ring_ref):
        i = ref if ref >= 0 else ~ref
        if i in seen:
            raise SystemExit(f"arc {i} is used twice by the land")
        if kinds[i] != EDGE and kinds[i] != COAST:
            raise SystemExit(f"arc {i} of the land's outline is shared by countries")
        seen.add(i)
        if ref < 0:
            pieces[i] = pieces[i][::-1]
            ring_ref[k] = i

    arc_start = np.cumsum([0] + [len(p) for p in pieces])
    xy = np.concatenate(pieces)
    deltas = np.diff(xy, axis=0, prepend=np.zeros((1, 2), dtype=np.int64))
    return {
        "xy": deltas.astype(np.int32),
        "arc_start": arc_start.astype(np.int32),
        "arc_kind": np.asarray(kinds, dtype=np.int8),
        "ring_ref": np.asarray(ring_ref, dtype=np.int32),
        "ring_shift": np.asarray(ring_shift, dtype=np.int8),
        "ring_start": np.asarray(ring_start, dtype=np.int32),
        "poly_start": np.asarray(poly_start, dtype=np.int32),
    }


def write_npz(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """Write ``arrays`` as a ``.npz`` with fixed timestamps, so that it is reproducible."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, array in arrays.items():
            entry = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            data = io.BytesIO()
            np.lib.format.write_array(data, np.ascontiguousarray(array), allow_pickle=False)
            archive.writestr(entry, data.getvalue(), compresslevel=9)
    path.write_bytes(buffer.getvalue())


def make(source: Path, scale: str, output: Path) -> None:
    """Write the ``.npz`` of ``scale`` ("50m" or "10m") from ``source`` to ``output``."""
    raw, origin = read_source(source, scale)
    topology = json.loads(raw)
    arrays = build(topology)
    meta = {
        "source": f"Natural Earth 1:{scale} Admin 0 countries (public domain)",
        "package": origin,
        "file": f"countries-{scale}.json",
        "sha256": hashlib.sha256(raw).hexdigest(),
        "scale": topology["transform"]["scale"],
        "translate": topology["transform"]["translate"],
        "turn": round(360 / topology["transform"]["scale"][0]),
    }
    text = json.dumps(meta, sort_keys=True, separators=(",", ":"))
    arrays["meta"] = np.frombuffer(text.encode(), dtype=np.uint8)
    write_npz(output, arrays)
    kinds = np.bincount(arrays["arc_kind"], minlength=3).tolist()
    print(
        f"{output}: {len(arrays['xy'])} points in {len(arrays['arc_kind'])} arcs "
        f"(coast {kinds[0]}, border {kinds[1]}, edge {kinds[2]}), "
        f"{len(arrays['ring_start']) - 1} rings in {len(arrays['poly_start']) - 1} polygons, "
        f"{output.stat().st_size:,} bytes",
        file=sys.stderr,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "source", type=Path, help="world-atlas-2.x.tgz, or its countries-50m.json or -10m.json"
    )
    parser.add_argument("--scale", choices=SCALES, help="one scale only (default: both)")
    parser.add_argument("-o", "--output", type=Path, help="the .npz (with --scale only)")
    args = parser.parse_args(argv)

    scales = [args.scale] if args.scale else list(SCALES)
    if not args.source.name.endswith((".tgz", ".tar.gz")) and not args.scale:
        found = [s for s in SCALES if f"-{s}." in args.source.name]
        if len(found) != 1:
            parser.error("give --scale for a .json source")
        scales = found
    if args.output and len(scales) != 1:
        parser.error("-o needs --scale")
    for scale in scales:
        make(args.source, scale, args.output or DATA / f"basemap-{scale}.npz")
    return 0


if __name__ == "__main__":
    sys.exit(main())
