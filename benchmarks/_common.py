"""Shared helpers of the benchmark scripts: loading the pipeline, reading texts, memory,
tables and the sections of docs/benchmarks.md.

The scripts are run as ``python benchmarks/X.py``; this module sits next to them and is
imported as ``_common``. Nothing here is part of the ``spacy_quotes`` package.
"""
import datetime
import functools
import logging
import os
import platform
import re
import resource
import sys
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
POLNEAR_DIR = Path(os.environ.get("SPACY_QUOTES_POLNEAR", SHARED / "data" / "polnear"))
SEEDS_DIR = SHARED / "seeds"
SEED_CORPUS = REPO / "corpus" / "seeds.jsonl"
POLNEAR_TEST_DOCBIN = REPO / "training" / "corpus" / "test.spacy"
# Used when the package has no shipped weights yet (while the model is being trained).
CHECKPOINT = REPO / "training" / "output" / "model-best"
DEFAULT_MARKDOWN = REPO / "docs" / "benchmarks.md"

logger = logging.getLogger("spacy_quotes.benchmarks")


# ---- the pipeline ---------------------------------------------------------------------------


def _is_component_dir(path: Path) -> bool:
    return (path / "model").is_file() and (path / "cfg").is_file()


def load_pipeline(model: Optional[str] = None) -> Tuple[Any, str]:
    """The full pipeline (base + ``quotes``) to benchmark.

    model (Optional[str]): None for the shipped pipeline (``spacy_quotes.load()``); a saved
        pipeline (name or path); a pipeline directory that holds only a ``quotes`` component
        (``spacy train`` output such as training/output/model-best: the base pipeline is
        loaded and the component's weights are put after it); or a component directory
        (with ``cfg`` and ``model`` files).
    RETURNS (Tuple[Language, str]): the pipeline and a description of where it came from.
    """
    import spacy

    import spacy_quotes
    from spacy_quotes.pipeline import component  # noqa: F401  (registers the factory)

    if model is None:
        nlp = spacy_quotes.load()
        if nlp.get_pipe("quotes").is_initialized:
            return nlp, "shipped (spacy_quotes.load())"
        if _is_component_dir(CHECKPOINT / "quotes"):
            logger.warning("no shipped weights: benchmarking the checkpoint %s", CHECKPOINT)
            nlp, _ = load_pipeline(str(CHECKPOINT))
            return nlp, f"checkpoint {rel_path(CHECKPOINT)} (no shipped weights yet)"
        raise SystemExit("No trained quotes weights: ship them (training/ship.py) or pass --model PATH")
    path = Path(model)
    if path.is_dir() and _is_component_dir(path):
        nlp = spacy_quotes.load_base()
        nlp.add_pipe("quotes", config={"weights": str(path)})
        return nlp, f"component {rel_path(path)} on {spacy_quotes.base_pipeline_name()}"
    if path.is_dir() and (path / "config.cfg").is_file():
        names = spacy.util.load_config(path / "config.cfg")["nlp"]["pipeline"]
        if "parser" not in names and "quotes" in names and _is_component_dir(path / "quotes"):
            nlp = spacy_quotes.load_base()
            nlp.add_pipe("quotes", config={"weights": str(path / "quotes")})
            return nlp, f"{rel_path(path)} (quotes) on {spacy_quotes.base_pipeline_name()}"
    nlp = spacy.load(model)
    if "quotes" not in nlp.pipe_names:
        raise SystemExit(f"{model}: the pipeline has no 'quotes' component")
    return nlp, str(model)


def rel_path(path: Path) -> str:
    """RETURNS (str): path relative to the repository root where it lies inside it."""
    try:
        return str(Path(path).resolve().relative_to(REPO))
    except ValueError:
        return str(path)


def base_names(nlp: Any) -> List[str]:
    """RETURNS (List[str]): the pipes of nlp that are not ``quotes`` components."""
    return [name for name in nlp.pipe_names if nlp.get_pipe_meta(name).factory != "quotes"]


def quotes_name(nlp: Any) -> str:
    """RETURNS (str): the name of the (first) ``quotes`` component of nlp."""
    for name in nlp.pipe_names:
        if nlp.get_pipe_meta(name).factory == "quotes":
            return name
    raise ValueError("the pipeline has no quotes component")


# ---- texts ----------------------------------------------------------------------------------


def has_polnear(split: str = "test") -> bool:
    """RETURNS (bool): whether the PolNeAR texts of a split are on this machine."""
    root = POLNEAR_DIR / "data" if (POLNEAR_DIR / "data").is_dir() else POLNEAR_DIR
    return any((root / split / "text").glob("*.txt"))


def polnear_texts(split: str = "test", limit: int = 0) -> List[Tuple[str, str]]:
    """The texts of one PolNeAR split, read at run time (never copied into the repository).

    split (str): train, dev or test.
    limit (int): at most this many (0: all), in file-name order.
    RETURNS (List[Tuple[str, str]]): (id, text) pairs.
    """
    root = POLNEAR_DIR / "data" if (POLNEAR_DIR / "data").is_dir() else POLNEAR_DIR
    files = sorted((root / split / "text").glob("*.txt"))
    if not files:
        raise SystemExit(f"No PolNeAR texts under {root / split / 'text'} (set SPACY_QUOTES_POLNEAR)")
    if limit:
        files = files[:limit]
    return [(f.stem, f.read_text(encoding="utf8")) for f in files]


def seed_texts() -> List[Tuple[str, str]]:
    """RETURNS (List[Tuple[str, str]]): (id, text) of the seed articles."""
    return [(f.stem, f.read_text(encoding="utf8")) for f in sorted(SEEDS_DIR.glob("*.txt"))]


