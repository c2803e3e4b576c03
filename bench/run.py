"""`make bench`: time every build a writer runs, at several book sizes, beside a floor and a peer.

For each size (the real book, then copies with more generated meetings, see
generate.py) it times, as the median of RUNS runs after WARMUP untimed ones:

    clean           clean HTML build, warm notebook cache (serial)
    clean -j        the same with -j auto
    cold            clean build, cold notebook cache (serial)
    cold -j         the same with -j auto (notebooks execute in parallel)
    no change       rebuild with nothing changed
    edit            rebuild after editing one meeting's title
    add / delete    rebuild after adding one meeting (the next Friday), then deleting it
    pdf             `-M latexpdf` from scratch, warm notebook cache

and two references: the floor (an empty project with the book's conf.py and
extensions: clean and no change) and the peer (Jupyter Book 1 building the same
copy in its own virtual environment: clean with a warm cache, and no change).

Beside each median: the pages Sphinx read and wrote (bench/measure.py), the
notebooks executed, the peak memory (largest resident set of the build's
processes, from wait4) and, for the PDF, the LaTeX passes latexmk ran.
Progress goes to stderr; the tables go to stdout and to _build/bench/results.md.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from subprocess import STDOUT, Popen

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402

REPO = HERE.parent
STRICT = ["-W", "--keep-going", "-n"]
ALL_ROWS = ("clean", "clean -j", "cold", "cold -j", "no change", "edit", "add", "delete", "pdf")
INCREMENTAL = ("no change", "edit", "add", "delete")
EDITED = "meetings/2022-01-21-vesper.md"
#: Pages whose weight is compared across sizes (a section page that lists meetings grows by design).
WEIGHED = (
    "index.html",
    "general-information.html",
    "meetings/2022-01-21-vesper.html",
    "readings/rotations.html",
    "upcoming-meetings.html",
    "dates-and-topics.html",
)
# latexmk prints "Run number N of rule 'pdflatex'" (its name for the PDF engine, xelatex here)
# and "... rule 'makeindex book.idx'" once per pass.
LATEX_PASS_RE = re.compile(r"^Run number \d+ of rule '(\w+)", re.MULTILINE)
EXECUTED_RE = re.compile(r"Executing notebook")


# -- Pure helpers (tests/test_bench.py) --------------------------------------------


@dataclasses.dataclass
class Build:
    """One measured build."""

    seconds: float
    read: int
    written: int
    executed: int
    peak_mb: float
    latex: dict[str, int]
    read_docs: list[str] = dataclasses.field(default_factory=list)
    written_docs: list[str] = dataclasses.field(default_factory=list)


def latex_passes(log: str) -> dict[str, int]:
    """How often latexmk ran each rule (xelatex, makeindex, ...), from its output."""
    return dict(Counter(LATEX_PASS_RE.findall(log)))


def notebooks_executed(log: str) -> int:
    """How many notebooks MyST-NB executed (rather than took from its cache)."""
    return len(EXECUTED_RE.findall(log))


def edit_title(text: str, run: int) -> str:
    """*text* with its '# Title' line marked as edited for the *run*-th time."""
    lines = text.splitlines(keepends=True)
    for i, line in enumerate(lines):
        if line.startswith("# "):
            title = re.sub(r" \(edit \d+\)$", "", line.rstrip("\n"))
            lines[i] = f"{title} (edit {run})\n"
            return "".join(lines)
    raise ValueError("no '# Title' line to edit")


def stamp_edited(path: Path) -> None:
    """Stamp a file just edited so that the next build sees it as changed.

    Sphinx re-reads a page when its mtime is later than the moment the last build
    read it. A file system with coarse timestamps (one second on some CI machines)
    can give an edit made right after a build an mtime *before* that moment, and
    the edit is missed. Set the mtime to now, and wait until the file system
    records a time no earlier than this call, which is after the last build ended.
    No future mtimes: the build after next must not see the file as changed again.
    """
    called = time.time_ns()
    while True:
        now = time.time_ns()
        os.utime(path, ns=(now, now))
        if path.stat().st_mtime_ns >= called:
            return
        time.sleep(0.05)


def summarise(builds: list[Build]) -> dict[str, object]:
    """The median time of *builds*, and what they read, wrote and ran (equal runs give one number)."""

    def same(values: list[int]) -> str:
        low, high = min(values), max(values)
        return str(low) if low == high else f"{low}-{high}"

    passes = builds[-1].latex
    return {
        "median": statistics.median(b.seconds for b in builds),
        "low": min(b.seconds for b in builds),
        "high": max(b.seconds for b in builds),
        "runs": len(builds),
        "read": same([b.read for b in builds]),
        "written": same([b.written for b in builds]),
        "executed": same([b.executed for b in builds]),
        "peak_mb": max(b.peak_mb for b in builds),
        "latex": ", ".join(f"{rule} x{n}" for rule, n in sorted(passes.items())),
        "read_docs": builds[-1].read_docs,
        "written_docs": builds[-1].written_docs,
    }


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    """A GitHub-flavoured Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def peer_config(conf: dict[str, object]) -> str:
    """Jupyter Book 1's _config.yml for the copy: its defaults, plus what the sources need.

    *conf* holds the book's own values that the sources cannot build without:
    the bibliography, the MyST syntax extensions and the local extensions' settings.
    """
    return (
        json.dumps(
            {  # JSON is YAML
                "title": "Online CryoEM Study Group",
                "author": "Geoffrey Woollard",
                "only_build_toc_files": False,
                "exclude_patterns": ["README.md", "CONTRIBUTING.md", "meetings/_*.md", "_build", ".venv"],
                "execute": {"execute_notebooks": "cache"},
                "bibtex_bibfiles": ["references.bib"],
                "parse": {"myst_enable_extensions": conf["myst_enable_extensions"]},
                "sphinx": {
                    "local_extensions": {name: "_ext" for name in conf["local_extensions"]},  # type: ignore[union-attr]
                    "config": conf["config"],
                },
            },
            indent=2,
        )
        + "\n"
    )


