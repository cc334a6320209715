#!/usr/bin/env bash
# Reproduce the shipped `quotes` weights from PolNeAR (train + dev) and report PolNeAR test.
#   bash training/reproduce.sh [POLNEAR_DIR]     (default ../shared/data/polnear)
# About 30-40 minutes on 2 CPU cores (5,000 steps). Add --gpu-id 0 to the `spacy train` line on a GPU machine.
set -euo pipefail
cd "$(dirname "$0")/.."
POLNEAR=${1:-../shared/data/polnear}
CORPUS=training/corpus
spacy-quotes convert polnear "$POLNEAR" "$CORPUS" --n-process 2
python -m spacy train configs/quotes_cpu.cfg \
    --paths.train "$CORPUS/train.spacy" --paths.dev "$CORPUS/dev.spacy" \
    --output training/output
python training/ship.py training/output/model-best
spacy-quotes evaluate "$CORPUS/test.spacy" --output training/test_metrics.json
