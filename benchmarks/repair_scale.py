"""How repair's cost grows: document size, adversarial input, peak memory, speed beside ftfy.

Prints three tables:

1. throughput of ``dedup.normalize``, ``dedup.repair`` and ``dedup.clean`` beside
   ``ftfy.fix_text`` on the same repair-dev texts, in the same run, with the ratios (CPU time,
   the fastest of ``--rounds`` rounds that take turns), and the median and spread of the
   ratios of each round (its methods ran one after the other: paired runs);
2. user and kernel CPU time per call (the mean of calls that together spend two CPU seconds
   or more) and peak memory (bytes per input character, from tracemalloc) for doubled
   documents of 1, 2, 5 and 10 MB built from repair-dev paragraphs, and the 10 MB / 1 MB time
   ratio, in user time and with kernel time;
3. the same for one text of many pages (``--pages``, dumps-dev by default where it is found):
   real extractor outputs, one a page, joined and cut at 1, 2, 5 and 10 MB — script data,
   markup and copies of other pages' chrome, as a site's crawl dumped into one file holds;
4. adversarial inputs — one word repeated for 5 MB, one sentence repeated for 1 MB, 10,000
   identical lines, 2 MB without white space, an empty string, NUL bytes — with the time each
   took and what came out.

With ``--by-length``, the speed table by the texts' length instead: each text timed alone
(``dedup.repair`` and ``ftfy.fix_text`` in turn, each text's fastest of ``--rounds``), the
ratio in bands of length, and a least-squares line through each method's times (CPU
microseconds a text, and per 1,000 characters): what a text costs whatever its length, and
what its characters add. (Timed text by text, the ratios read lower than the batches of the
speed table: each call's timer and first steps count.)

    python benchmarks/repair_scale.py [--data ../shared/eval/repair-dev.jsonl] [--quick]
        [--rounds N] [--speed-only | --by-length] [--pages ../shared/eval/dumps-dev.jsonl]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import ftfy

import dedup

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "eval" / "repair-dev.jsonl"
PAGES = DEFAULT.with_name("dumps-dev.jsonl")


def timed(fn: Callable[[], object]) -> float:
    """The CPU time of one call (single-threaded work: on a quiet machine it equals the wall
    time, and other load on a shared machine does not inflate it)."""
    start = time.process_time()
    fn()
    return time.process_time() - start


def _rotated(paragraph: str, shift: int) -> str:
    """``paragraph`` with its ASCII letters rotated by ``shift``: new words, same shape."""
    if shift == 0:
        return paragraph
    lower, upper = "abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    table = str.maketrans(
        lower + upper, lower[shift:] + lower[:shift] + upper[shift:] + upper[:shift]
    )
    return paragraph.translate(table)


def doubled(paragraphs: list[str], size: int, *, distinct: bool = True) -> str:
    """A document of about ``size`` characters: paragraphs, then the same body flattened.

    Past the end of ``paragraphs`` they are used again; with ``distinct`` each round rotates
    their letters, so the body never repeats itself (as a long article or a book), otherwise
    every paragraph comes back once per round (natural repetition all over the text).
    """
    body: list[str] = []
    total = 0
    index = 0
    while total < size // 2:
        para = paragraphs[index % len(paragraphs)]
        rounds = index // len(paragraphs)
        para = _rotated(para, rounds % 26) if distinct else para
        para += f" ({index})"
        body.append(para)
        total += len(para) + 2
        index += 1
    return "\n\n".join(body) + "\n\n" + "".join(body)


def peak_bytes(fn: Callable[[], object]) -> int:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def speed_table(texts: list[str], repeat: int) -> None:
    """Throughput of each method on the same texts. The rounds take turns (ftfy, normalize,
    repair, clean, then again), and each method keeps its fastest round: a slow spell of a
    shared machine then weighs on every method alike, not on the one that ran through it."""
    chars = sum(len(t) for t in texts)
    rows = [
        ("ftfy.fix_text", lambda: [ftfy.fix_text(t) for t in texts]),
        ("dedup.normalize", lambda: [dedup.normalize(t) for t in texts]),
        ("dedup.repair", lambda: [dedup.repair(t) for t in texts]),
        ("dedup.clean", lambda: [dedup.clean(t) for t in texts]),
    ]
    seconds = {name: float("inf") for name, _ in rows}
    ratios: dict[str, list[float]] = {name: [] for name, _ in rows}
    for _ in range(repeat):
        spent = {name: timed(fn) for name, fn in rows}
        for name in spent:
            seconds[name] = min(seconds[name], spent[name])
            ratios[name].append(spent["ftfy.fix_text"] / spent[name])
    base = chars / seconds["ftfy.fix_text"]
    print(f"{len(texts)} texts, {chars / 1e6:.1f} M characters, best of {repeat} rounds in turn")
    print(f"{'method':18} {'M chars/s':>10} {'x ftfy':>8}   x ftfy per round: median (min-max)")
    for name, _ in rows:
        rate = chars / seconds[name]
        got = sorted(ratios[name])
        spread = f"{statistics.median(got):.2f} ({got[0]:.2f}-{got[-1]:.2f})"
        print(f"{name:18} {rate / 1e6:10.2f} {rate / base:8.2f}   {spread}")
    print()


# The bands of ``length_table``, in characters.
_BANDS = (0, 2_000, 5_000, 10_000, 30_000)


def length_table(texts: list[str], repeat: int) -> None:
    """``dedup.repair`` beside ``ftfy.fix_text`` text by text, by the texts' length: each text
    timed alone, the two in turn, each keeping its fastest of ``repeat`` rounds; the ratio in
    each band of length and a least-squares line through each method's times."""
    pairs = []  # (length, repair seconds, ftfy seconds)
    for text in texts:
        best_repair = best_ftfy = float("inf")
        for _ in range(repeat):
            best_repair = min(best_repair, timed(lambda t=text: dedup.repair(t)))
            best_ftfy = min(best_ftfy, timed(lambda t=text: ftfy.fix_text(t)))
        pairs.append((len(text), best_repair, best_ftfy))
    print(f"{len(texts)} texts, each timed alone, best of {repeat} rounds in turn")
    print(f"{'characters':>16} {'texts':>6} {'repair s':>9} {'ftfy s':>8} {'x ftfy':>7}")
    for lo, hi in zip(_BANDS, (*_BANDS[1:], None), strict=True):
        band = [p for p in pairs if p[0] >= lo and (hi is None or p[0] < hi)]
        if not band:
            continue
        ours, theirs = sum(p[1] for p in band), sum(p[2] for p in band)
        label = f"{lo:,}-{hi:,}" if hi is not None else f"{lo:,}+"
        print(f"{label:>16} {len(band):6} {ours:9.3f} {theirs:8.3f} {theirs / ours:7.2f}")
    ours, theirs = sum(p[1] for p in pairs), sum(p[2] for p in pairs)
    print(f"{'all':>16} {len(pairs):6} {ours:9.3f} {theirs:8.3f} {theirs / ours:7.2f}")
    lengths = [float(p[0]) for p in pairs]
    if len(set(lengths)) < 2:
        print("(no line: the texts need two lengths or more)\n")
        return
    for name, k in (("dedup.repair", 1), ("ftfy.fix_text", 2)):
        slope, intercept = statistics.linear_regression(lengths, [p[k] for p in pairs])
        print(
            f"{name}: {intercept * 1e6:.0f} us a text + {slope * 1e9:.0f} us per 1,000 "
            "characters (least squares)"
        )
    print()