PEER_TOC = "format: jb-article\nroot: index\n"  # the pages' own toctrees give the structure


# -- Running builds ---------------------------------------------------------------------


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run_build(cmd: list[str], cwd: Path, logfile: Path, env: dict[str, str] | None = None) -> Build:
    """Run one build in a fresh process; its time, counts and peak memory."""
    counts = logfile.with_suffix(".json")
    counts.unlink(missing_ok=True)
    environ = {
        **os.environ,
        "BENCH_COUNTS": str(counts),
        "PYTHONDONTWRITEBYTECODE": "1",
        "NO_COLOR": "1",  # the log is parsed (notebooks run, LaTeX passes); CI=true would colour it
        **(env or {}),
    }
    with logfile.open("w", encoding="utf-8") as out:
        start = time.perf_counter()
        process = Popen(cmd, cwd=cwd, env=environ, stdout=out, stderr=STDOUT, stdin=None)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    text = logfile.read_text(encoding="utf-8", errors="replace")
    if process.returncode != 0:
        raise SystemExit(f"bench: build failed ({' '.join(cmd)}), log {logfile}:\n{text[-3000:]}")
    recorded = json.loads(counts.read_text()) if counts.exists() else {"read": [], "written": []}
    return Build(
        seconds=seconds,
        read=len(recorded["read"]),
        written=len(recorded["written"]),
        executed=notebooks_executed(text),
        peak_mb=usage.ru_maxrss / 1024,  # Linux: kilobytes
        latex=latex_passes(text),
        read_docs=sorted(recorded["read"]),
        written_docs=sorted(recorded["written"]),
    )


def rmtree(*paths: Path) -> None:
    for path in paths:
        shutil.rmtree(path, ignore_errors=True)


