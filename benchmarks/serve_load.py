"""A bounded load run of ``spacy-quotes serve`` on 127.0.0.1.

    python benchmarks/serve_load.py [--requests 300] [--concurrency 8] [--workers 1 2]
                                    [--min-words 300] [--max-words 1500] [--quick]
                                    [--markdown docs/benchmarks.md]

For each ``--workers`` value it starts ``python -m spacy_quotes serve`` on a free loopback
port (a fresh process, so its memory is its own), waits for ``/healthz``, sends one warm-up
request per worker, then ``--requests`` requests ``POST /v1/quotes`` (one news article each:
PolNeAR test articles of ``--min-words`` to ``--max-words`` words, else the seed articles),
``--concurrency`` at a time from client threads. It prints requests/s, words/s, the latency
percentiles (p50/p95/p99, from sending the request to reading the whole answer), the error
count (a status other than 200, or a record whose ``text`` is not ``document[start:end]``:
it must be 0) and the server's peak memory: the peak resident set (VmHWM) of the server
process and of each worker process, read from /proc before the server stops.
"""
import argparse
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common as C  # noqa: E402

SECTION = "serve-load"


def free_port() -> int:
    """RETURNS (int): a free TCP port on 127.0.0.1."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def load_texts(min_words: int, max_words: int) -> Tuple[List[Tuple[str, str]], str]:
    """RETURNS (Tuple[List[Tuple[str, str]], str]): (id, text) articles of min_words to
    max_words words, and where they come from."""
    if C.has_polnear("test"):
        texts = [(i, t) for i, t in C.polnear_texts("test") if min_words <= C.n_words(t) <= max_words]
        if texts:
            return texts, f"PolNeAR test articles of {min_words:,}-{max_words:,} words"
    texts = [(i, t) for i, t in C.seed_texts() if t.strip()]
    if not texts:
        raise SystemExit("no texts: neither PolNeAR nor the seed articles are on this machine")
    return texts, "the seed articles"


def _descendants(pid: int) -> List[int]:
    found: List[int] = []
    todo = [pid]
    while todo:
        current = todo.pop()
        for task in Path(f"/proc/{current}/task").glob("*"):
            try:
                children = (task / "children").read_text().split()
            except OSError:
                continue
            for child in children:
                if int(child) not in found:
                    found.append(int(child))
                    todo.append(int(child))
    return found


def _status_kb(pid: int, field: str) -> Optional[int]:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def peak_memory(pid: int) -> Tuple[float, List[float]]:
    """RETURNS (Tuple[float, List[float]]): peak RSS (MiB) of the server process and of each
    of its worker processes (spawned Python children that load a pipeline; the small
    multiprocessing resource tracker is left out)."""
    main = (_status_kb(pid, "VmHWM") or 0) / 1024
    workers = []
    for child in _descendants(pid):
        if "resource_tracker" in _cmdline(child):
            continue
        workers.append((_status_kb(child, "VmHWM") or 0) / 1024)
    return main, workers


def run_one(workers: int, texts: Sequence[Tuple[str, str]], n_requests: int, concurrency: int,
            seed: int = 0) -> Dict[str, Any]:
    """Start a server with ``workers``, send the load, stop it. RETURNS (Dict[str, Any]): the figures."""
    import httpx

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = Path(os.environ.get("TMPDIR", "/tmp")) / f"serve_load_{port}.log"
    log = open(log_path, "wb")
    started = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "spacy_quotes", "serve", "--port", str(port), "--workers",
                             str(workers)], stdout=log, stderr=subprocess.STDOUT)
    try:
        while True:
            if proc.poll() is not None:
                raise SystemExit(f"the server exited ({proc.returncode}); see {log_path}")
            try:
                if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.3)
        startup = time.monotonic() - started
        rng = random.Random(seed)
        plan = [texts[rng.randrange(len(texts))] for _ in range(n_requests)]
        client = httpx.Client(timeout=600, limits=httpx.Limits(max_connections=concurrency + 2))
        for doc_id, text in texts[:workers]:  # warm-up, not timed
            client.post(f"{url}/v1/quotes", json={"documents": [{"id": doc_id, "text": text}]})
        latencies: List[float] = []
        errors: List[str] = []
        quotes = [0]
        lock = threading.Lock()

        def one(item: Tuple[str, str]) -> None:
            doc_id, text = item
            t0 = time.perf_counter()
            try:
                response = client.post(f"{url}/v1/quotes", json={"documents": [{"id": doc_id, "text": text}]})
                body = response.json()
            except (httpx.HTTPError, ValueError) as err:
                with lock:
                    errors.append(f"{doc_id}: {type(err).__name__}: {err}")
                return
            elapsed = time.perf_counter() - t0
            problem = None
            if response.status_code != 200:
                problem = f"HTTP {response.status_code}: {str(body)[:200]}"
            else:
                bad = [r for r in body["quotes"] if r["doc_id"] != doc_id or r["text"] != text[r["start"]:r["end"]]]
                if bad:
                    problem = f"{len(bad)} records with wrong doc_id or offsets"
            with lock:
                latencies.append(elapsed)
                if problem:
                    errors.append(f"{doc_id}: {problem}")
                else:
                    quotes[0] += len(body["quotes"])

        t_start = time.perf_counter()
        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            list(pool.map(one, plan))
        wall = time.perf_counter() - t_start
        health = client.get(f"{url}/healthz").json()
        main_mb, worker_mb = peak_memory(proc.pid)
        client.close()
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
    for line in errors[:10]:
        print(f"error: {line}", file=sys.stderr)
    words = sum(C.n_words(t) for _, t in plan)
    q = statistics.quantiles(latencies, n=100, method="inclusive") if len(latencies) > 1 else latencies * 99
    batching = health.get("batching", {})
    return {
        "workers": workers, "requests": n_requests, "concurrency": concurrency, "wall_s": wall,
        "requests_per_s": n_requests / wall, "words_per_s": words / wall, "p50_s": q[49], "p95_s": q[94],
        "p99_s": q[98], "max_s": max(latencies) if latencies else 0.0, "errors": len(errors), "quotes": quotes[0],
        "startup_s": startup, "peak_main_mb": main_mb, "peak_workers_mb": worker_mb,
        "peak_total_mb": main_mb + sum(worker_mb), "batches": batching.get("batches", 0),
        "largest_batch": batching.get("largest_batch", 0), "words": words,
    }


HEADERS = ("workers", "requests", "at once", "requests/s", "words/s", "p50 s", "p95 s", "p99 s", "max s",
           "errors", "quotes", "batches", "largest batch", "start-up s", "peak RSS MB (server + workers)")


def table_rows(results: Sequence[Dict[str, Any]]) -> List[List[str]]:
    """RETURNS (List[List[str]]): one row per run, as HEADERS."""
    rows = []
    for r in results:
        memory = f"{r['peak_total_mb']:,.0f}"
        if r["peak_workers_mb"]:
            memory += f" ({r['peak_main_mb']:,.0f} + " + " + ".join(f"{m:,.0f}" for m in r["peak_workers_mb"]) + ")"
        rows.append([
            str(r["workers"]), f"{r['requests']:,}", str(r["concurrency"]), f"{r['requests_per_s']:.2f}",
            f"{r['words_per_s']:,.0f}", f"{r['p50_s']:.2f}", f"{r['p95_s']:.2f}", f"{r['p99_s']:.2f}",
            f"{r['max_s']:.2f}", str(r["errors"]), f"{r['quotes']:,}", f"{r['batches']:,}",
            str(r["largest_batch"]), f"{r['startup_s']:.1f}", memory,
        ])
    return rows


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--min-words", type=int, default=300)
    parser.add_argument("--max-words", type=int, default=1500)
    parser.add_argument("--quick", action="store_true", help="10 requests, 2 at a time, one worker (smoke test)")
    parser.add_argument("--markdown", type=Path, default=None, help="write the section 'serve-load' of this file")
    args = parser.parse_args(argv)
    C.machine_info()  # the load average at the start
    if args.quick:
        args.requests, args.concurrency, args.workers = 10, 2, [1]
    texts, source = load_texts(args.min_words, args.max_words)
    words = [C.n_words(t) for _, t in texts]
    print(f"{len(texts)} texts ({source}), {min(words):,}-{max(words):,} words, mean {statistics.mean(words):,.0f}",
          file=sys.stderr)
    results = []
    for workers in args.workers:
        print(f"workers={workers}: {args.requests} requests, {args.concurrency} at a time...", file=sys.stderr)
        results.append(run_one(workers, texts, args.requests, args.concurrency))
    rows = table_rows(results)
    print(C.text_table(HEADERS, rows))
    failed = sum(r["errors"] for r in results)
    if args.markdown:
        body = "\n".join([
            "## The REST server under load",
            "",
            f"Command: `{C.command_line()}`  ",
            f"Machine: {C.machine_line()}",
            "",
            C.markdown_table(HEADERS, rows),
            "",
            (f"Each request is `POST /v1/quotes` with one article ({source}: {len(texts)} texts, "
             f"{min(words):,}-{max(words):,} words, drawn at random with a fixed seed), sent from "
             f"{args.concurrency} client threads on the same machine over 127.0.0.1; latency is from sending the "
             "request to reading the whole answer. An error is a status other than 200 or a record whose `text` is "
             "not `document[start:end]`. Peak RSS: VmHWM of the server process (+ each worker process), read "
             "before it stops. `batches`: the `nlp.pipe` calls the server made (requests that waited together "
             "share one); workers > 1 are worker processes, each with its own pipeline."),
        ])
        C.write_markdown_section(args.markdown, SECTION, body)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