def cpu_calls(
    fn: Callable[[], object], repeat: int, budget: float = float("inf")
) -> list[tuple[float, float]]:
    """User and kernel CPU seconds of each of up to ``repeat`` calls of ``fn``, stopping early
    once the calls have spent ``budget`` CPU seconds (there is always one call).

    Kernel time is the page faults of fresh memory; on a virtual machine it varies from one
    call to the next far more than user time does, so the two are kept apart."""
    calls: list[tuple[float, float]] = []
    while not calls or (len(calls) < repeat and sum(u + k for u, k in calls) < budget):
        before = resource.getrusage(resource.RUSAGE_SELF)
        fn()
        after = resource.getrusage(resource.RUSAGE_SELF)
        calls.append((after.ru_utime - before.ru_utime, after.ru_stime - before.ru_stime))
    return calls


def repair_calls(text: str, repeat: int, budget: float) -> tuple[float, float, dedup.Repair]:
    """The mean user and user + kernel CPU seconds of the calls of ``dedup.repair(text)`` that
    :func:`cpu_calls` makes, and the last call's result (its edits are counted from it, with no
    call more: on 10 MB of many pages a call takes half a minute)."""
    last: list[dedup.Repair] = []

    def call() -> None:
        last[:] = [dedup.repair(text)]

    calls = cpu_calls(call, repeat, budget)
    user = statistics.fmean(u for u, _ in calls)
    return user, user + statistics.fmean(k for _, k in calls), last[0]


def ratio_line(times: dict[int, tuple[float, float]]) -> str:
    """The time of the largest size over the smallest's, in user time and with kernel time
    (``times``: the user and user + kernel seconds by size in characters)."""
    small, large = min(times), max(times)
    return (
        f"time {large / 1e6:g} MB / {small / 1e6:g} MB, for {large // small}x the text: "
        f"{times[large][0] / times[small][0]:.1f}x in user time, "
        f"{times[large][1] / times[small][1]:.1f}x with kernel time"
    )


