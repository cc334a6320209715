"""Speed and memory of the ``quotes`` component.

    python benchmarks/speed.py [--quick] [--model PATH] [--markdown docs/benchmarks.md]

Four measurements, each in a fresh Python process (so that the peak resident memory,
``ru_maxrss``, belongs to one configuration only):

1. **throughput**: words per second and peak memory of the base pipeline alone and of
   base + quotes on the same texts (PolNeAR test articles and/or the seed articles), for
   several ``n_process`` and ``batch_size`` values, with the ratio of the two.
2. **component**: the ``quotes`` component alone on pre-parsed docs, split into its stages
   (the neural model, decoding + linking, speaker resolution), and its share of the time
   of the full pipeline.
3. **length**: time per word as one document grows from 1k to 200k words (PolNeAR
   articles concatenated), for the base pipeline and for the component; the ratio of the
   time per word at the largest and the smallest size and the exponent of a power-law fit
   show whether anything grows faster than linearly.
4. **quotes**: the same as the number of quotes per document grows (documents generated
   from templates such as ``“...,” said X.``).

Words are white-space separated words of the input texts. Times are the best of a few
repetitions for the small cases (at least ``--min-time`` seconds of work), single runs
for the large ones. ``--quick`` (tiny sizes, for the smoke test) runs everything in one
process, so its memory figures are not per configuration.
"""
import argparse
import json
import math
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common as C  # noqa: E402

GOAL_TIME = 0.25  # quotes may add at most 25% to the base pipeline's time
GOAL_MEMORY_MB = 200.0  # and at most 200 MB to its peak memory
GOAL_RATIO = 1.5  # time per word (or per quote) at the largest size / at the smallest
GOAL_EXPONENT = 1.15  # exponent b of time ~ size^b

FULL = {
    "n_process": [1, 2],
    "batch_sizes": [16, 64, 256],
    "lengths": [1000, 5000, 20000, 50000, 100000, 200000],
    "quote_counts": [10, 100, 1000, 5000],
    "n_texts": 0,
    "min_time": 1.0,
}
QUICK = {
    "n_process": [1],
    "batch_sizes": [8],
    "lengths": [200, 800],
    "quote_counts": [4, 16],
    "n_texts": 3,
    "min_time": 0.0,
}


# ---- texts ----------------------------------------------------------------------------------


def corpus_texts(corpus: str, n_texts: int, repeat: int = 1) -> List[str]:
    """The benchmark texts.

    corpus (str): ``polnear`` (PolNeAR test articles), ``seeds`` or ``both``.
    n_texts (int): at most this many (0: all).
    repeat (int): the texts this many times over (quote-dense news in bulk: ``--corpus seeds``).
    RETURNS (List[str]): the texts.
    """
    texts: List[str] = []
    if corpus in ("polnear", "both"):
        if C.has_polnear("test"):
            texts += [t for _, t in C.polnear_texts("test")]
        elif corpus == "polnear":
            raise SystemExit(f"No PolNeAR texts under {C.POLNEAR_DIR} (set SPACY_QUOTES_POLNEAR or use --corpus seeds)")
        else:
            C.logger.warning("no PolNeAR texts under %s: seed texts only", C.POLNEAR_DIR)
    if corpus in ("seeds", "both"):
        texts += [t for _, t in C.seed_texts()]
    texts = texts * max(1, repeat)
    return texts[:n_texts] if n_texts else texts


def long_text(n_words: int) -> str:
    """A document of about ``n_words`` words: PolNeAR articles (all splits; the seed articles
    where PolNeAR is missing) one after another, cut at a paragraph boundary (or inside the
    last paragraph, at a word boundary).

    n_words (int): the size.
    RETURNS (str): the text.
    """
    parts: List[str] = []
    have = 0
    sources = [C.polnear_texts(s) for s in ("test", "dev", "train") if C.has_polnear(s)] or [C.seed_texts()]
    for texts in sources:
        for _, text in texts:
            for para in text.split("\n"):
                words = para.split()
                if not words:
                    continue
                if have + len(words) > n_words:
                    words = words[: n_words - have]
                    para = " ".join(words)
                parts.append(para)
                have += len(words)
                if have >= n_words:
                    return "\n\n".join(parts)
    if not parts:
        raise SystemExit("no texts")
    base = "\n\n".join(parts)  # fewer words in PolNeAR than asked: repeat it
    return "\n\n".join([base] * math.ceil(n_words / have))


