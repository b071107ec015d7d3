"""What repair's confirming pass meets on each text, and what it costs.

``dedup.repair`` runs its pass again on its own output until a pass changes nothing. For each
text whose first pass edits it, this times (CPU time; each text's fastest of ``--rounds``
rounds) the first pass, the skeleton the next pass starts from (cut from the first pass's, or
built anew where the pass moved text in) and the next pass, and sorts the texts by what the
next pass meets:

- ``edits again``: it removes or moves something (a third pass then confirms);
- ``only distant``: pairs, none of a kind repair acts on;
- ``runs, short``: runs that together cover fewer than ``min_chars`` letters (the pass stops
  before chaining them);
- ``pairs, no run``: equal windows, but no two on one diagonal: no run;
- ``no pairs``: no two equal windows.

Then it lists the texts the next pass edits, with what it removes there.

    python benchmarks/repair_passes.py [--data ../shared/eval/repair-dev.jsonl] [--rounds N]
"""

from __future__ import annotations

import argparse
import importlib
import json
import time
from pathlib import Path

import dedup
from dedup.anchors import _anchors, runs  # (_anchors: the pairs of equal windows)
from dedup.model import RepairOptions, apply_edits
from dedup.spans import analyse, scaled
from dedup.tokens import skeleton

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "eval" / "repair-dev.jsonl"
# (``dedup.repair`` is the function; its module holds the pass and the loop)
PASSES = importlib.import_module("dedup.repair")
KINDS = ("edits again", "only distant", "runs, short", "pairs, no run", "no pairs")


def meets(text: str, opts: RepairOptions) -> tuple[str, tuple[dedup.Edit, ...]] | None:
    """What the pass after the first meets on ``text`` (one of ``KINDS``) and its edits there,
    ``None`` where the first pass leaves the text as it is."""
    sk = skeleton(text)
    found = PASSES._repair_once(text, sk, opts)
    if not found:
        return None
    following = apply_edits(text, found)
    sk = PASSES._following_skeleton(sk, text, found, following)
    again = PASSES._repair_once(following, sk, opts)
    if again:
        return "edits again", again
    if analyse(following, opts, distant=False, sk=sk)[1]:
        return "only distant", again
    width = scaled(opts, sk).anchor_chars
    if len(sk) >= 2 * width and runs(sk, width):
        return "runs, short", again
    paired = len(sk) >= 2 * width and _anchors(sk, width)[0].shape[0] > 0
    return ("pairs, no run" if paired else "no pairs"), again


def timed_passes(text: str, opts: RepairOptions) -> tuple[float, float, float]:
    """CPU seconds of the first pass, of the skeleton the next pass starts from, and of the
    next pass."""
    start = time.process_time()
    sk = skeleton(text)
    found = PASSES._repair_once(text, sk, opts)
    first = time.process_time()
    following = apply_edits(text, found)
    sk = PASSES._following_skeleton(sk, text, found, following)
    cut = time.process_time()
    PASSES._repair_once(following, sk, opts)
    return first - start, cut - first, time.process_time() - cut


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with args.data.open(encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh]
    texts = [r["text"] for r in records]
    opts = RepairOptions()
    kinds = {i: got for i, t in enumerate(texts) if (got := meets(t, opts)) is not None}
    whole = [float("inf")] * len(texts)
    parts = {i: (float("inf"),) * 3 for i in kinds}
    for _ in range(args.rounds):
        for i, text in enumerate(texts):
            start = time.process_time()
            dedup.repair(text)
            whole[i] = min(whole[i], time.process_time() - start)
            if i in kinds:
                parts[i] = tuple(map(min, parts[i], timed_passes(text, opts)))  # type: ignore[assignment]
    total = sum(whole)
    print(
        f"{len(kinds)} of {len(texts)} texts edited by the first pass; repair of all "
        f"{total * 1e3:.1f} ms (CPU, each text's fastest of {args.rounds} rounds)"
    )
    print(
        f"{'next pass meets':16} {'texts':>6} {'skeleton ms':>12} {'pass ms':>8} {'of repair':>10}"
    )
    rows = [(kind, [i for i in kinds if kinds[i][0] == kind]) for kind in KINDS]
    rows.append(("all", list(kinds)))
    for kind, ids in rows:
        cut = sum(parts[i][1] for i in ids)
        again = sum(parts[i][2] for i in ids)
        print(
            f"{kind:16} {len(ids):6} {cut * 1e3:12.1f} {again * 1e3:8.1f} "
            f"{(cut + again) / total:10.1%}"
        )
    print()
    for i, (kind, edits) in kinds.items():
        if kind == "edits again":
            got = ", ".join(f"{e.reason} {e.end - e.start}" for e in edits)
            print(f"{records[i].get('id', i)}: {got}")


if __name__ == "__main__":
    main()
