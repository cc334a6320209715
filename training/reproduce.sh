#!/usr/bin/env bash
# Train the shipped architecture (configs/quotes_step.cfg) on PolNeAR's gold (train + dev), ship
# it and report PolNeAR test: the `all` workflow of project.yml (convert, train, evaluate, ship).
# The shipped weights themselves are the distilled student of a transformer teacher: the
# teacher-student workflow and docs/transformers.md.
#   bash training/reproduce.sh [POLNEAR_DIR]     (default ../shared/data/polnear)
# About 30-40 minutes on 2 CPU cores (5,000 steps). On a GPU: add --vars.gpu_id 0 to the line below.
set -euo pipefail
cd "$(dirname "$0")/.."
POLNEAR=${1:-../shared/data/polnear}
python -m spacy project run all . --vars.polnear "$POLNEAR"
