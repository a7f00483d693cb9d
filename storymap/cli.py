"""The command line: ``storymap build``, ``validate``, ``export``, ``geocode``, ``draft``,
``import``, ``watch``, ``embed`` and ``image`` (``storymap COMMAND --help`` describes each).

The only module that prints errors and chooses exit codes: 0 on success, 1 when the
output cannot be written or a geocoding service fails, 2 for a bad story or bad
arguments, 130 when interrupted. Whatever it prints that may come from a story goes
through :func:`_say`, which shows control characters escaped.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from storymap import __version__
from storymap.build import DEFAULT_STORY, UNSET
from storymap.console import printable, printable_json
from storymap.errors import GeocodingError, OutputError, StoryError
from storymap.files import RefusedOutputError
from storymap.model import LAYOUTS

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 130


class _Parser(argparse.ArgumentParser):
    """Says what is wrong with the arguments in one line (not the whole usage), exit 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: {message}; see {self.prog} --help\n")


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(
            f"'{text}' is not a port; use a number from 1 to 65535, or 0 for any free port"
        )
    return port


def _story_argument(parser: argparse.ArgumentParser, *, optional: bool) -> None:
    if optional:
        parser.add_argument(
            "story",
            nargs="?",
            default=str(DEFAULT_STORY),
            help=f"the story file (default: {DEFAULT_STORY})",
        )
    else:
        parser.add_argument("story", help="the story file (YAML)")


def _outside_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--allow-outside",
        action="store_true",
        help="let the story name route and media files outside its own folder (off, so that a "
        "story from elsewhere cannot put other files of yours into a page)",
    )


def _geocoder_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("online geocoding (off unless asked for)")
    group.add_argument(
        "--geocoder",
        metavar="NAME",
        help="look up places that have no coordinates with this online service (nominatim); "
        "results are kept in geocache.json beside the story",
    )
    group.add_argument(
        "--user-agent",
        metavar="NAME",
        help="identify yourself to the geocoding service, as its usage policy asks",
    )


def _output_argument(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument("-o", "--output", metavar="OUT", help=what)


def _force_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--force", action="store_true", help="replace OUT if it exists (default: refuse)"
    )


def _map_arguments(parser: argparse.ArgumentParser, *, described: bool) -> None:
    """--tiles, --tiles-key, --no-basemap and --layout; with ``described``, the full help and
    --resources (build), else help that points to build (watch)."""
    parser.add_argument(
        "--tiles",
        metavar="NAME|none",
        help="map tiles: an xyzservices provider name such as OpenStreetMap.Mapnik, OpenTopoMap "
        "or Esri.WorldImagery, or none for a page that requests nothing (default: the story's "
        "tiles: field, else OpenStreetMap.Mapnik)"
        if described
        else "as for build",
    )
    parser.add_argument(
        "--tiles-key",
        metavar="KEY",
        help="the API key of a tile provider that needs one (it is written into the page)"
        if described
        else "as for build",
    )
    parser.add_argument(
        "--no-basemap",
        dest="basemap",
        action="store_false",
        help="leave out the offline vector basemap (coasts, borders) that shows without tiles"
        if described
        else "as for build",
    )
    parser.add_argument(
        "--layout",
        choices=LAYOUTS,
        help="panel: one chapter at a time beside the map; scroll: the story as an article that "
        "scrolls beside the map, which follows the chapter in the middle of the window "
        "(default: the story's layout: field, else panel)"
        if described
        else "as for build",
    )
    if described:
        parser.add_argument(
            "--resources",
            choices=("inline", "cdn"),
            default="inline",
            help="inline: Leaflet inside the page (default, works offline); cdn: a smaller page "
            "that loads Leaflet from unpkg.com",
        )


def _strict_argument(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--strict",
        action="store_true",
        help="treat warnings (an impossible speed, a land leg across the sea, a coordinate "
        "without a source, a doubtful place name) as errors: exit 2, write nothing",
    )