def n_words(text: str) -> int:
    """RETURNS (int): white-space separated words of a text."""
    return len(text.split())


# ---- memory ---------------------------------------------------------------------------------


def peak_rss_mb(who: int = resource.RUSAGE_SELF) -> float:
    """Peak resident set size (ru_maxrss) of this process or of its largest waited-for child.

    who (int): resource.RUSAGE_SELF or resource.RUSAGE_CHILDREN.
    RETURNS (float): megabytes (MiB).
    """
    rss = resource.getrusage(who).ru_maxrss
    # Linux reports KiB, macOS bytes.
    return rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024


# ---- tables and markdown --------------------------------------------------------------------


def fmt(value: Any, digits: int = 3) -> str:
    """Format a table cell: floats with `digits` significant decimals, None as '-'."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if value != value:  # NaN
            return "-"
        if abs(value) >= 1000:
            return f"{value:,.0f}"
        if abs(value) >= 100:
            return f"{value:.1f}"
        return f"{value:.{digits}f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def text_table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A plain-text table with aligned columns (numbers right-aligned).

    headers (Sequence[str]): the column names.
    rows (Iterable[Sequence[Any]]): the rows (cells formatted with :func:`fmt`).
    RETURNS (str): the table.
    """
    cells = [[fmt(c) for c in row] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]
    numeric = [all(_looks_numeric(r[i]) for r in cells) and bool(cells) for i in range(len(headers))]

    def line(values: Sequence[str]) -> str:
        return "  ".join(v.rjust(w) if num else v.ljust(w) for v, w, num in zip(values, widths, numeric)).rstrip()

    out = [line(headers), "  ".join("-" * w for w in widths)]
    out.extend(line(r) for r in cells)
    return "\n".join(out)


def markdown_table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A GitHub markdown table (numbers right-aligned).

    headers (Sequence[str]): the column names.
    rows (Iterable[Sequence[Any]]): the rows.
    RETURNS (str): the table.
    """
    cells = [[fmt(c) for c in row] for row in rows]
    numeric = [all(_looks_numeric(r[i]) for r in cells) and bool(cells) for i in range(len(headers))]
    out = ["| " + " | ".join(headers) + " |",
           "| " + " | ".join("---:" if num else "---" for num in numeric) + " |"]
    out.extend("| " + " | ".join(r) + " |" for r in cells)
    return "\n".join(out)


def _looks_numeric(cell: str) -> bool:
    return bool(re.fullmatch(r"[-+]?[\d,]*\.?\d+(e[-+]?\d+)?[x%]?|-", cell))


_MD_HEADER = """# Benchmarks

Speed, memory, accuracy and training cost of the `quotes` component. Every table below is
written by a script in `benchmarks/` (see `benchmarks/README.md`); the command that produced
it is given with it. Re-running a script replaces its sections.
"""


SECTION_ORDER = ("speed-throughput", "speed-scaling", "accuracy", "training-cost")
_SECTION = re.compile(r"<!-- begin (\S+) -->\n.*?<!-- end \1 -->", re.S)


def write_markdown_section(path: Path, name: str, body: str) -> None:
    """Write one section of the benchmarks page, replacing an earlier version of it in place.

    Sections are delimited by ``<!-- begin NAME -->`` / ``<!-- end NAME -->``. A new section
    goes before the first one that comes after it in SECTION_ORDER (others: at the end). The
    file is created with a title when missing; everything outside the section written (text
    between and after the sections too) is kept as it is.

    path (Path): the markdown file.
    name (str): the section's name (e.g. ``speed-throughput``).
    body (str): its markdown.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = path.read_text(encoding="utf8") if path.exists() else _MD_HEADER
    block = f"<!-- begin {name} -->\n{body.strip()}\n<!-- end {name} -->"
    mine = re.compile(rf"<!-- begin {re.escape(name)} -->\n.*?<!-- end {re.escape(name)} -->", re.S)
    if mine.search(text):
        text = mine.sub(lambda m: block, text, count=1)
    else:
        rank = {n: i for i, n in enumerate(SECTION_ORDER)}
        later = [m for m in _SECTION.finditer(text) if rank.get(m.group(1), len(rank)) > rank.get(name, len(rank))]
        if later:
            at = later[0].start()
            text = text[:at] + block + "\n\n" + text[at:]
        else:
            text = text.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(text, encoding="utf8")


@functools.lru_cache(maxsize=1)
def machine_info() -> Dict[str, str]:
    """CPU, cores, Python, spaCy, date and load average, for the record. Taken once per
    process (the scripts call it when they start), so the date and load are the start's.

    RETURNS (Dict[str, str]): the facts.
    """
    from importlib.metadata import PackageNotFoundError, version

    try:
        spacy_version = version("spacy")
    except PackageNotFoundError:
        spacy_version = "-"
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        load = "-"
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "python": platform.python_version(),
        "spacy": spacy_version,
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "load average at start": load,
    }


def machine_line() -> str:
    """RETURNS (str): :func:`machine_info` on one line."""
    return "; ".join(f"{k}: {v}" for k, v in dict(machine_info()).items())


def command_line() -> str:
    """RETURNS (str): how this script was run, relative to the repository root."""
    script = rel_path(Path(sys.argv[0]))
    args = [a if " " not in a else repr(a) for a in sys.argv[1:]]
    return " ".join(["python", script] + args)


def setup_logging(verbose: bool = False) -> None:
    """Log warnings (and the benchmarks' progress with verbose) to stderr."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(message)s", stream=sys.stderr)
    logger.setLevel(logging.INFO)