@dataclasses.dataclass
class Book:
    """A book on disk and how to build it."""

    label: str
    src: Path
    python: Path
    logs: Path

    @property
    def out(self) -> Path:
        return self.src / "_build"

    def sphinx(self, *how: str, out: str, doctrees: str) -> list[str]:
        """sphinx-build, strict and counted by measure.py, from the book's folder."""
        python = [str(self.python), str(HERE / "measure.py"), "sphinx"]
        return [*python, *how, ".", str(self.out / out), "-d", str(self.out / doctrees), *STRICT]

    def html(self, jobs: bool = False) -> Build:
        cmd = self.sphinx("-b", "html", out="html", doctrees="doctrees")
        return run_build(cmd + (["-j", "auto"] if jobs else []), self.src, self.logs / "build.log")

    def pdf(self) -> Build:
        cmd = self.sphinx("-M", "latexpdf", out="pdf", doctrees="pdf-doctrees")
        return run_build(
            cmd, self.src, self.logs / "pdf.log", env={"LATEXOPTS": "-interaction=nonstopmode -halt-on-error"}
        )

    def clean(self, *, cache: bool) -> None:
        rmtree(self.out / "html", self.out / "doctrees", self.out / "jupyter_execute")
        if not cache:
            rmtree(self.out / ".jupyter_cache")


@dataclasses.dataclass
class PeerBook(Book):
    """The same copy built by Jupyter Book 1 (its output in a folder of its own)."""

    @property
    def out(self) -> Path:
        return self.logs / "peer-out" / "_build"

    def html(self, jobs: bool = False) -> Build:
        cmd = [
            str(self.python),
            str(HERE / "measure.py"),
            "jupyter-book",
            "build",
            str(self.src),
            "--path-output",
            str(self.out.parent),
        ]
        return run_build(cmd, self.src, self.logs / "peer.log")

    def clean(self, *, cache: bool) -> None:
        rmtree(self.out / "html", self.out / ".doctrees", self.out / "jupyter_execute")
        if not cache:
            rmtree(self.out / ".jupyter_cache")