_FIRST = ["Anna", "Boris", "Carla", "David", "Elena", "Farid", "Grace", "Hugo", "Ines", "Jonas",
          "Karin", "Luis", "Maria", "Nabil", "Olga", "Pedro", "Rosa", "Samir", "Tanja", "Victor"]
_LAST = ["Schmidt", "Petrov", "Rossi", "Miller", "Novak", "Haddad", "Lee", "Dubois", "Garcia",
         "Keller", "Jansen", "Moreno", "Silva", "Nowak", "Ivanova", "Fischer", "Costa", "Kaya",
         "Berg", "Larsen", "Santos", "Weber", "Meyer", "Romero", "Klein", "Horvat", "Popescu",
         "Lindqvist", "Okafor", "Tanaka"]
_TITLES = ["the finance minister", "a government spokesman", "the opposition leader",
           "the mayor", "a senior diplomat", "the union chief"]
_CLAUSES = [
    "we will not accept any further delay in the talks",
    "the budget leaves too little money for schools and hospitals",
    "the agreement is a first step towards a lasting peace",
    "nobody in the government knew about the payments",
    "the new law will protect workers from unfair dismissal",
    "the army has withdrawn its troops from the border region",
    "prices will keep rising until the end of the year",
    "the decision was taken without consulting the parliament",
    "our country is ready to help the victims of the flood",
    "the report contains serious errors and must be withdrawn",
    "the negotiations will resume in Geneva next week",
    "the company has no plans to close the factory",
]
_FILLER = [
    "The meeting took place in {city} on {day}.",
    "Officials from both sides attended the session in {city}.",
    "The talks are expected to continue later this month.",
]
_CITIES = ["Berlin", "Madrid", "Warsaw", "Cairo", "Lisbon", "Oslo", "Athens", "Vienna"]
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]


