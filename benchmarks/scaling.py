"""Whole-corpus runs on Dask: scaling with workers, overhead against ``extract --n-process``,
memory per worker, time to first record, and a sizing table for 1 M and 100 M articles.

    python benchmarks/scaling.py [--quick] [--n-texts 40] [--workers 1 2] [--partition-size 5]
        [--json PATH]

The corpus is the first ``--n-texts`` PolNeAR test articles (read at run time, written to a
temporary JSONL shard outside the repository; the seed articles when PolNeAR is missing).

1. **warm throughput**: a LocalCluster of N single-thread workers, the pipeline already
   loaded on each (``client.run``), then ``extract_corpus`` timed: words per second, speedup
   over 1 worker, memory (RSS) per worker after the run, time from submitting to the first
   partition file.
2. **end to end**: the commands as a user runs them, each in a fresh process:
   ``spacy-quotes extract --n-process N`` and ``spacy-quotes extract-corpus --workers N``
   on the corpus and on a one-document corpus (start-up: imports, cluster, pipeline loads).
   The overhead of Dask is compared on the processing time (wall minus start-up) and on the
   wall time.
3. **sizing**: from the warm per-word cost of one worker and the measured 2-worker
   efficiency, workers x hours for 1 M and 100 M articles of 600 words.

The machine is shared with other work: the load average is printed with the figures.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Dict, List, Tuple

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common as C  # noqa: E402

ARTICLE_WORDS = 600
SIZES = (1_000_000, 100_000_000)
SIZING_WORKERS = (8, 64, 256, 1024)


def corpus_texts(n: int) -> Tuple[List[Tuple[str, str]], str]:
    if C.has_polnear("test"):
        return C.polnear_texts("test", limit=n), f"PolNeAR test, first {n} articles"
    texts = C.seed_texts()
    return (texts * (n // len(texts) + 1))[:n], f"seed articles repeated to {n}"


def write_shard(path: Path, texts: List[Tuple[str, str]]) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        for i, (doc_id, text) in enumerate(texts):
            fh.write(json.dumps({"id": f"{i:05d}-{doc_id}", "text": text}, ensure_ascii=False) + "\n")


def rss_mb() -> float:
    import psutil

    return psutil.Process().memory_info().rss / 1e6


def warm_run(shard: Path, workers: int, partition_size: int, work: Path) -> Dict[str, Any]:
    from dask.distributed import Client, LocalCluster

    from spacy_quotes.distributed import RunSettings, extract_corpus
    from spacy_quotes.distributed.worker import check_pipeline

    t0 = time.perf_counter()
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster, \
            Client(cluster) as client:
        started = time.perf_counter() - t0
        out = work / f"warm-{workers}"
        # load the pipeline in each worker's task thread (where the partitions run)
        settings = RunSettings(out_dir=str(out))
        client.gather([client.submit(check_pipeline, settings, workers=[w], pure=False)
                       for w in client.scheduler_info()["workers"]])
        loaded = time.perf_counter() - t0
        first: Dict[str, float] = {}

        def watch(t_submit: float) -> None:
            while "t" not in first:
                if any(out.glob("part-*")):
                    first["t"] = time.perf_counter() - t_submit
                    return
                time.sleep(0.01)

        t1 = time.perf_counter()
        watcher = threading.Thread(target=watch, args=(t1,), daemon=True)
        watcher.start()
        summary = extract_corpus([str(shard)], str(out), client, partition_size=partition_size)
        seconds = time.perf_counter() - t1
        first.setdefault("t", float("nan"))
        memory = sorted(client.run(rss_mb).values())
        busy: Dict[str, float] = {}
        for meta in (out / "_partitions").glob("*.json"):
            entry = json.loads(meta.read_text())
            busy[entry["worker"]] = busy.get(entry["worker"], 0.0) + entry["seconds"]
    return {"workers": workers, "seconds": seconds, "documents": summary.documents, "quotes": summary.quotes,
            "cluster_start": started, "pipeline_loaded": loaded, "first_file": first["t"],
            "rss_mb": memory, "busy_s": sorted(busy.values())}


def command_time(args: List[str]) -> float:
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "spacy_quotes"] + args, capture_output=True, text=True)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(args)} failed:\n{proc.stderr[-2000:]}")
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="Tiny sizes (a smoke test; figures mean nothing).")
    parser.add_argument("--n-texts", type=int, default=40)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--partition-size", type=int, default=5)
    parser.add_argument("--json", type=Path, help="Also write the figures as JSON.")
    args = parser.parse_args()
    if args.quick:
        args.n_texts, args.workers, args.partition_size = 4, [1], 2
    C.setup_logging()
    import logging

    import dask

    dask.config.set({"logging.distributed": "error"})
    logging.getLogger("distributed").setLevel(logging.ERROR)
    texts, what = corpus_texts(args.n_texts)
    words = sum(C.n_words(t) for _, t in texts)
    print(f"# corpus: {what}: {len(texts)} documents, {words:,} words")
    print(f"# machine: {C.machine_line()}")
    print(f"# command: {C.command_line()}")
    results: Dict[str, Any] = {"corpus": what, "documents": len(texts), "words": words}
    with tempfile.TemporaryDirectory(prefix="spacy-quotes-scaling-") as tmp:
        work = Path(tmp)
        shard, one = work / "corpus.jsonl", work / "one.jsonl"
        write_shard(shard, texts)
        write_shard(one, texts[:1])

        # 1. warm throughput
        warm = [warm_run(shard, n, args.partition_size, work) for n in args.workers]
        base = warm[0]["seconds"] * warm[0]["workers"]
        rows = []
        for r in warm:
            r["words_per_s"] = words / r["seconds"]
            r["speedup"] = warm[0]["seconds"] / r["seconds"]
            rows.append([r["workers"], round(r["seconds"], 1), round(r["words_per_s"]), round(r["speedup"], 2),
                         round(base / (r["seconds"] * r["workers"]), 2), round(r["first_file"], 2),
                         round(r["pipeline_loaded"], 1), " / ".join(f"{m:.0f}" for m in r["rss_mb"]),
                         " / ".join(f"{b:.0f}" for b in r["busy_s"])])
        print("\n## Warm throughput (pipeline loaded on every worker before the clock starts)")
        print(C.text_table(["workers", "seconds", "words/s", "speedup", "efficiency", "first file s",
                            "cluster+load s", "RSS per worker MB", "busy s per worker"], rows))
        results["warm"] = warm

        # 2. end to end, as a user runs it
        n = max(args.workers)
        timings: Dict[str, float] = {}
        for label, cmd in [
            (f"extract -n {n}", ["extract", "{in}", "-o", str(work / "e.jsonl"), "-n", str(n), "-q"]),
            (f"extract-corpus --workers {n}", ["extract-corpus", "{in}", "-o", "{out}", "--workers", str(n),
                                               "--partition-size", str(args.partition_size), "-q"]),
        ]:
            for corpus_label, path in (("corpus", shard), ("start-up", one)):
                out = work / f"e2e-{len(timings)}"
                argv = [str(path) if a == "{in}" else str(out) if a == "{out}" else a for a in cmd]
                timings[f"{label} {corpus_label}"] = command_time(argv)
        rows = []
        for label in (f"extract -n {n}", f"extract-corpus --workers {n}"):
            wall, start = timings[f"{label} corpus"], timings[f"{label} start-up"]
            rows.append([label, round(wall, 1), round(start, 1), round(wall - start, 1),
                         round(words / max(wall - start, 1e-9))])
        ex, dk = rows
        overhead_processing = dk[3] / ex[3] - 1
        overhead_wall = dk[1] / ex[1] - 1
        print(f"\n## End to end ({n} processes/workers, fresh process each)")
        print(C.text_table(["command", "wall s", "start-up s", "processing s", "words/s"], rows))
        print(f"Dask overhead against extract -n {n}: processing {overhead_processing:+.1%}, wall {overhead_wall:+.1%}")
        results["end_to_end"] = {"timings": timings, "overhead_processing": overhead_processing,
                                 "overhead_wall": overhead_wall}

    # 3. sizing, from the warm cost of one worker and the measured efficiency of the largest run
    per_word = warm[0]["seconds"] * warm[0]["workers"] / words
    efficiency = min(1.0, base / (warm[-1]["seconds"] * warm[-1]["workers"]))
    print(f"\n## Sizing ({ARTICLE_WORDS}-word articles; {per_word * 1e3:.3f} ms per word per worker, "
          f"efficiency {efficiency:.2f} as measured with {warm[-1]['workers']} workers)")
    rows = []
    for size in SIZES:
        core_hours = size * ARTICLE_WORDS * per_word / 3600
        rows.append([f"{size:,}", round(core_hours)] + [round(core_hours / (w * efficiency), 1) for w in SIZING_WORKERS])
    print(C.text_table(["articles", "worker-hours"] + [f"hours on {w}" for w in SIZING_WORKERS], rows))
    results["sizing"] = {"per_word_s": per_word, "efficiency": efficiency, "rows": rows}
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
