"""Issue 14 figures: the not-quote filter and the quote formats, off and on.

For each corpus (the not-quote corpus ``corpus/notquotes.jsonl``, the seed corpus and PolNeAR
test), prints precision / recall / F per role (exact), speaker-name accuracy and the not-quotes
reported as quotes, with ``filter_not_quotes`` and ``quote_formats`` off and on::

    python benchmarks/precision.py [--corpora notquotes seeds polnear-test] [--split test]
"""
import argparse
import sys
import time
from pathlib import Path

import spacy_quotes
from spacy_quotes.corpus import create_quote_corpus_reader

REPO = Path(__file__).resolve().parent.parent
CORPORA = {
    "notquotes": REPO / "corpus" / "notquotes.jsonl",
    "seeds": REPO / "corpus" / "seeds.jsonl",
    "polnear-dev": REPO / "training" / "corpus" / "dev.spacy",
    "polnear-test": REPO / "training" / "corpus" / "test.spacy",
}
SETTINGS = {"off": {"filter_not_quotes": False, "quote_formats": False},
            "on": {"filter_not_quotes": True, "quote_formats": True}}


def pct(value) -> str:
    return "-" if value is None else f"{100 * value:.1f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpora", nargs="+", choices=sorted(CORPORA), default=["notquotes", "seeds", "polnear-test"])
    args = parser.parse_args()
    print("| corpus | switches | content P / R / F | cue P / R / F | speaker P / R / F | speaker name acc | not-quotes reported |")
    print("| --- | --- | --- | --- | --- | ---: | --- |")
    for name in args.corpora:
        path = CORPORA[name]
        if not path.exists():
            print(f"{path}: missing, skipped", file=sys.stderr)
            continue
        for label, settings in SETTINGS.items():
            t0 = time.perf_counter()
            nlp = spacy_quotes.load(**settings)
            examples = list(create_quote_corpus_reader(path)(nlp))
            s = nlp.evaluate(examples)
            roles = ["/".join(pct(s.get(f"quotes_{r}_{m}")) for m in "prf") for r in ("content", "cue", "speaker")]
            nq = "-" if s.get("quotes_not_quote_n") is None else (
                f"{s['quotes_not_quote_fp']} ({pct(s['quotes_not_quote_fp_rate'])}% of {s['quotes_not_quote_n']})")
            print(f"| {name} | {label} | " + " | ".join(roles) + f" | {pct(s.get('quotes_speaker_name_acc'))} | {nq} |")
            print(f"{name} {label}: {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
