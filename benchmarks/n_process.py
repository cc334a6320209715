"""Does ``--n-process`` speed up a run of some tens of articles? (issue 11, item 14)

Runs ``spacy_quotes.runner.pipe_records`` over N articles (the seed texts, repeated; or PolNeAR
dev texts when present) with one process and with ``--n-process`` processes, at the default
batch size (32). The runner shares a stream shorter than ``n_process`` full batches out evenly;
The "old" row gives nlp.pipe the plain batch size instead (what the runner did before:
the first process got 32 texts, the second the rest).

    python benchmarks/n_process.py --docs 41 --n-process 2
"""
import argparse
import time
from typing import List

import _common  # noqa: F401  (paths)
from _common import SEED_CORPUS


def texts(n: int) -> List[str]:
    import json

    seeds = [json.loads(line)["text"] for line in SEED_CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [seeds[i % len(seeds)] for i in range(n)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=41)
    parser.add_argument("--n-process", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--quick", action="store_true", help="6 documents (a smoke test)")
    args = parser.parse_args()
    import spacy_quotes
    from spacy_quotes.inputs import InputText
    from spacy_quotes.runner import pipe_records

    n = 6 if args.quick else args.docs
    nlp = spacy_quotes.load()
    items = [InputText(str(i), t, str(i)) for i, t in enumerate(texts(n))]
    words = sum(len(t.text.split()) for t in items)
    print(f"{n} articles, {words} words, batch size {args.batch_size}")
    print(f"{'mode':<34} {'seconds':>8} {'words/s':>8}")
    runs = [("1 process", 1, args.batch_size),
            (f"{args.n_process} processes, batch {args.batch_size} (old)", args.n_process, None),
            (f"{args.n_process} processes (runner)", args.n_process, args.batch_size)]
    for label, n_process, size in runs:
        start = time.perf_counter()
        if size is None:  # the old behaviour: nlp.pipe with the plain batch size
            docs = list(nlp.pipe((t.text for t in items), batch_size=args.batch_size, n_process=n_process))
            assert len(docs) == n
        else:
            results = list(pipe_records(nlp, items, batch_size=size, n_process=n_process))
            assert len(results) == n and not any(r.error for r in results)
        seconds = time.perf_counter() - start
        print(f"{label:<34} {seconds:>8.1f} {words / seconds:>8.0f}", flush=True)


if __name__ == "__main__":
    main()
