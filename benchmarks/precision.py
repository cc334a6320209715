"""Issue 14 figures: the not-quote filter and the quote formats, off, on, and rule by rule.

For each corpus (the not-quote corpus ``corpus/notquotes.jsonl``, the seed corpus, PolNeAR
dev or test), prints precision / recall / F per role (exact), speaker-name accuracy and the
not-quotes reported as quotes, for each setting of ``filter_not_quotes`` and ``quote_formats``::

    python benchmarks/precision.py [--corpora notquotes seeds polnear-test]
    python benchmarks/precision.py --per-rule --corpora polnear-dev notquotes

The default settings are: the shipped default, all off, all on. ``--per-rule`` adds each
filter class and each format rule alone (over all off), and ``--without`` each one left out of
the shipped default. The pipeline (parse and tag probabilities) runs once per corpus; only the
quotes component's decoding, linking, rules, filters and speaker resolution run per setting.
"""
import argparse
import sys
import time
from pathlib import Path
from typing import Dict, List, Tuple

from spacy.training import Example

import spacy_quotes
from spacy_quotes.corpus import create_quote_corpus_reader
from spacy_quotes.pipeline.filters import FILTER_KINDS
from spacy_quotes.pipeline.formats import FORMAT_RULES

REPO = Path(__file__).resolve().parent.parent
CORPORA = {
    "notquotes": REPO / "corpus" / "notquotes.jsonl",
    "seeds": REPO / "corpus" / "seeds.jsonl",
    "polnear-dev": REPO / "training" / "corpus" / "dev.spacy",
    "polnear-test": REPO / "training" / "corpus" / "test.spacy",
}
OFF = {"filter_not_quotes": False, "quote_formats": False}
ON = {"filter_not_quotes": True, "quote_formats": True}


def pct(value) -> str:
    return "-" if value is None else f"{100 * value:.1f}"


def settings_to_run(nlp, per_rule: bool, without: bool) -> List[Tuple[str, Dict]]:
    default = {k: nlp.get_pipe("quotes").cfg[k] for k in OFF}
    out = [("default", default), ("off", OFF), ("all on", ON)]
    if per_rule:
        out += [(f"filter {k}", {"filter_not_quotes": [k], "quote_formats": False}) for k in FILTER_KINDS]
        out += [(f"format {r}", {"filter_not_quotes": False, "quote_formats": [r]}) for r in FORMAT_RULES]
    if without:
        kinds, rules = list(default["filter_not_quotes"] or []), list(default["quote_formats"] or [])
        out += [(f"default - {k}", {"filter_not_quotes": [x for x in kinds if x != k] or False,
                                    "quote_formats": rules or False}) for k in kinds]
        out += [(f"default - {r}", {"filter_not_quotes": kinds or False,
                                    "quote_formats": [x for x in rules if x != r] or False}) for r in rules]
    return out


def run_corpus(nlp, path: Path, settings: List[Tuple[str, Dict]], name: str) -> None:
    pipe = nlp.get_pipe("quotes")
    examples = list(create_quote_corpus_reader(path)(nlp))
    cache = []
    original = pipe.set_annotations

    def capture(docs, scores):
        docs = list(docs)
        cache.extend((doc.copy(), s) for doc, s in zip(docs, scores))
        return original(docs, scores)

    t0 = time.perf_counter()
    pipe.set_annotations = capture
    try:
        list(nlp.pipe([eg.predicted for eg in examples], batch_size=32))
    finally:
        del pipe.set_annotations
    print(f"{name}: pipeline {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    saved = {k: pipe.cfg[k] for k in OFF}
    try:
        for label, setting in settings:
            t0 = time.perf_counter()
            pipe.cfg.update(setting)
            preds = [doc.copy() for doc, _ in cache]
            for i in range(0, len(preds), 64):
                pipe.set_annotations(preds[i:i + 64], [s for _, s in cache[i:i + 64]])
            s = pipe.score([Example(p, eg.reference) for p, eg in zip(preds, examples)])
            roles = ["/".join(pct(s.get(f"quotes_{r}_{m}")) for m in "prf") for r in ("content", "cue", "speaker")]
            nq = "-" if s.get("quotes_not_quote_n") is None else (
                f"{s['quotes_not_quote_fp']} of {s['quotes_not_quote_n']}")
            print(f"| {name} | {label} | " + " | ".join(roles) + f" | {pct(s.get('quotes_speaker_name_acc'))} | {nq} |",
                  flush=True)
            print(f"{name} {label}: {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    finally:
        pipe.cfg.update(saved)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpora", nargs="+", choices=sorted(CORPORA), default=["notquotes", "seeds", "polnear-test"])
    parser.add_argument("--per-rule", action="store_true", help="each filter class and format rule alone")
    parser.add_argument("--without", action="store_true", help="the default with each of its rules left out")
    args = parser.parse_args()
    nlp = spacy_quotes.load()
    settings = settings_to_run(nlp, args.per_rule, args.without)
    print("| corpus | setting | content P / R / F | cue P / R / F | speaker P / R / F | speaker name acc | not-quotes reported |")
    print("| --- | --- | --- | --- | --- | ---: | --- |")
    for name in args.corpora:
        path = CORPORA[name]
        if not path.exists():
            print(f"{path}: missing, skipped", file=sys.stderr)
            continue
        run_corpus(nlp, path, settings, name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
