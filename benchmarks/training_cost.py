"""Wall time, CPU time and peak memory of training the ``quotes`` component.

    python benchmarks/training_cost.py [--quick] [--max-steps N] [--markdown docs/benchmarks.md]

Runs ``python -m spacy train configs/quotes_cpu.cfg`` (the config of the shipped model) in a
child process on the converted PolNeAR corpus (training/corpus/{train,dev}.spacy, made by
``spacy-quotes convert polnear``) and measures it with ``os.wait4``: the child's own peak
resident memory (``ru_maxrss``) and CPU time, besides the wall time. The training log gives
the steps done and the last evaluation's scores. The model is written to a temporary folder
(or ``--output``), never over training/output.

``--quick`` trains a few steps on a few documents (a smoke test of the set-up, not a cost).
"""
import argparse
import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common as C  # noqa: E402

DEFAULT_CONFIG = C.REPO / "configs" / "quotes_cpu.cfg"
DEFAULT_TRAIN = C.REPO / "training" / "corpus" / "train.spacy"
DEFAULT_DEV = C.REPO / "training" / "corpus" / "dev.spacy"


def train_command(args: argparse.Namespace, output: Path) -> List[str]:
    """The ``spacy train`` command line for the settings.

    args (argparse.Namespace): the parsed options.
    output (Path): the output folder.
    RETURNS (List[str]): the command.
    """
    cmd = [sys.executable, "-m", "spacy", "train", str(args.config),
           "--paths.train", str(args.train), "--paths.dev", str(args.dev), "--output", str(output)]
    if args.max_steps is not None:
        cmd += ["--training.max_steps", str(args.max_steps)]
    if args.eval_frequency is not None:
        cmd += ["--training.eval_frequency", str(args.eval_frequency)]
    if args.train_limit:
        cmd += ["--corpora.train.limit", str(args.train_limit)]
    if args.dev_limit:
        cmd += ["--corpora.dev.limit", str(args.dev_limit)]
    if args.gpu_id >= 0:
        cmd += ["--gpu-id", str(args.gpu_id)]
    return cmd


_ROW_RE = re.compile(r"^\s*\d+\s+\d+\s+[\d.]+\s", re.M)


def run_measured(cmd: List[str], log_path: Path, poll: float = 0.2) -> Dict[str, Any]:
    """Run a command, its output into log_path, and measure it with os.wait4.

    While it runs, the log is polled for the rows of spaCy's training table, to time the
    training proper: from the first row (the evaluation before step 1, after loading and
    initialisation) to the last.

    cmd (List[str]): the command.
    log_path (Path): where stdout and stderr go.
    poll (float): seconds between looks at the log.
    RETURNS (Dict[str, Any]): exit code, wall seconds, user and system CPU seconds, peak RSS
        (MiB), and the seconds at which the first and the last table row appeared.
    """
    first_row = last_row = None
    n_rows = 0
    with open(log_path, "wb") as log:
        t0 = time.perf_counter()
        env = dict(os.environ, PYTHONUNBUFFERED="1")  # log rows appear when they are printed
        pid = os.posix_spawn(cmd[0], cmd, env,
                             file_actions=[(os.POSIX_SPAWN_DUP2, log.fileno(), 1),
                                           (os.POSIX_SPAWN_DUP2, log.fileno(), 2)])
        while True:
            done, status, usage = os.wait4(pid, os.WNOHANG)
            now = time.perf_counter() - t0
            rows = len(_ROW_RE.findall(log_path.read_text(encoding="utf8", errors="replace")))
            if rows > n_rows:
                n_rows = rows
                last_row = now
                if first_row is None:
                    first_row = now
            if done:
                break
            time.sleep(poll)
        wall = time.perf_counter() - t0
    rss = usage.ru_maxrss / (1024 * 1024) if sys.platform == "darwin" else usage.ru_maxrss / 1024
    return {"exit": os.waitstatus_to_exitcode(status), "wall_s": wall, "user_s": usage.ru_utime,
            "sys_s": usage.ru_stime, "rss_mb": rss, "first_row_s": first_row, "last_row_s": last_row}


_KNOWN = ("QUOTES_CONTENT_F", "QUOTES_CUE_F", "QUOTES_SPEAKER_F", "QUOTES_LINK_ACC", "SCORE")


def _column_name(name: str) -> str:
    """spaCy truncates long column names (``QUOTES_CON...``): restore the known ones."""
    if name.endswith("..."):
        matches = [k for k in _KNOWN if k.startswith(name[:-3])]
        if len(matches) == 1:
            return matches[0]
    return name


def parse_log(text: str) -> Dict[str, Any]:
    """Read the steps and the last evaluation row off spaCy's console log.

    The table's columns are found from its ``---  ------`` rule line, so that names with
    spaces (``LOSS QUOTES``) and truncated names stay in their columns.

    text (str): the log.
    RETURNS (Dict[str, Any]): ``epoch``, ``step``, ``loss`` and ``scores`` (column name ->
        value) of the last table row, and ``n_evals`` (rows seen); only ``n_evals`` when none.
    """
    lines = text.splitlines()
    cols: List[tuple] = []
    names: List[str] = []
    last: Optional[List[str]] = None
    n = 0
    for i, line in enumerate(lines):
        if not cols and i > 0 and re.fullmatch(r"-+(\s+-+)+\s*", line) and lines[i - 1].lstrip().startswith("E"):
            cols = [m.span() for m in re.finditer(r"-+", line)]
            header = lines[i - 1]
            names = [_column_name(header[a:b + 2].strip()) for a, b in cols]
            continue
        if cols and re.match(r"^\s*\d+\s+\d+\s", line):
            values = line.split()
            if len(values) == len(cols):
                last = values
                n += 1
    if not last:
        return {"n_evals": n}
    row = dict(zip(names, last))
    loss = next((float(v) for k, v in row.items() if k.startswith("LOSS")), None)
    scores = {k: float(v) for k, v in row.items() if k not in ("E", "#") and not k.startswith("LOSS")}
    return {"epoch": int(last[0]), "step": int(last[1]), "n_evals": n, "loss": loss, "scores": scores}