def _say(text: object, *, err: bool = False, lines: bool = False) -> None:
    """Print one message (with ``lines``, several lines) to standard output, or with ``err``
    to standard error, its control characters escaped: a story's text cannot colour the
    terminal, move its cursor or rewrite a line printed before."""
    print(printable(text, lines=lines), file=sys.stderr if err else sys.stdout, flush=True)


def _warn(warnings: Sequence[object]) -> None:
    for warning in warnings:
        _say(f"warning: {warning}", err=True)


def _command(
    commands: argparse._SubParsersAction,
    name: str,
    handler: Callable[[argparse.Namespace], int],
    *,
    help: str,
    description: str,
) -> argparse.ArgumentParser:
    command = commands.add_parser(name, help=help, description=description)
    command.set_defaults(handler=handler)
    return command


def add_build(commands: argparse._SubParsersAction) -> None:
    build = _command(
        commands,
        "build",
        run_build,
        help="write the story's page",
        description="Write the story as one self-contained HTML page. With no STORY, builds "
        f"{DEFAULT_STORY} and every other {DEFAULT_STORY.parent}/story*.yaml (one per language, "
        "such as story.ru.yaml), each into output/<name>.html.",
    )
    build.add_argument(
        "story",
        nargs="?",
        help=f"the story file (default: {DEFAULT_STORY} and every "
        f"{DEFAULT_STORY.parent}/story*.yaml)",
    )
    _output_argument(
        build,
        "the page to write, or a folder for it (default: output/STORY.html); with no STORY and "
        "several stories, a folder for all their pages",
    )
    _map_arguments(build, described=True)
    build.add_argument(
        "--url",
        metavar="URL",
        help="the page's public address (default: the story's url: field): the page gets share "
        "cards naming it, and the picture of the journey is written beside the page",
    )
    _outside_argument(build)
    _geocoder_arguments(build)
    _strict_argument(build)


def add_validate(commands: argparse._SubParsersAction) -> None:
    validate = _command(
        commands,
        "validate",
        run_validate,
        help="check a story and its files, write nothing",
        description="Check a story, its places and its route and media files; writes nothing.",
    )
    _story_argument(validate, optional=False)
    _outside_argument(validate)
    _geocoder_arguments(validate)
    _strict_argument(validate)
    validate.add_argument(
        "--json",
        action="store_true",
        help="print the result as JSON (the looked-up places, the warnings) for scripts",
    )


def add_export(commands: argparse._SubParsersAction) -> None:
    export = _command(
        commands,
        "export",
        run_export,
        help="write the story's chapters and legs as GeoJSON or GPX",
        description="Write the story's chapters and legs as GeoJSON (a Point per chapter and a "
        "line per leg) or as GPX (a waypoint per chapter and a track per leg).",
    )
    _story_argument(export, optional=False)
    _output_argument(
        export,
        "the .geojson or .gpx file to write, or a folder for STORY.geojson (default: standard "
        "output)",
    )
    export.add_argument(
        "--format",
        choices=("geojson", "gpx"),
        help="GeoJSON (a Point per chapter, a line per leg) or GPX (a waypoint per chapter, a "
        "track per leg); default: from OUT's extension, else geojson",
    )
    _outside_argument(export)
    _geocoder_arguments(export)


def add_geocode(commands: argparse._SubParsersAction) -> None:
    geocode = _command(
        commands,
        "geocode",
        run_geocode,
        help="look up places that have no coordinates online, into the story's cache",
        description="Look up the places of a story that have no lat/lon and are not in the "
        "offline gazetteer, with an online geocoder: one request a second at most, with "
        "retries and back-off. Results go into geocache.json beside the story (written "
        "atomically, each with its provider, query and date); later builds read them there "
        "and stay offline.",
    )
    _story_argument(geocode, optional=False)
    _outside_argument(geocode)
    geocode.add_argument(
        "--geocoder", metavar="NAME", required=True, help="the online service: nominatim"
    )
    geocode.add_argument(
        "--user-agent",
        metavar="NAME",
        required=True,
        help="identify yourself to the service, as its usage policy asks",
    )
    geocode.add_argument(
        "--refresh", action="store_true", help="ask again for places already in the cache"
    )
    geocode.add_argument(
        "--geocoder-url",
        metavar="URL",
        help="the service's address, for a self-hosted instance (e.g. http://127.0.0.1:8080); "
        "default: the service's public one",
    )