class Bench:
    def __init__(self, runs: int, warmup: int, rows: list[str]) -> None:
        self.runs, self.warmup, self.rows = runs, warmup, rows
        self.results: list[tuple[str, str, dict[str, object]]] = []
        self.weights: dict[str, dict[str, int]] = {}

    def measure(self, book: Book, row: str, before, build) -> None:  # noqa: ANN001
        """Warm up, then time *runs* builds, each after *before()* prepared it."""
        builds = []
        for run in range(-self.warmup, self.runs):
            before(run)
            result = build(run)
            if run >= 0:
                builds.append(result)
            log(
                f"[{book.label}] {row}: {'warm-up' if run < 0 else f'run {run + 1}/{self.runs}'} "
                f"{result.seconds:.2f} s, read {result.read}, wrote {result.written}, "
                f"executed {result.executed}, {result.peak_mb:.0f} MB"
            )
        self.results.append((book.label, row, summarise(builds)))

    def book_rows(self, book: Book) -> None:
        nothing = lambda run: None  # noqa: E731
        want = self.rows
        log(f"[{book.label}] filling the notebook cache")
        book.clean(cache=False)
        book.html(jobs=True)
        for row, jobs in (("clean", False), ("clean -j", True)):
            if row in want:
                self.measure(book, row, lambda run: book.clean(cache=True), lambda run, j=jobs: book.html(j))
        self.weigh(book)
        book.html()
        if "no change" in want:
            self.measure(book, "no change", nothing, lambda run: book.html())
        if "edit" in want:
            edited = book.src / EDITED

            def edit(run: int) -> None:
                edited.write_text(edit_title(edited.read_text(encoding="utf-8"), run + 100), encoding="utf-8")
                stamp_edited(edited)

            self.measure(book, "edit", edit, lambda run: book.html())
        if "add" in want or "delete" in want:
            self.add_and_delete(book)
        for row, jobs in (("cold", False), ("cold -j", True)):
            if row in want:
                self.measure(book, row, lambda run: book.clean(cache=False), lambda run, j=jobs: book.html(j))
        if "pdf" in want:
            book.html(jobs=True)  # a warm cache again
            self.measure(
                book,
                "pdf",
                lambda run: rmtree(book.out / "pdf", book.out / "pdf-doctrees"),
                lambda run: book.pdf(),
            )

    def add_and_delete(self, book: Book) -> None:
        """Add a meeting on the Friday after the last one, rebuild; delete it, rebuild; repeat."""
        dates = generate.meeting_dates([f"meetings/{p.name}" for p in (book.src / "meetings").glob("*.md")])
        keys = generate.bib_keys((book.src / "references.bib").read_text(encoding="utf-8"))
        added = generate.generate_meetings(1, dates[-1], keys, first=9001)[0]
        path = book.src / added.path
        builds: dict[str, list[Build]] = {"add": [], "delete": []}
        for run in range(-self.warmup, self.runs):
            for row in builds:
                if row == "add":
                    path.write_text(added.text, encoding="utf-8")
                else:
                    path.unlink()
                result = book.html()
                if run >= 0:
                    builds[row].append(result)
                log(
                    f"[{book.label}] {row}: {'warm-up' if run < 0 else f'run {run + 1}/{self.runs}'} "
                    f"{result.seconds:.2f} s, read {result.read}, wrote {result.written}"
                )
        for row, results in builds.items():
            if row in self.rows:
                self.results.append((book.label, row, summarise(results)))

    def weigh(self, book: Book) -> None:
        html = book.out / "html"
        weights = {page: (html / page).stat().st_size for page in WEIGHED if (html / page).exists()}
        static = html / "_static"
        weights["_static (all files)"] = sum(p.stat().st_size for p in static.rglob("*") if p.is_file())
        # The theme's stylesheet, wherever it is: one copy means the assets are shared.
        weights["copies of the theme's CSS"] = len(list(html.rglob("pydata-sphinx-theme.css")))
        self.weights[book.label] = weights

    def reference_rows(self, floor: Book) -> None:
        floor.clean(cache=False)
        self.measure(floor, "clean", lambda run: floor.clean(cache=True), lambda run: floor.html())
        self.measure(floor, "no change", lambda run: None, lambda run: floor.html())

    def peer_rows(self, peer: PeerBook, runs: int) -> None:
        log(f"[{peer.label}] filling Jupyter Book's notebook cache")
        peer.clean(cache=False)
        peer.html()
        mine = self.runs
        self.runs = runs  # the peer is slow at 1,000 meetings: it may get fewer runs
        self.measure(peer, "clean", lambda run: peer.clean(cache=True), lambda run: peer.html())
        self.measure(peer, "no change", lambda run: None, lambda run: peer.html())
        self.runs = mine

    def report(self) -> str:
        header = [
            "book",
            "build",
            "median s",
            "min-max s",
            "runs",
            "read",
            "written",
            "notebooks run",
            "peak MB",
            "LaTeX passes",
        ]
        rows = [
            [
                label,
                row,
                f"{r['median']:.2f}",
                f"{r['low']:.2f}-{r['high']:.2f}",
                str(r["runs"]),
                str(r["read"]),
                str(r["written"]),
                str(r["executed"]),
                f"{r['peak_mb']:.0f}",
                str(r["latex"] or ""),
            ]
            for label, row, r in self.results
        ]
        text = f"Medians of the runs after {self.warmup} warm-up run(s) each.\n\n"
        text += markdown_table(header, rows)
        if self.weights:
            pages = list(next(iter(self.weights.values())))
            text += "\nPage weight after a clean build (bytes):\n\n"
            text += markdown_table(
                ["page", *self.weights],
                [[page, *(str(w.get(page, "")) for w in self.weights.values())] for page in pages],
            )
        text += "\nWhat the rebuilds after one change read and wrote (last run):\n\n"
        for label, row, r in self.results:
            if row in INCREMENTAL and "Jupyter Book" not in label and label != "floor":
                text += (
                    f"- {label}, {row}: read {', '.join(r['read_docs']) or 'nothing'}; "
                    f"wrote {', '.join(r['written_docs']) or 'nothing'}\n"
                )
        return text