def main(argv: Optional[List[str]] = None) -> Dict[str, Any]:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="a few steps on a few documents (smoke test)")
    p.add_argument("--config", type=Path, default=DEFAULT_CONFIG)
    p.add_argument("--train", type=Path, default=DEFAULT_TRAIN)
    p.add_argument("--dev", type=Path, default=DEFAULT_DEV)
    p.add_argument("--max-steps", type=int, default=None, help="training steps (default: the config's)")
    p.add_argument("--eval-frequency", type=int, default=None, help="steps between evaluations (default: the config's)")
    p.add_argument("--train-limit", type=int, default=None, help="training documents (0: all)")
    p.add_argument("--dev-limit", type=int, default=None, help="dev documents (0: all)")
    p.add_argument("--gpu-id", type=int, default=-1)
    p.add_argument("--output", type=Path, default=None, help="keep the trained model here (default: a temporary folder)")
    p.add_argument("--markdown", type=Path, default=None, help="write the table into this markdown file")
    args = p.parse_args(argv)
    if args.quick:
        args.max_steps = args.max_steps if args.max_steps is not None else 4
        args.eval_frequency = args.eval_frequency if args.eval_frequency is not None else 4
        args.train_limit = args.train_limit if args.train_limit is not None else 4
        args.dev_limit = args.dev_limit if args.dev_limit is not None else 1
    for name in ("train", "dev"):
        if not getattr(args, name).exists() and getattr(args, name) in (DEFAULT_TRAIN, DEFAULT_DEV):
            C.logger.warning("%s not found: training on the seed corpus %s instead (make the PolNeAR corpus "
                             "with: spacy-quotes convert polnear <PolNeAR dir> training/corpus)",
                             getattr(args, name), C.rel_path(C.SEED_CORPUS))
            setattr(args, name, C.SEED_CORPUS)
    for path in (args.config, args.train, args.dev):
        if not path.exists():
            raise SystemExit(f"{path} not found (make the corpus with: spacy-quotes convert polnear "
                             f"<PolNeAR dir> training/corpus)")
    C.setup_logging()
    print(f"machine: {C.machine_line()}")
    tmp = None
    output = args.output
    if output is None:
        tmp = tempfile.mkdtemp(prefix="quotes-train-")
        output = Path(tmp) / "output"
    log_path = Path(tempfile.mkstemp(prefix="quotes-train-", suffix=".log")[1])
    cmd = train_command(args, output)
    shown = " ".join(["python"] + [("<output>" if c == str(output) else C.rel_path(Path(c))) if c.startswith("/") else c
                                   for c in cmd[1:]])
    print(f"running: {shown}")
    try:
        res = run_measured(cmd, log_path)
        log = log_path.read_text(encoding="utf8", errors="replace")
        if res["exit"] != 0:
            sys.stderr.write(log[-5000:])
            raise SystemExit(f"spacy train failed (exit {res['exit']})")
        parsed = parse_log(log)
        size = sum(f.stat().st_size for f in (output / "model-last").rglob("*") if f.is_file()) / 1e6 \
            if (output / "model-last").exists() else None
    finally:
        log_path.unlink(missing_ok=True)
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    steps = parsed.get("step")
    scores = parsed.get("scores", {})
    train_s = None
    if res["first_row_s"] is not None and res["last_row_s"] is not None and res["last_row_s"] > res["first_row_s"]:
        train_s = res["last_row_s"] - res["first_row_s"]
    headers = ["steps", "evaluations", "wall s", "CPU user s", "CPU sys s", "peak RSS MB", "start-up s",
               "training s", "s/step", "model MB", "last SCORE", "last content F", "last link acc"]
    row = [steps, parsed.get("n_evals"), res["wall_s"], res["user_s"], res["sys_s"], res["rss_mb"],
           res["first_row_s"], train_s, train_s / steps if train_s and steps else None, size,
           scores.get("SCORE"), scores.get("QUOTES_CONTENT_F"), scores.get("QUOTES_LINK_ACC")]
    limits = (f"train: {C.rel_path(args.train)} ({args.train_limit or 'all'} docs), dev: {C.rel_path(args.dev)} "
              f"({args.dev_limit or 'all'} docs), max steps: {args.max_steps if args.max_steps is not None else 'config'}, "
              f"eval every: {args.eval_frequency if args.eval_frequency is not None else 'config'} steps")
    notes = [limits, "start-up = loading and initialisation up to the first evaluation; training = from there to "
             "the last evaluation (evaluations on the dev set included), from the times the log rows appeared "
             "(+-0.2 s); SCORE (0-1) and the content F and link accuracy (in %) are the last evaluation's, as spaCy logs them."]
    print("\n== Training cost ==")
    print(C.text_table(headers, [row]))
    for note in notes:
        print(note)
    result = {"command": C.command_line(), "train_command": shown, **res, **parsed, "model_mb": size}
    if args.markdown is not None:
        body = (f"## Training cost\n\nCommand: `{result['command']}`  \nIt runs: `{shown}`  \n"
                f"Machine: {C.machine_line()}\n\n" + C.markdown_table(headers, [row]) + "\n\n"
                + "\n".join(f"{n}  " for n in notes))
        C.write_markdown_section(args.markdown, "training-cost", body)
        print(f"markdown: {args.markdown}")
    return result


if __name__ == "__main__":
    main()