def quotes_text(n_quotes: int, seed: int = 0) -> str:
    """A news-like document with ``n_quotes`` quotes (direct, indirect and mixed) from
    templates, one paragraph each, with a varied cast of speakers (about one new name per
    four quotes, so the speaker resolver has many referents) and a filler sentence now and then.

    n_quotes (int): the number of quotes.
    seed (int): the random seed.
    RETURNS (str): the text.
    """
    rng = random.Random(seed)
    n_names = max(3, min(len(_FIRST) * len(_LAST), n_quotes // 4))
    names = [f"{_FIRST[i % len(_FIRST)]} {_LAST[(i // len(_FIRST) + i) % len(_LAST)]}" for i in range(n_names)]
    paras = []
    last = None
    for i in range(n_quotes):
        clause = rng.choice(_CLAUSES)
        sentence = clause[0].upper() + clause[1:]
        name = rng.choice(names)
        surname = name.split()[-1]
        kind = rng.randrange(7) if last is not None else rng.randrange(5)
        if kind == 0:
            para = f"“{sentence},” said {name}."
        elif kind == 1:
            para = f"“{sentence},” {name} told reporters on {rng.choice(_DAYS)}."
        elif kind == 2:
            para = f"{name}, {rng.choice(_TITLES)}, said that {clause}."
        elif kind == 3:
            para = f"According to {name}, {clause}."
        elif kind == 4:
            words = clause.split()
            k = len(words) // 2
            para = f"{name} said {' '.join(words[:k])} “{' '.join(words[k:])}”."
        elif kind == 5:
            para = f"“{sentence},” he added."
        else:
            para = f"{surname} warned: “{sentence}.”"
        last = name
        paras.append(para)
        if rng.random() < 0.2:
            paras.append(rng.choice(_FILLER).format(city=rng.choice(_CITIES), day=rng.choice(_DAYS)))
    return "\n\n".join(paras)


# ---- workers (run in a fresh process each) ---------------------------------------------------


def _best_time(fn: Any, min_time: float, max_reps: int = 20) -> float:
    """The best of repeated runs of fn(), repeating until min_time seconds were spent."""
    best = float("inf")
    spent = 0.0
    reps = 0
    while reps == 0 or (spent < min_time and reps < max_reps):
        t0 = time.perf_counter()
        fn()
        dt = time.perf_counter() - t0
        best = min(best, dt)
        spent += dt
        reps += 1
    return best


def _quotes_stages(nlp: Any, docs: List[Any], batch_size: int) -> Dict[str, float]:
    """Time the stages of the quotes component on parsed docs: the neural model (predict),
    decoding + linking + writing the span groups (set_annotations without speaker
    resolution) and speaker resolution. Leaves the docs annotated."""
    from spacy.util import minibatch

    from spacy_quotes.speakers import SpeakerResolverConfig, resolve_speakers

    pipe = nlp.get_pipe(C.quotes_name(nlp))
    resolve = bool(pipe.cfg.get("resolve_speakers", True))
    spk_cfg = SpeakerResolverConfig.from_dict(pipe.cfg.get("speaker_config", {}))
    t = {"model": 0.0, "decode": 0.0, "speakers": 0.0}
    for batch in minibatch(docs, batch_size):
        t0 = time.perf_counter()
        scores = pipe.predict(batch)
        t1 = time.perf_counter()
        pipe.cfg["resolve_speakers"] = False
        try:
            pipe.set_annotations(batch, scores)
        finally:
            pipe.cfg["resolve_speakers"] = resolve
        t2 = time.perf_counter()
        if resolve:
            for doc in batch:
                resolve_speakers(doc, spk_cfg)
        t3 = time.perf_counter()
        t["model"] += t1 - t0
        t["decode"] += t2 - t1
        t["speakers"] += t3 - t2
    t["quotes"] = t["model"] + t["decode"] + t["speakers"]
    return t


def _n_quotes(docs: Sequence[Any]) -> int:
    return sum(len(d.spans["quotes"]) for d in docs if "quotes" in d.spans)


def worker_throughput(spec: Dict[str, Any]) -> Dict[str, Any]:
    """One throughput configuration: load the pipeline, process the texts once, report."""
    nlp, desc = C.load_pipeline(spec["model"])
    if spec["pipeline"] == "base":
        nlp.remove_pipe(C.quotes_name(nlp))
        import gc

        gc.collect()
    texts = corpus_texts(spec["corpus"], spec["n_texts"], spec.get("repeat", 1))
    words = sum(C.n_words(t) for t in texts)
    list(nlp.pipe(texts[:2], batch_size=spec["batch_size"]))  # warm-up (lazy initialisation)
    t0 = time.perf_counter()
    docs = list(nlp.pipe(texts, batch_size=spec["batch_size"], n_process=spec["n_process"]))
    seconds = time.perf_counter() - t0
    return {
        "pipeline": spec["pipeline"], "n_process": spec["n_process"], "batch_size": spec["batch_size"],
        "docs": len(texts), "words": words, "seconds": seconds, "wps": words / seconds,
        "quotes": _n_quotes(docs), "rss_mb": C.peak_rss_mb(),
        "worker_rss_mb": C.peak_rss_mb(C.resource.RUSAGE_CHILDREN) if spec["n_process"] > 1 else None,
        "desc": desc,
    }


def worker_component(spec: Dict[str, Any]) -> Dict[str, Any]:
    """The component alone on pre-parsed docs, by stage, against the base pipeline's time."""
    nlp, desc = C.load_pipeline(spec["model"])
    qname = C.quotes_name(nlp)
    texts = corpus_texts(spec["corpus"], spec["n_texts"], spec.get("repeat", 1))
    words = sum(C.n_words(t) for t in texts)
    bs = spec["batch_size"]
    with nlp.select_pipes(disable=[qname]):
        list(nlp.pipe(texts[:2]))
        t0 = time.perf_counter()
        docs = list(nlp.pipe(texts, batch_size=bs))
        base = time.perf_counter() - t0
    _quotes_stages(nlp, docs[:2], bs)  # warm-up
    stages = _quotes_stages(nlp, docs, bs)
    pipe = nlp.get_pipe(qname)
    t0 = time.perf_counter()
    docs = list(pipe.pipe(docs, batch_size=bs))
    whole = time.perf_counter() - t0
    return {"docs": len(texts), "words": words, "base": base, "pipe": whole, **stages,
            "quotes_found": _n_quotes(docs), "desc": desc}


def _scaling_row(nlp: Any, text: str, size: int, min_time: float) -> Dict[str, Any]:
    qname = C.quotes_name(nlp)
    nlp.max_length = max(nlp.max_length, len(text) + 1)
    words = C.n_words(text)
    holder: Dict[str, Any] = {}
    with nlp.select_pipes(disable=[qname]):
        def parse() -> None:
            holder["doc"] = nlp(text)

        base = _best_time(parse, min_time)
    doc = holder["doc"]
    best: Dict[str, float] = {}
    spent, reps = 0.0, 0
    while reps == 0 or (spent < min_time and reps < 20):
        stages = _quotes_stages(nlp, [doc], 1)
        for k, v in stages.items():
            best[k] = min(best.get(k, float("inf")), v)
        spent += stages["quotes"]
        reps += 1
    best["quotes"] = best["model"] + best["decode"] + best["speakers"]
    return {"size": size, "words": words, "tokens": len(doc), "base": base, **best,
            "quotes_found": _n_quotes([doc]), "rss_mb": C.peak_rss_mb()}


def _guarded_row(nlp: Any, text: str, size: int, min_time: float, what: str) -> Dict[str, Any]:
    """:func:`_scaling_row`, recording an exception of the pipeline as the row's ``error``
    (the benchmark goes on with the next size and the table shows the failure)."""
    try:
        row = _scaling_row(nlp, text, size, min_time)
    except Exception as err:  # a failure of the component on this document is a result too
        C.logger.warning("%s %d: %s: %s", what, size, type(err).__name__, str(err)[:200])
        return {"size": size, "words": C.n_words(text), "error": f"{type(err).__name__}: {str(err)[:200]}"}
    C.logger.info("%s %d: %.2fs base, %.2fs quotes", what, size, row["base"], row["quotes"])
    return row


def worker_length(spec: Dict[str, Any]) -> Dict[str, Any]:
    """Time per word as one document grows (sizes in ascending order, one process)."""
    nlp, desc = C.load_pipeline(spec["model"])
    _scaling_row(nlp, long_text(200), 200, 0.0)  # warm-up
    rows = []
    for size in sorted(spec["lengths"]):
        rows.append(_guarded_row(nlp, long_text(size), size, spec["min_time"], "length"))
    return {"rows": rows, "desc": desc}


def worker_quotes(spec: Dict[str, Any]) -> Dict[str, Any]:
    """Time per quote as the number of template quotes in one document grows."""
    nlp, desc = C.load_pipeline(spec["model"])
    _scaling_row(nlp, quotes_text(3), 3, 0.0)  # warm-up
    rows = []
    for k in sorted(spec["quote_counts"]):
        rows.append(_guarded_row(nlp, quotes_text(k), k, spec["min_time"], "quotes"))
    return {"rows": rows, "desc": desc}


def worker_several(spec: Dict[str, Any]) -> Dict[str, Any]:
    """Several workers one after the other in one process (``--quick``: saves start-ups; the
    peak memory figures then cover all of them)."""
    return {key: WORKERS[kind](sub) for key, kind, sub in spec["workers"]}


WORKERS = {"throughput": worker_throughput, "component": worker_component,
           "length": worker_length, "quotes": worker_quotes, "several": worker_several}


def run_worker(kind: str, spec: Dict[str, Any]) -> Dict[str, Any]:
    """Run one worker in a fresh Python process and return its result.

    kind (str): a key of WORKERS.
    spec (Dict[str, Any]): its settings (JSON-serialisable).
    RETURNS (Dict[str, Any]): what the worker reported.
    """
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", kind, "--spec", json.dumps(spec)]
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=str(C.REPO))
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        raise SystemExit(f"benchmark worker {kind} {spec} failed (exit {proc.returncode})")
    for line in proc.stderr.splitlines():
        if "no shipped weights" in line or line.startswith(("length ", "quotes ")):
            C.logger.info("  [%s] %s", kind, line)
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT "):])
    raise SystemExit(f"benchmark worker {kind} printed no result:\n{proc.stdout}\n{proc.stderr}")


# ---- analysis -------------------------------------------------------------------------------


def power_fit(sizes: Sequence[float], times: Sequence[float]) -> float:
    """The exponent b of a least-squares fit of log(time) = a + b log(size).

    sizes (Sequence[float]): the sizes (> 0).
    times (Sequence[float]): the times (> 0).
    RETURNS (float): b (1.0 is linear); NaN with fewer than two points.
    """
    pts = [(math.log(s), math.log(t)) for s, t in zip(sizes, times) if s > 0 and t > 0]
    if len(pts) < 2:
        return float("nan")
    mx = sum(p[0] for p in pts) / len(pts)
    my = sum(p[1] for p in pts) / len(pts)
    sxx = sum((p[0] - mx) ** 2 for p in pts)
    if sxx == 0:
        return float("nan")
    return sum((p[0] - mx) * (p[1] - my) for p in pts) / sxx


def verdict(ok: bool) -> str:
    """RETURNS (str): 'PASS' or 'FAIL'."""
    return "PASS" if ok else "FAIL"


class Report:
    """Collects the tables of one run: prints them and writes the markdown sections."""

    def __init__(self, markdown: Optional[Path]) -> None:
        self.markdown = markdown
        self.sections: Dict[str, List[str]] = {}

    def table(self, section: str, title: str, headers: Sequence[str], rows: List[Sequence[Any]],
              notes: Sequence[str] = ()) -> None:
        print(f"\n== {title} ==")
        print(C.text_table(headers, rows))
        for note in notes:
            print(note)
        md = [f"### {title}", "", C.markdown_table(headers, rows), ""]
        md += [f"{note}  " for note in notes]
        self.sections.setdefault(section, []).append("\n".join(md))

    def write(self, intro: Dict[str, str]) -> None:
        if self.markdown is None:
            return
        for section, parts in self.sections.items():
            C.write_markdown_section(self.markdown, section, intro.get(section, "") + "\n\n" + "\n\n".join(parts))


def throughput_tables(report: Report, rows: List[Dict[str, Any]], comp: Optional[Dict[str, Any]],
                      separate: bool = True) -> Dict[str, Any]:
    """Print the throughput tables and check the time and memory goals.

    separate (bool): whether each configuration ran in its own process (not with --quick).
    RETURNS (Dict[str, Any]): the verdicts and the component's added time.
    """
    headers = ["pipeline", "n_process", "batch_size", "docs", "words", "seconds", "words/s",
               "peak RSS MB", "worker RSS MB", "quotes"]
    report.table("speed-throughput", "Throughput and peak memory", headers, [
        [r["pipeline"], r["n_process"], r["batch_size"], r["docs"], r["words"], r["seconds"], r["wps"],
         r["rss_mb"], r["worker_rss_mb"], r["quotes"]] for r in rows])
    by_key = {(r["pipeline"], r["n_process"], r["batch_size"]): r for r in rows}
    cmp_rows = []
    summary: Dict[str, Any] = {"time_ok": True, "memory_ok": True}
    for (pipeline, n_proc, bs), full in sorted(by_key.items()):
        base = by_key.get(("base", n_proc, bs))
        if pipeline != "base+quotes" or base is None:
            continue
        added = full["seconds"] / base["seconds"] - 1
        mem = full["rss_mb"] - base["rss_mb"]
        if n_proc > 1 and full["worker_rss_mb"] is not None and base["worker_rss_mb"] is not None:
            mem = max(mem, full["worker_rss_mb"] - base["worker_rss_mb"])
        summary["time_ok"] &= added <= GOAL_TIME
        summary["memory_ok"] &= mem <= GOAL_MEMORY_MB
        cmp_rows.append([n_proc, bs, base["wps"], full["wps"], f"{100 * added:+.1f}%",
                         verdict(added <= GOAL_TIME), mem, verdict(mem <= GOAL_MEMORY_MB)])
    if cmp_rows:
        how = "separate processes" if separate else "one process, --quick"
        report.table("speed-throughput", f"What quotes adds to the base pipeline ({how})",
                     ["n_process", "batch_size", "base words/s", "base+quotes words/s", "added time",
                      f"goal <= {100 * GOAL_TIME:.0f}%", "added peak MB", f"goal <= {GOAL_MEMORY_MB:.0f} MB"],
                     cmp_rows,
                     notes=["Added time compares two runs one after the other, so it carries the machine's "
                            "noise; the component table below measures both on the same docs in one process."
                            + ("" if separate else " With --quick all runs share one process: the memory "
                               "figures are cumulative.")])
    if comp:
        q = comp["quotes"]
        added = q / comp["base"]
        summary["component_added"] = added
        summary["time_ok_component"] = added <= GOAL_TIME
        w = comp["words"]
        report.table("speed-throughput", "The quotes component alone (pre-parsed docs, one process)",
                     ["stage", "seconds", "words/s", "share of base+quotes"],
                     [["base pipeline (parse)", comp["base"], w / comp["base"], comp["base"] / (comp["base"] + q)],
                      ["quotes: model (predict)", comp["model"], w / comp["model"], comp["model"] / (comp["base"] + q)],
                      ["quotes: decode + link", comp["decode"], w / max(comp["decode"], 1e-9),
                       comp["decode"] / (comp["base"] + q)],
                      ["quotes: speaker resolution", comp["speakers"], w / max(comp["speakers"], 1e-9),
                       comp["speakers"] / (comp["base"] + q)],
                      ["quotes: all stages", q, w / q, q / (comp["base"] + q)],
                      ["quotes: pipe() as one call", comp["pipe"], w / comp["pipe"], comp["pipe"] / (comp["base"] + comp["pipe"])]],
                     notes=[f"{comp['docs']} docs, {w:,} words, {comp['quotes_found']} quotes found; batch size "
                            f"{comp['batch_size']}. quotes adds {100 * added:.1f}% to the base pipeline's time "
                            f"(goal <= {100 * GOAL_TIME:.0f}%): {verdict(added <= GOAL_TIME)}."])
    return summary


def scaling_table(report: Report, section: str, title: str, unit: str, rows: List[Dict[str, Any]]) -> Dict[str, Any]:
    """Print the scaling rows with per-unit times and the linearity verdicts; rows whose run
    failed are shown with their error and left out of the fit."""
    per = "word" if unit == "words" else "quote"

    def n_of(r: Dict[str, Any]) -> int:
        return r["words"] if unit == "words" else r["size"]

    out = []
    for r in rows:
        if "error" in r:
            out.append([n_of(r)] + [None] * 10 + [f"FAILED: {r['error'].split(':')[0]}"])
            continue
        n = n_of(r)
        out.append([n, r["tokens"], r["base"], r["model"], r["decode"], r["speakers"], r["quotes"],
                    1e6 * r["base"] / n, 1e6 * r["quotes"] / n, r["words"] / (r["base"] + r["quotes"]),
                    r["quotes_found"], r["rss_mb"]])
    ok_rows = [r for r in rows if "error" not in r]
    failed = [r for r in rows if "error" in r]
    res: Dict[str, Any] = {"failed": [{"size": n_of(r), "error": r["error"]} for r in failed]}
    notes = [f"FAILED at {n_of(r):,} {unit}: {r['error']}" for r in failed]
    if len(ok_rows) >= 2:
        first, last = ok_rows[0], ok_rows[-1]
        n0, n1 = n_of(first), n_of(last)
        sizes = [n_of(r) for r in ok_rows]
        for what in ("base", "quotes", "model", "decode", "speakers"):
            t0, t1 = first[what] / n0, last[what] / n1
            res[what] = {"ratio": t1 / t0 if t0 > 0 else float("nan"),
                         "exponent": power_fit(sizes, [r[what] for r in ok_rows])}
        for what, label in (("base", "base pipeline"), ("quotes", "quotes (all stages)"), ("model", "quotes: model"),
                            ("decode", "quotes: decode + link"), ("speakers", "quotes: speakers")):
            notes.append(f"{label}: time per {per} at {n1:,} / at {n0:,} {unit} = {res[what]['ratio']:.2f}x, "
                         f"fitted exponent {res[what]['exponent']:.2f}")
        ok = res["quotes"]["ratio"] <= GOAL_RATIO and res["quotes"]["exponent"] <= GOAL_EXPONENT and not failed
    else:
        ok = False
        res["quotes"] = res["base"] = {"ratio": float("nan"), "exponent": float("nan")}
    res["linear_ok"] = ok
    notes.append(f"Goal, linear in the number of {unit}: ratio <= {GOAL_RATIO} and exponent <= {GOAL_EXPONENT} "
                 f"for quotes, no failure: {verdict(ok)}.")
    headers = [unit, "tokens", "base s", "model s", "decode s", "speakers s", "quotes s",
               f"base us/{per}", f"quotes us/{per}", "words/s (both)", "quotes found", "peak RSS MB so far"]
    report.table(section, title, headers, out, notes)
    return res


def plot(path: Path, length_rows: List[Dict[str, Any]], quote_rows: List[Dict[str, Any]]) -> bool:
    """Throughput against document length and time per quote against quotes per document.

    RETURNS (bool): whether the plot was written (False without matplotlib).
    """
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        C.logger.warning("matplotlib is not installed: no plot (pip install matplotlib)")
        return False
    length_rows = [r for r in length_rows if "error" not in r]
    quote_rows = [r for r in quote_rows if "error" not in r]
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    ax = axes[0]
    xs = [r["words"] for r in length_rows]
    ax.plot(xs, [r["words"] / r["base"] for r in length_rows], "o-", label="base pipeline")
    ax.plot(xs, [r["words"] / r["quotes"] for r in length_rows], "s-", label="quotes component alone")
    ax.plot(xs, [r["words"] / (r["base"] + r["quotes"]) for r in length_rows], "^-", label="base + quotes")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("document length (words)")
    ax.set_ylabel("words per second")
    ax.set_title("Throughput vs document length (flat = linear)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    ax = axes[1]
    if quote_rows:
        xs = [r["size"] for r in quote_rows]
        for key, label, marker in (("quotes", "quotes, all stages", "s-"), ("model", "model", "o--"),
                                   ("decode", "decode + link", "v--"), ("speakers", "speakers", "d--")):
            ax.plot(xs, [1000 * r[key] / r["size"] for r in quote_rows], marker, label=label)
        ax.plot(xs, [1000 * r["base"] / r["size"] for r in quote_rows], "^:", label="base pipeline")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("quotes per document")
        ax.set_ylabel("ms per quote")
        ax.set_title("Time per quote vs quotes per document (flat = linear)")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


# ---- main -----------------------------------------------------------------------------------


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", default=None, help="pipeline or quotes component to benchmark (default: the shipped one)")
    p.add_argument("--quick", action="store_true", help="tiny sizes (smoke test)")
    p.add_argument("--corpus", choices=["polnear", "seeds", "both"], default="both", help="texts for throughput")
    p.add_argument("--n-texts", type=int, default=None, help="at most this many texts (0: all)")
    p.add_argument("--repeat", type=int, default=1, help="the texts this many times over (e.g. --corpus seeds --repeat 20)")
    p.add_argument("--n-process", type=int, nargs="+", default=None)
    p.add_argument("--batch-sizes", type=int, nargs="+", default=None)
    p.add_argument("--lengths", type=int, nargs="+", default=None, help="document lengths in words")
    p.add_argument("--quote-counts", type=int, nargs="+", default=None, help="quotes per document")
    p.add_argument("--min-time", type=float, default=None, help="repeat small cases for at least this many seconds")
    p.add_argument("--only", nargs="+", choices=["throughput", "component", "length", "quotes"], default=None,
                   help="run only these parts")
    p.add_argument("--markdown", type=Path, default=None, help="write the tables into this markdown file")
    p.add_argument("--plot", type=Path, default=None,
                   help="the plot's path (default with --markdown: img/throughput.png next to it)")
    p.add_argument("--json", type=Path, default=None, help="also write the raw results as JSON")
    p.add_argument("--worker", choices=sorted(WORKERS), default=None, help=argparse.SUPPRESS)
    p.add_argument("--spec", default=None, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    preset = QUICK if args.quick else FULL
    for key in ("n_process", "batch_sizes", "lengths", "quote_counts", "n_texts", "min_time"):
        if getattr(args, key) is None:
            setattr(args, key, preset[key])
    return args


def main(argv: Optional[List[str]] = None) -> Dict[str, Any]:
    args = parse_args(argv)
    C.setup_logging()
    if args.worker:
        result = WORKERS[args.worker](json.loads(args.spec))
        print("RESULT " + json.dumps(result))
        return result
    parts = args.only or ["throughput", "component", "length", "quotes"]
    report = Report(args.markdown)
    results: Dict[str, Any] = {"machine": C.machine_info(), "command": C.command_line()}
    print(f"machine: {C.machine_line()}")
    model_desc = None
    bs_comp = max(args.batch_sizes)
    jobs: List[Tuple[str, str, Dict[str, Any]]] = []  # (key, worker, spec)
    if "throughput" in parts:
        for n_proc in args.n_process:
            for bs in args.batch_sizes:
                for pipeline in ("base", "base+quotes"):
                    spec = {"model": args.model, "pipeline": pipeline, "n_process": n_proc, "batch_size": bs,
                            "corpus": args.corpus, "n_texts": args.n_texts, "repeat": args.repeat}
                    jobs.append((f"throughput {pipeline} n_process={n_proc} batch_size={bs}", "throughput", spec))
    if "component" in parts:
        jobs.append(("component", "component", {"model": args.model, "corpus": args.corpus,
                                                "n_texts": args.n_texts, "repeat": args.repeat,
                                                "batch_size": bs_comp}))
    if "length" in parts:
        jobs.append(("length", "length", {"model": args.model, "lengths": args.lengths, "min_time": args.min_time}))
    if "quotes" in parts:
        jobs.append(("quotes", "quotes", {"model": args.model, "quote_counts": args.quote_counts,
                                          "min_time": args.min_time}))
    if args.quick:
        # one process for everything: quick, but the peak memory is then not per configuration
        C.logger.info("all measurements in one process (--quick)")
        outs = run_worker("several", {"workers": jobs})
    else:
        outs = {}
        for key, kind, spec in jobs:
            C.logger.info("%s", key)
            outs[key] = run_worker(kind, spec)
    rows = [outs[key] for key, kind, _ in jobs if kind == "throughput"]
    if rows:
        model_desc = rows[-1]["desc"]
        results["throughput"] = rows
    comp = outs.get("component")
    if comp:
        comp["batch_size"] = bs_comp
        model_desc = comp["desc"]
        results["component"] = comp
    if "throughput" in parts or comp:
        results["throughput_summary"] = throughput_tables(report, results.get("throughput", []), comp,
                                                          separate=not args.quick)
    length_rows: List[Dict[str, Any]] = []
    quote_rows: List[Dict[str, Any]] = []
    if "length" in outs:
        length_rows = outs["length"]["rows"]
        model_desc = outs["length"]["desc"]
        results["length"] = length_rows
        results["length_summary"] = scaling_table(
            report, "speed-scaling", "Time as one document grows (PolNeAR articles concatenated)", "words", length_rows)
    if "quotes" in outs:
        quote_rows = outs["quotes"]["rows"]
        model_desc = outs["quotes"]["desc"]
        results["quotes"] = quote_rows
        results["quotes_summary"] = scaling_table(
            report, "speed-scaling", "Time as the number of quotes per document grows (template documents)",
            "quotes", quote_rows)
    print(f"\nmodel: {model_desc}")
    results["model"] = model_desc
    plot_path = args.plot
    if plot_path is None and args.markdown is not None:
        plot_path = args.markdown.parent / "img" / "throughput.png"
    if plot_path is not None and any("error" not in r for r in length_rows):
        if plot(plot_path, length_rows, quote_rows):
            print(f"plot: {plot_path}")
            results["plot"] = str(plot_path)
    goals = goal_lines(results)
    print("\n== Goals ==")
    for line in goals:
        print(line)
    if args.markdown is not None:
        rel_plot = None
        if results.get("plot"):
            try:
                rel_plot = Path(results["plot"]).resolve().relative_to(args.markdown.resolve().parent)
            except ValueError:
                rel_plot = Path(results["plot"]).resolve()
        head = (f"Command: `{results['command']}`  \nModel: {model_desc}  \nMachine: {C.machine_line()}")
        goals_md = "\n".join(f"- {line}" for line in goals)
        intro = {
            "speed-throughput": "## Speed and memory\n\n" + head + "\n\nGoals:\n\n" + goals_md,
            "speed-scaling": "## Scaling with document length and number of quotes\n\n" + head
            + (f"\n\n![throughput against document length]({rel_plot})" if rel_plot else ""),
        }
        report.write(intro)
        print(f"markdown: {args.markdown}")
    if args.json is not None:
        args.json.write_text(json.dumps(results, indent=1), encoding="utf8")
    return results


def goal_lines(results: Dict[str, Any]) -> List[str]:
    """RETURNS (List[str]): each goal with the measured figure and PASS / FAIL."""
    lines = []
    ts = results.get("throughput_summary") or {}
    if "component_added" in ts:
        lines.append(f"quotes adds <= {100 * GOAL_TIME:.0f}% to the base pipeline's time: "
                     f"{100 * ts['component_added']:.1f}% (component table, one process): "
                     f"{verdict(ts['time_ok_component'])}")
    if results.get("throughput"):
        lines.append(f"same goal across the throughput configurations (separate processes): "
                     f"{verdict(ts.get('time_ok', False))}")
        lines.append(f"quotes adds <= {GOAL_MEMORY_MB:.0f} MB to peak memory: {verdict(ts.get('memory_ok', False))}")
    for key, what in (("length_summary", "document length"), ("quotes_summary", "number of quotes")):
        s = results.get(key)
        if s:
            lines.append(f"linear in {what}: time per unit ratio {s['quotes']['ratio']:.2f}x, exponent "
                         f"{s['quotes']['exponent']:.2f} (quotes), {s['base']['ratio']:.2f}x / "
                         f"{s['base']['exponent']:.2f} (base)"
                         + "".join(f"; FAILED at {f['size']:,}: {f['error'][:80]}" for f in s.get("failed", []))
                         + f": {verdict(s['linear_ok'])}")
    return lines


if __name__ == "__main__":
    main()
