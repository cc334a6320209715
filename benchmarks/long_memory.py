"""Peak memory of one long article through the runner (issue 11, item 6).

Each size runs in a subprocess of its own (peak RSS is per process), on a synthetic article of
this script's own sentences (paragraphs with direct and reported quotes), through
``spacy_quotes.runner.pipe_records`` as ``spacy-quotes extract`` runs it. ``--together`` runs the
pieces side by side in one ``nlp.pipe`` batch instead (what the runner did before: the
figure to compare with).

    python benchmarks/long_memory.py                      # 1 MB and 3 MB articles
    python benchmarks/long_memory.py --sizes 1 --max-length 250000 --together
"""
import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

PARAGRAPHS = [
    '"The river has never been this low in March," said Elena Park, who runs the ferry at Millbrook.',
    "Farmers upstream said that the new dam had cut the flow by a third since the autumn.",
    'The water board called the claims "guesswork" and said its gauges showed no change.',
    "According to the regional council, the ferry will stop running if the level falls further.",
    '"We will keep the boats going as long as we can," Park added, pointing at the exposed pier.',
    "Residents of the valley have organised a meeting for Thursday evening at the school hall.",
]


def article(n_chars: int) -> str:
    parts, size, i = [], 0, 0
    while size < n_chars:
        para = PARAGRAPHS[i % len(PARAGRAPHS)].replace("March", ["March", "April", "May"][i % 3])
        parts.append(para)
        size += len(para) + 2
        i += 1
    return "\n\n".join(parts)[:n_chars]


def child(megabytes: float, max_length: int, together: bool) -> None:
    import spacy_quotes
    from spacy_quotes.inputs import InputText
    from spacy_quotes.plugins import records_from_doc
    from spacy_quotes.runner import pipe_records, split_text

    nlp = spacy_quotes.load()
    text = article(int(megabytes * 1_000_000))
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    start = time.perf_counter()
    if together:
        pieces = [chunk for _, chunk in split_text(text, max_length)]
        quotes = sum(len(records_from_doc(doc, "a")) for doc in nlp.pipe(pieces, batch_size=32))
    else:
        (result,) = pipe_records(nlp, [InputText("a", text, "a")], max_length=max_length)
        quotes = len(result.records)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"mb": megabytes, "chars": len(text), "pieces": len(split_text(text, max_length)),
                      "mode": "together" if together else "runner", "quotes": quotes, "seconds": round(seconds, 1),
                      "rss_after_load_mb": round(base), "peak_rss_mb": round(peak)}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=float, nargs="+", default=[1.0, 3.0], help="article sizes in MB")
    parser.add_argument("--max-length", type=int, default=1_000_000, help="the runner's piece length")
    parser.add_argument("--together", action="store_true", help="the pieces in one batch (the old behaviour)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.sizes[0], args.max_length, args.together)
        return
    print(f"{'MB':>4} {'pieces':>6} {'mode':>8} {'quotes':>6} {'seconds':>7} {'RSS after load':>14} {'peak RSS':>9}")
    for size in args.sizes:
        cmd = [sys.executable, str(Path(__file__).resolve()), "--child", "--sizes", str(size),
               "--max-length", str(args.max_length)] + (["--together"] if args.together else [])
        out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1]
        r = json.loads(out)
        print(f"{r['mb']:>4} {r['pieces']:>6} {r['mode']:>8} {r['quotes']:>6} {r['seconds']:>7} "
              f"{r['rss_after_load_mb']:>11} MB {r['peak_rss_mb']:>6} MB", flush=True)


if __name__ == "__main__":
    main()
