"""Speaker resolution time as the number of distinct speakers who share a first name grows.

    python benchmarks/speakers_scaling.py [--sizes 2000 6000] [--first-name John]

One document per size holds N quotes ``“<words>,” said <First> <Surname_i>.``, each by a
different person with the same first name (the surnames are made up from syllables). The
document is parsed once with the base pipeline, the quotes are placed with
``set_quote_groups`` (content, cue, speaker mention), and only ``resolve_speakers`` is timed
(best of ``--repeat`` runs). Prints the time per size, the ratio to the smallest size and
the ratio a linear cost would give; resolution that links names through an index grows
about linearly (ratio ~3 from 2,000 to 6,000), a scan over every referent with that first
name grows quadratically (~9-10).
"""
import argparse
import time
from typing import List, Tuple

from spacy_quotes.base import load_base
from spacy_quotes.quote import get_quotes, set_quote_groups
from spacy_quotes.speakers import resolve_speakers

_ONSETS = ("b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z")
_VOWELS = ("a", "e", "i", "o", "u")
_CODAS = ("", "n", "r", "l", "s")
_SAYINGS = (
    "The harvest came in early this year",
    "We expect the new bridge to open in spring",
    "Nobody here has seen a winter this mild",
    "The orchestra will tour four cities",
    "Our volunteers planted two hundred trees",
)


def surname(i: int) -> str:
    """A made-up surname, distinct for every i (three syllables and a suffix)."""
    parts = []
    n = i
    for _ in range(3):
        n, k = divmod(n, len(_ONSETS) * len(_VOWELS))
        parts.append(_ONSETS[k // len(_VOWELS)] + _VOWELS[k % len(_VOWELS)])
    n, k = divmod(n, len(_CODAS))
    return ("".join(parts) + _CODAS[k] + "ov" * (n + 1)).capitalize()


def build_text(n: int, first: str) -> Tuple[str, List[dict]]:
    """RETURNS (Tuple[str, List[dict]]): the text and its quote items (character offsets)."""
    pieces, items, offset = [], [], 0
    for i in range(n):
        saying = _SAYINGS[i % len(_SAYINGS)]
        name = f"{first} {surname(i)}"
        para = f"\u201c{saying},\u201d said {name}.\n\n"
        c0 = offset + 1
        cue0 = offset + para.index("said")
        spk0 = offset + para.index(name)
        items.append({"content": (c0, c0 + len(saying) + 1), "cue": (cue0, cue0 + 4),
                      "speaker": (spk0, spk0 + len(name)), "type": "direct"})
        pieces.append(para)
        offset += len(para)
    return "".join(pieces), items


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 6000])
    parser.add_argument("--first-name", default="John")
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    nlp = load_base()
    rows = []
    for n in args.sizes:
        text, items = build_text(n, args.first_name)
        nlp.max_length = max(nlp.max_length, len(text) + 1)
        t0 = time.perf_counter()
        parsed = nlp(text)
        parse_s = time.perf_counter() - t0
        best = float("inf")
        for _ in range(args.repeat):
            doc = parsed.copy()
            set_quote_groups(doc, items)
            t0 = time.perf_counter()
            resolve_speakers(doc)
            best = min(best, time.perf_counter() - t0)
        quotes = get_quotes(doc)
        right = sum(1 for q, item in zip(quotes, items)
                    if q.speaker_name == text[item["speaker"][0]:item["speaker"][1]])
        distinct = len({q.speaker_id for q in quotes})
        rows.append((n, len(doc), parse_s, best, right, distinct))
    n0, t0s = rows[0][0], rows[0][3]
    print(f"{'quotes':>7} {'tokens':>8} {'parse s':>8} {'resolve s':>10} {'ratio':>6} {'linear':>6} "
          f"{'names right':>12} {'ids':>6}")
    for n, tokens, parse_s, t, right, distinct in rows:
        print(f"{n:>7} {tokens:>8} {parse_s:>8.2f} {t:>10.3f} {t / t0s:>6.2f} {n / n0:>6.2f} "
              f"{right:>12} {distinct:>6}")


if __name__ == "__main__":
    main()