def growth_table(paragraphs: list[str], sizes: list[int], repeat: int) -> None:
    print(
        f"{'size':>8} {'user s':>8} {'kernel s':>9} {'M chars/s':>10} {'peak B/char':>12} "
        f"{'edits':>6}"
    )
    times = {}
    for size in sizes:
        text = doubled(paragraphs, size)
        # the mean of calls that together spend two CPU seconds or more (a third of that when
        # quick): a call on 1 MB lasts a few ticks of the CPU clock, too few to time alone
        user, total, result = repair_calls(text, 100, 2.0 * repeat / 3)
        peak = peak_bytes(lambda text=text: dedup.repair(text))
        times[size] = (user, total)
        print(
            f"{size / 1e6:7.0f}M {user:8.2f} {total - user:9.2f} {len(text) / user / 1e6:10.2f} "
            f"{peak / len(text):12.1f} {len(result.edits):6d}"
        )
    if len(sizes) > 1:
        print(ratio_line(times))
    # the same size, with every paragraph coming back once per round (natural repetition)
    text = doubled(paragraphs, sizes[-1], distinct=False)
    seconds = timed(lambda: dedup.repair(text))
    result = dedup.repair(text)
    print(
        f"{sizes[-1] / 1e6:.0f} MB whose paragraphs recur: {seconds:.2f} s, "
        f"{len(result.text) / len(text):.2f} of the text kept, {len(result.edits)} edits"
    )
    print()


def pages_table(path: Path, sizes: list[int], repeat: int) -> None:
    """User and kernel CPU time of ``dedup.repair`` on one text made of the extractor outputs
    of ``path`` (JSON Lines with ``id`` and ``text``; one output per page, the page read from
    an ``id`` of ``source/split/page/extractor``), joined by blank lines and cut at each size;
    and the ratio of the largest size's time to the smallest's."""
    with path.open(encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh]
    pages: dict[str, str] = {}
    for record in records:
        pages.setdefault(record["id"].rsplit("/", 1)[0], record["text"])
    joined = "\n\n".join(pages.values())
    print(f"one text of {len(pages)} pages' extractor outputs ({path.name}), cut at each size")
    print(f"{'size':>8} {'user s':>8} {'kernel s':>9} {'M chars/s':>10} {'edits':>6}")
    times = {}
    for size in [size for size in sizes if size <= len(joined)]:
        text = joined[:size]
        user, total, result = repair_calls(text, repeat, 2.0 * repeat / 3)
        times[size] = (user, total)
        print(
            f"{size / 1e6:7.3g}M {user:8.2f} {total - user:9.2f} {len(text) / user / 1e6:10.2f} "
            f"{len(result.edits):6d}"
        )
    if len(times) > 1:
        print(ratio_line(times))
    print()


def adversarial_table() -> None:
    sentence = "The quick brown fox jumps over the lazy dog near the river bank. "
    cases = {
        "one word, 5 MB": "buffalo " * (5 * 10**6 // 8),
        "one sentence, 1 MB": sentence * (10**6 // len(sentence)),
        "10,000 identical lines": "\n".join(
            ["The same line of text again and again here."] * 10_000
        ),
        "2 MB, no white space": "abcdefghij" * (2 * 10**5),
        "empty string": "",
        "NUL bytes": "\x00" * 10_000 + "text" + "\x00" * 10_000,
    }
    print(f"{'input':24} {'chars':>10} {'seconds':>8} {'out chars':>10} {'edits':>6}")
    for name, text in cases.items():
        start = time.process_time()
        result = dedup.repair(text)
        seconds = time.process_time() - start
        print(
            f"{name:24} {len(text):10,d} {seconds:8.2f} {len(result.text):10,d} "
            f"{len(result.edits):6d}"
        )
    print()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT)
    parser.add_argument("--quick", action="store_true", help="smaller sizes, one repeat")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of the speed table")
    parser.add_argument("--speed-only", action="store_true", help="only the speed table")
    parser.add_argument(
        "--by-length", action="store_true", help="only the speed by the texts' length"
    )
    parser.add_argument(
        "--pages",
        type=Path,
        default=PAGES,
        help="extractor outputs to join into one text of many pages (skipped if not found)",
    )
    args = parser.parse_args(argv)
    if not args.data.exists():
        print(f"{args.data} not found: pass --data PATH to repair-dev.jsonl", file=sys.stderr)
        return 2
    with args.data.open(encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh]
    texts = [r["text"] for r in records]
    # (the growth table builds its texts from the clean family's paragraphs of repair-dev;
    # another file, dumps-dev say, gives the speed table only)
    gold = [r["gold"] for r in records if r.get("family") == "clean" and r.get("gold")]
    paragraphs = [p for text in gold for p in text.split("\n\n")]
    paragraphs = [p for p in paragraphs if len(p) > 80]
    dedup.repair("warm up: the character tables are built on first use")
    repeat = 1 if args.quick else 3
    if args.by_length:
        length_table(texts, args.rounds)
        return 0
    speed_table(texts, args.rounds)
    if args.speed_only:
        return 0
    if not paragraphs:
        print(f"{args.data} has no clean family to build the growth table from", file=sys.stderr)
        return 2
    sizes = [10**6, 2 * 10**6] if args.quick else [10**6, 2 * 10**6, 5 * 10**6, 10**7]
    growth_table(paragraphs, sizes, repeat)
    if args.pages.exists():
        pages_table(args.pages, sizes, repeat)
    else:
        print(f"{args.pages} not found: no table of one text of many pages\n")
    adversarial_table()
    return 0


if __name__ == "__main__":
    sys.exit(main())