def add_draft(commands: argparse._SubParsersAction) -> None:
    draft = _command(
        commands,
        "draft",
        run_draft,
        help="draft a story from an article: the places it names, in the order it tells them",
        description="Find the places an article names (in storymap's offline gazetteer, and "
        "with --geonames in GeoNames cities), in the order the text tells them, and write a "
        "draft story: a chapter per place with the sentences that mention it, modes guessed "
        "from words like bus, train or flight. What it could not decide is a TODO in the "
        "file's header, and storymap validate reports the fields still missing.",
    )
    draft.add_argument("article", help="the article, as plain UTF-8 text")
    _output_argument(
        draft, "the .yaml story to write, or a folder for ARTICLE.yaml (default: standard output)"
    )
    draft.add_argument(
        "--geonames",
        action="store_true",
        help="also match GeoNames cities of 15,000 people or more (pip install 'storymap[draft]')",
    )
    _force_argument(draft)


def add_import(commands: argparse._SubParsersAction) -> None:
    importer = _command(
        commands,
        "import",
        run_import,
        help="convert a story from another tool into a storymap story",
        description="Convert a story made with another tool into a storymap story (YAML). "
        "What has no counterpart in storymap is listed in the file's header, not dropped.",
    )
    importer.add_argument("kind", choices=("storymapjs",), help="the tool the story comes from")
    importer.add_argument("file", help="the story file to convert (StoryMapJS: its .json)")
    _output_argument(
        importer, "the .yaml story to write, or a folder for FILE.yaml (default: standard output)"
    )
    _force_argument(importer)


def add_watch(commands: argparse._SubParsersAction) -> None:
    watch = _command(
        commands,
        "watch",
        run_watch,
        help="serve the page on 127.0.0.1, rebuild on every save and reload the tab",
        description="Build the story, serve the page on 127.0.0.1, and rebuild it whenever the "
        "story, a route file or a media file is saved; open tabs reload and keep their chapter. "
        "A bad edit shows its problems in the terminal and over the page, and the last good "
        "page stays on disk. Ctrl-C stops it (exit status 130).",
    )
    _story_argument(watch, optional=True)
    _output_argument(watch, "the page to write, or a folder for it (default: output/STORY.html)")
    watch.add_argument(
        "--port", type=_port, default=8000, help="the port on 127.0.0.1 (default 8000; 0: any free)"
    )
    _map_arguments(watch, described=False)
    _outside_argument(watch)
    _strict_argument(watch)


def add_embed(commands: argparse._SubParsersAction) -> None:
    embed = _command(
        commands,
        "embed",
        run_embed,
        help="print an iframe snippet that puts a built page into a web page",
        description="Print a responsive iframe snippet for a built page: it keeps its aspect "
        "ratio at any width, loads lazily, allows full screen, and can open at a chapter.",
    )
    embed.add_argument("page", help="the built page (.html)")
    embed.add_argument(
        "--src",
        metavar="URL",
        help="where the page will be published (default: the page's file name, for a page "
        "beside the article)",
    )
    embed.add_argument("--ratio", default="16:10", help="width:height of the frame (16:10)")
    embed.add_argument("--chapter", metavar="ID", help="open at this chapter id or number")
    embed.add_argument("--title", help="the frame's title for screen readers (default: the page's)")


