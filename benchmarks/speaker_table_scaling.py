"""Time of the speaker table (``collect_speakers``) as the number of distinct speakers grows.

    python benchmarks/speaker_table_scaling.py [--quick] [--sizes 5000 20000 100000]

An archive's table groups the records of millions of articles by speaker name, so the number
of distinct names runs into the hundreds of thousands. Each size N gives N records of N
made-up two-word names (``Anna <surname>``; the surnames of ``speakers_scaling.py``), with a
longer form of every tenth name (``Maria Anna <surname>``, which its shorter form joins) and an
upper-case spelling of every seventh (joined by its fold). Prints the time per size, the
ratio to the smallest size and the ratio a linear cost would give: a table that finds shorter
forms through an index grows about linearly; comparing every name with every other grows
quadratically (before the index, 5,000 names took 6.4 s and 20,000 took 88 s).
"""
import argparse
import time
from typing import Any, Dict, List

from speakers_scaling import surname

from spacy_quotes.speaker_table import collect_speakers


def records(n: int) -> List[Dict[str, Any]]:
    """RETURNS (List[Dict[str, Any]]): the quote records of size n."""
    out = []
    for i in range(n):
        name = f"Anna {surname(i)}"
        out.append({"doc_id": str(i % 1000), "type": "direct", "speaker_name": name})
        if i % 10 == 0:
            out.append({"doc_id": str(i % 997), "type": "indirect", "speaker_name": f"Maria {name}"})
        if i % 7 == 0:
            out.append({"doc_id": "x", "type": "mixed", "speaker_name": name.upper()})
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[5000, 20000, 100000])
    parser.add_argument("--quick", action="store_true", help="tiny sizes (a smoke test; its figures mean nothing)")
    args = parser.parse_args()
    if args.quick:
        args.sizes = [300, 1200]
    rows = []
    for n in args.sizes:
        recs = records(n)
        t0 = time.perf_counter()
        table = collect_speakers(recs)
        rows.append((n, len(recs), len(table), time.perf_counter() - t0))
    n0, t0s = rows[0][0], rows[0][3]
    print(f"{'names':>7} {'records':>8} {'rows':>7} {'seconds':>8} {'ratio':>6} {'linear':>6}")
    for n, n_recs, n_rows, t in rows:
        print(f"{n:>7} {n_recs:>8} {n_rows:>7} {t:>8.2f} {t / t0s:>6.2f} {n / n0:>6.2f}")


if __name__ == "__main__":
    main()