def peer_conf(book: Path) -> dict[str, object]:
    """The values of *book*'s conf.py that the peer's _config.yml repeats."""
    namespace: dict[str, object] = {"__file__": str(book / "conf.py")}
    exec(compile((book / "conf.py").read_text(encoding="utf-8"), "conf.py", "exec"), namespace)  # noqa: S102
    local = [
        e
        for e in namespace["extensions"]
        if (book / "_ext" / e).exists()  # type: ignore[union-attr]
        or (book / "_ext" / f"{e}.py").exists()
    ]
    keep = (
        "meetings_streams",
        "meetings_timezone",
        "meetings_duration",
        "meetings_display_zones",
        "meetings_edition",
        "appendices_start",
        "bibtex_default_style",
        "bibtex_reference_style",
        "bibtex_foot_reference_style",
        "myst_heading_anchors",
        "nb_execution_timeout",
    )
    config = {key: namespace[key] for key in keep if key in namespace}
    return {
        "myst_enable_extensions": namespace["myst_enable_extensions"],
        "local_extensions": local,
        "config": config,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--sizes", default="10 200 1000", help="meetings in each copy; 10 is the real book")
    parser.add_argument(
        "--rows", default=",".join(ALL_ROWS), help="comma-separated, of: " + ", ".join(ALL_ROWS)
    )
    parser.add_argument(
        "--peer-python", type=Path, default=None, help="Jupyter Book 1's python (no peer if absent)"
    )
    parser.add_argument(
        "--peer-runs", type=int, default=None, help="runs of the peer's rows (default: --runs)"
    )
    parser.add_argument("--out", type=Path, default=REPO / "_build" / "bench")
    args = parser.parse_args(argv)
    rows = [r.strip() for r in args.rows.split(",") if r.strip()]
    unknown = set(rows) - set(ALL_ROWS)
    if unknown:
        parser.error(f"unknown rows: {', '.join(sorted(unknown))}")
    args.out.mkdir(parents=True, exist_ok=True)
    bench = Bench(args.runs, args.warmup, rows)
    # absolute(), not resolve(): a virtual environment's python is a symlink to keep.
    peer_python = args.peer_python.absolute() if args.peer_python else None
    python = Path(sys.executable)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        logs = Path(tmp) / "logs"
        logs.mkdir()
        floor = Book("floor", Path(tmp) / "floor", python, logs)
        generate.make_floor(REPO, floor.src)
        bench.reference_rows(floor)
        for size in [int(s) for s in args.sizes.split()]:
            label = f"{size} meetings"
            book = Book(label, Path(tmp) / f"book-{size}", python, logs)
            generated = generate.make_copy(REPO, book.src, size)
            count = len(list((book.src / "meetings").glob("[0-9]*.md")))
            label = f"{count} meetings" if generated else f"real book ({count} meetings)"
            book.label = label
            bench.book_rows(book)
            if peer_python:
                peer_src = Path(tmp) / f"peer-{size}"
                shutil.copytree(book.src, peer_src, ignore=shutil.ignore_patterns("_build"))
                (peer_src / "_config.yml").write_text(peer_config(peer_conf(peer_src)), encoding="utf-8")
                (peer_src / "_toc.yml").write_text(PEER_TOC, encoding="utf-8")
                bench.peer_rows(
                    PeerBook(f"{label}, Jupyter Book 1", peer_src, peer_python, logs),
                    args.peer_runs or args.runs,
                )
                rmtree(peer_src)
            rmtree(book.src)
            (args.out / "results.md").write_text(bench.report(), encoding="utf-8")  # so far
    text = bench.report()
    text += f"\nTotal time of this benchmark: {(time.perf_counter() - started) / 60:.1f} min.\n"
    print(text)
    (args.out / "results.md").write_text(text, encoding="utf-8")
    log(f"bench: the tables are also in {args.out / 'results.md'}")


if __name__ == "__main__":
    main()