def _size(text: str) -> tuple[int, int]:
    from storymap.image import parse_size

    try:
        return parse_size(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_image(commands: argparse._SubParsersAction) -> None:
    image = _command(
        commands,
        "image",
        run_image,
        help="write a picture of the whole journey (PNG)",
        description="Write a PNG picture of the whole journey, drawn without a browser: the "
        "offline basemap, each leg in its mode's colour and dash, the numbered stops and the "
        "title. The same story gives the same bytes.",
    )
    _story_argument(image, optional=True)
    _output_argument(image, "the .png to write, or a folder for it (default: output/STORY.png)")
    image.add_argument(
        "--size",
        type=_size,
        default="1200x630",
        metavar="WxH",
        help="width x height in pixels (default 1200x630, the size of a share card)",
    )
    _outside_argument(image)
    _geocoder_arguments(image)


COMMANDS = (add_build, add_validate, add_export, add_geocode, add_draft, add_import, add_watch)
COMMANDS += (add_embed, add_image)


def parser() -> argparse.ArgumentParser:
    top = _Parser(
        prog="storymap",
        description="Turn a journey told as a story into one interactive, self-contained HTML map.",
    )
    top.add_argument("--version", action="version", version=f"storymap {__version__}")
    commands = top.add_subparsers(dest="command", metavar="COMMAND")
    for add in COMMANDS:
        add(commands)
    return top


def _online(args: argparse.Namespace):
    if not args.geocoder:
        if args.user_agent:
            raise _UsageError("--user-agent goes with --geocoder; add --geocoder nominatim")
        return None
    return _online_geocoder(args.geocoder, args.user_agent)


class _UsageError(Exception):
    pass


def _online_geocoder(name: str, user_agent: str | None, **where: str):
    """The online geocoder asked for; an unknown name or a missing user agent is a usage
    error."""
    from storymap.geocode import online_geocoder

    try:
        return online_geocoder(name, user_agent, **where)
    except GeocodingError as exc:
        raise _UsageError(str(exc)) from None


def _target(source: str | Path, out: str, suffix: str, inputs: list[tuple[Path, str]]) -> Path:
    """Where ``-o`` puts the output of ``source``: the file named, or ``<stem><suffix>`` in
    the folder named; refused when it is one of the command's ``inputs``."""
    from storymap.build import output_path
    from storymap.files import refuse_inputs

    path = output_path(source, out, suffix=suffix)
    refuse_inputs(path, inputs)
    return path


def _tiles(value: str | None, key: str | None):
    if value is None:
        return UNSET
    if value.strip().lower() == "none":
        return None
    from storymap.tiles import provider

    try:
        provider(value, key)
    except ValueError as exc:
        raise _UsageError(f"--tiles: {exc}") from None
    return value


def run_embed(args: argparse.Namespace) -> int:
    from storymap.embed import chapter_ids, check_chapter, page_title, parse_ratio, snippet

    page = Path(args.page)
    if not page.is_file():
        raise _UsageError(f"{page}: no such page; build it first with storymap build")
    try:
        ratio = parse_ratio(args.ratio)
    except ValueError as exc:
        raise _UsageError(f"--ratio: {exc}") from None
    try:
        ids = chapter_ids(page)
    except ValueError as exc:
        raise _UsageError(str(exc)) from None
    chapter = None
    if args.chapter is not None:
        try:
            chapter = check_chapter(args.chapter, ids)
        except ValueError as exc:
            raise _UsageError(f"--chapter: {exc}") from None
    try:
        title = args.title or page_title(page)
    except ValueError as exc:
        raise _UsageError(str(exc)) from None
    code = snippet(args.src or page.name, title, ratio=ratio, chapter=chapter)
    _say(code.rstrip("\n"), lines=True)
    return EXIT_OK


def run_watch(args: argparse.Namespace) -> int:
    from storymap.build import output_path
    from storymap.files import refuse_inputs
    from storymap.watch import Outcome, Server, Watcher

    story = Path(args.story)
    if not story.is_file():
        raise _UsageError(f"{story}: no such file; check the path to the story")
    out = output_path(story, args.output)  # refused here, before serving, when it cannot be one
    refuse_inputs(out, [(story, "the story")])
    tiles = _tiles(args.tiles, args.tiles_key)
    # No share cards while editing: the picture is not redrawn on every save.
    options = {
        "tiles": tiles,
        "tiles_key": args.tiles_key,
        "basemap": args.basemap,
        "url": None,
        "layout": args.layout,
    }

    def report(outcome: Outcome) -> None:
        ms = f"{outcome.seconds * 1000:,.0f} ms"
        if outcome.ok:
            _say(f"built in {ms}: {outcome.message}")
            _warn(outcome.warnings)
        elif outcome.trace:
            print(outcome.trace.rstrip("\n"), file=sys.stderr)
            _say(outcome.message, err=True)
            print(
                "storymap: this is a bug in storymap; please report it with the traceback "
                "above and the file you saved; the last good page stays",
                file=sys.stderr,
            )
        else:
            _say(outcome.message, err=True, lines=True)  # one problem a line
            _say("storymap: the story has problems; the last good page stays", err=True)

    watcher = Watcher(
        story,
        out,
        options,
        report,
        allow_outside=args.allow_outside,
        strict=args.strict,
    )
    try:
        server = Server(watcher, port=args.port)
    except OSError as exc:
        raise _UsageError(
            f"cannot serve on 127.0.0.1:{args.port} ({exc.strerror}); choose another --port"
        ) from None
    try:
        watcher.build()
        _say(
            f"storymap watch: {server.url} (watching {len(watcher.last.watched)} files; "
            "Ctrl-C stops)"
        )
        server.run()
    except KeyboardInterrupt:
        server.stop()
        print("storymap watch: stopped", file=sys.stderr)
        return EXIT_INTERRUPTED
    finally:
        server.stop()  # also when the first build refuses its output
    return EXIT_OK


def _emit_story(args: argparse.Namespace, source: tuple[Path, str], text: str, summary: str) -> int:
    """Write a new story to ``-o`` (never replacing one unless ``--force``, never ``source``),
    or to stdout."""
    if not args.output:
        sys.stdout.write(text)
        _say(f"storymap {args.command}: {summary}", err=True)
        return EXIT_OK
    from storymap.files import write_atomic

    path = _target(source[0], args.output, ".yaml", [source])
    if path.exists() and not args.force:
        raise _UsageError(f"{path} exists; choose another -o, or add --force to replace it")
    write_atomic(path, text)
    _say(f"wrote {path}: {summary} (listed at the top of the file)")
    return EXIT_OK


def run_import(args: argparse.Namespace) -> int:
    from storymap.importers.storymapjs import convert, load_file, to_yaml

    source = Path(args.file)
    conversion = convert(load_file(source), source_name=source.name)
    text = to_yaml(conversion)
    story = conversion.story
    summary = (
        f"{len(story.get('journey', []))} chapters, {len(story.get('places', {}))} places; "
        f"{len(conversion.notes)} notes on what has no counterpart"
    )
    return _emit_story(args, (source, "the file to convert"), text, summary)


def run_geocode(args: argparse.Namespace) -> int:
    import datetime as dt

    from storymap.console import text_progress
    from storymap.geocode import GeocodingStopped, geocode_story
    from storymap.story import load

    where = {}
    if args.geocoder_url:
        from urllib.parse import urlsplit

        url = urlsplit(args.geocoder_url)
        if url.scheme not in ("http", "https") or not url.netloc:
            raise _UsageError(f"--geocoder-url: '{args.geocoder_url}' is not an http(s) address")
        where = {"scheme": url.scheme, "domain": url.netloc + url.path.rstrip("/")}
    online = _online_geocoder(args.geocoder, args.user_agent, **where)
    story = load(args.story, allow_outside=args.allow_outside)
    bar = text_progress()
    try:
        report = geocode_story(
            story,
            online=online,
            progress=bar,
            retrieved=dt.date.today().isoformat(),
            refresh=args.refresh,
            allow_outside=args.allow_outside,
        )
    except GeocodingStopped as exc:
        bar.close()
        problems = [str(problem) for problem in exc.report.problems]
        for problem in problems:
            _say(problem, err=True)
        if not any(str(exc) in problem for problem in problems[-1:]):
            _say(f"storymap geocode: {exc}", err=True)  # not said by the last problem
        _say(f"storymap geocode: stopped; {exc.report.summary()}", err=True)
        return EXIT_FAILED
    bar.close()
    for problem in report.problems:
        _say(problem, err=True)
    _say(f"storymap geocode: {report.summary()}", err=True)
    return EXIT_OK if report.complete else EXIT_FAILED


def run_draft(args: argparse.Namespace) -> int:
    from storymap.draft import draft, to_yaml

    source = Path(args.article)
    try:
        text = source.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise _UsageError(f"{source}: no such file") from None
    except (UnicodeDecodeError, OSError) as exc:
        raise _UsageError(f"{source}: cannot be read as UTF-8 text ({exc})") from None
    made = draft(text, source_name=source.name, extra=args.geonames)
    return _emit_story(
        args,
        (source, "the article"),
        to_yaml(made),
        f"{len(made.found)} places, {len(made.todos)} TODOs",
    )


def run_build(args: argparse.Namespace) -> int:
    from storymap.build import default_stories

    tiles = _tiles(args.tiles, args.tiles_key)
    url = UNSET
    if args.url is not None:
        from storymap.build import check_url

        try:
            url = check_url(args.url)
        except ValueError as exc:
            raise _UsageError(f"--url: {exc}") from None
    stories = [Path(args.story)] if args.story is not None else default_stories()
    if len(stories) == 1:
        return _build_one(args, stories[0], tiles, url)
    out = args.output
    one_page = url is not UNSET or (
        out is not None and not (out.endswith(("/", os.sep)) or os.path.isdir(out))
    )
    if one_page:  # one page's file or address: the flagship, as before there were several
        others = ", ".join(str(story) for story in stories[1:])
        _say(f"note: building {stories[0]} only; name the STORY to build {others}", err=True)
        return _build_one(args, stories[0], tiles, url)
    failed = 0
    for story in stories:
        try:
            _build_one(args, story, tiles, url)
        except StoryError as exc:  # the other stories are still built
            for problem in exc.problems:
                _say(problem, err=True)
            count = len(exc.problems)
            _say(
                f"storymap: {count} problem{'s' if count != 1 else ''} in {story}; "
                "its page was not written",
                err=True,
            )
            failed += 1
    return EXIT_BAD_INPUT if failed else EXIT_OK


def _build_one(args: argparse.Namespace, story: Path, tiles: Any, url: Any) -> int:
    from storymap.build import build
    from storymap.routes import total_km
    from storymap.text import km_label

    journey = build(
        story,
        args.output,
        tiles=tiles,
        tiles_key=args.tiles_key,
        basemap=args.basemap,
        resources=args.resources,
        online=_online(args),
        allow_outside=args.allow_outside,
        strict=args.strict,
        url=url,
        layout=args.layout,
    )
    _warn(journey.warnings)
    if journey.picture is not None:
        from storymap.doubts import picture_doubts

        _warn(picture_doubts(journey.story))
        _say(f"wrote {journey.picture} (the picture for share cards)")
    if journey.copied:
        files = "file" if len(journey.copied) == 1 else "files"
        _say(
            f"copied {len(journey.copied)} media {files} beside the page (publish them with it): "
            + ", ".join(str(path) for path in journey.copied)
        )
    total = km_label(total_km(journey.legs))
    _say(
        f"wrote {journey.page} ({journey.size / 1024:,.0f} KB): "
        f"{len(journey.story.chapters)} chapters, {len(journey.legs)} legs, {total}"
    )
    return EXIT_OK


def run_validate(args: argparse.Namespace) -> int:
    from storymap.build import prepare

    journey = prepare(args.story, online=_online(args), allow_outside=args.allow_outside)
    story = journey.story
    if args.strict and journey.warnings:
        raise StoryError(journey.warnings)
    if args.json:
        result = {
            "story": str(args.story),
            "valid": True,
            "chapters": len(story.chapters),
            "places": len(story.places),
            "looked_up": [r.as_json() for r in journey.resolutions],
            "warnings": [
                {"file": w.file, "line": w.line, "field": w.path, "message": w.message}
                for w in journey.warnings
            ],
        }
        print(printable_json(json.dumps(result, ensure_ascii=False, indent=1)))
        return EXIT_OK
    _warn(journey.warnings)
    _say(f"{args.story}: valid: {len(story.chapters)} chapters, {len(story.places)} places")
    if journey.resolutions:
        _say(_resolution_table(journey.resolutions), lines=True)
    return EXIT_OK


def _resolution_table(resolutions: Sequence[Any]) -> str:
    """The looked-up places as an aligned text table, each cell safe to print."""
    head = ("place", "name in the story", "matched", "country", "lat, lon", "from")
    rows = [
        tuple(
            printable(cell)
            for cell in (
                r.place,
                r.name,
                r.matched + (f" (+{len(r.alternatives)} more)" if r.alternatives else ""),
                r.country or "–",
                f"{r.lat:.5f}, {r.lon:.5f}",
                r.origin,
            )
        )
        for r in resolutions
    ]
    widths = [max(len(str(row[k])) for row in (head, *rows)) for k in range(len(head))]
    lines = [
        "  ".join(str(v).ljust(w) for v, w in zip(row, widths, strict=True)).rstrip()
        for row in (head, *rows)
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "looked up:\n" + "\n".join("  " + line for line in lines)


def run_export(args: argparse.Namespace) -> int:
    from storymap.build import prepare, read_files
    from storymap.export import to_geojson, to_gpx
    from storymap.files import write_atomic

    online = _online(args)
    story_file = Path(args.story)
    kind = args.format or ("gpx" if str(args.output or "").lower().endswith(".gpx") else "geojson")
    target = None
    if args.output:
        target = _target(story_file, args.output, f".{kind}", [(story_file, "the story")])
    journey = prepare(story_file, online=online, allow_outside=args.allow_outside)
    story, legs = journey.story, journey.legs
    if target is not None:
        _target(story_file, args.output, f".{kind}", read_files(story))
    if kind == "gpx":
        text = to_gpx(story, legs)
    else:
        text = json.dumps(to_geojson(story, legs), ensure_ascii=False, indent=1) + "\n"
    if target is not None:
        write_atomic(target, text)
        what = "waypoints" if kind == "gpx" else "points"
        lines = "tracks" if kind == "gpx" else "lines"
        _say(f"wrote {target}: {len(story.chapters)} {what}, {len(legs)} {lines}")
    else:
        sys.stdout.write(text)
    return EXIT_OK


def run_image(args: argparse.Namespace) -> int:
    from storymap.build import prepare, read_files
    from storymap.doubts import picture_doubts
    from storymap.files import write_atomic
    from storymap.image import journey_image

    online = _online(args)
    story_file = Path(args.story)
    target = _target(story_file, args.output, ".png", [(story_file, "the story")])
    journey = prepare(story_file, online=online, allow_outside=args.allow_outside)
    _target(story_file, args.output, ".png", read_files(journey.story))
    picture = journey_image(journey, args.size)
    write_atomic(target, picture)
    _warn([*journey.warnings, *picture_doubts(journey.story)])
    width, height = args.size
    _say(f"wrote {target} ({width}x{height}, {len(picture) / 1024:,.0f} KB)")
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.command is None:
        parser().print_help(sys.stderr)
        return EXIT_BAD_INPUT
    try:
        return args.handler(args)
    except StoryError as exc:
        for problem in exc.problems:
            _say(problem, err=True)
        count = len(exc.problems)
        _say(
            f"storymap: {count} problem{'s' if count != 1 else ''} in the story; nothing written",
            err=True,
        )
        return EXIT_BAD_INPUT
    except (_UsageError, RefusedOutputError) as exc:
        _say(f"storymap {args.command}: {exc}", err=True)
        return EXIT_BAD_INPUT
    except (OutputError, GeocodingError) as exc:
        _say(f"storymap: {exc}", err=True)
        return EXIT_FAILED
    except OSError as exc:  # a file that could not be read or written, said in one line
        where = f"{exc.filename}: " if exc.filename else ""
        _say(f"storymap {args.command}: {where}{exc.strerror or exc}", err=True)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("storymap: interrupted; nothing written", file=sys.stderr)
        return EXIT_INTERRUPTED
