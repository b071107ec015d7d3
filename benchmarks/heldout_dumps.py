"""A held-out-like measure of real extractor output: pages of other sites than dumps-dev's,
rendered by real extractors, with the article again in the script data such pages carry.

dumps-dev holds 149 outputs of 74 WCXB pages; the repair rules for script data and markup were
read on them. This measure asks whether those rules hold on other sites' page chrome. Its pages
are the WCXB pages of ``neardup-hard-dev.jsonl`` that neither dumps-dev nor repair-dev has, in
the two whole-page renderings that file holds: ``fullpage`` (html-text, the page's text with its
navigation, footers and lists) and ``markdown`` (html2text). Each page gets one of the forms
below in turn (in an order drawn from ``--seed``), the article taken from the page's gold main
content (the ``gold`` kind); the project's own articles (Japanese, Chinese, and the ``world``
group's eight other languages: ``heldout_synth.own_articles``) take every form:

- ``jsonld``: a JSON-LD object whose ``articleBody`` is the article as one JSON string, its
  paragraphs joined by nothing, a space or a line break, sometimes without its headings,
  escaped as ``json.dumps`` does (``\\u00e9`` or the letter itself), before the page's text
  (a script in the head) or after it, on a line of its own or glued to the page's text (as
  lxml's ``text_content()`` keeps a script's text);
- ``app_state``: application state (``__NEXT_DATA__``-like) holding each paragraph in a node of
  its own, with ad-slot nodes between;
- ``html_string``: the article as HTML inside a JSON string (``<p>`` or ``\\u003cp\\u003e``,
  ``&amp;``, ``&#8217;``, ``&quot;``);
- ``page_twice``: the page's whole text twice;
- ``jsonld_and_html``: both a JSON-LD copy and an HTML copy, the article three times.

Scored as ``dumps_eval.py`` scores dumps-dev, against the gold main content: *residue* (of its
word 8-grams that occur once in it, the share the output holds twice or more; lower is better)
and *kept* (of those in the input, the share still in the output; higher is better), mean and
worst per form (in Chinese and Japanese each character counts as a word, as there are no
spaces), a table per rendering, beside doing nothing, keep-first line and sentence dedup, and
how many removals of ``dedup.repair`` lost text (``lost_twins``: must be 0)::

    python benchmarks/heldout_dumps.py [--seed 20] [--group wcxb] [--form jsonld] [--failures]
        [--quotes]

``--quotes`` adds a column, ``dedup.clean`` with ``quotes="remove"``.

The last column, ``page alone``, is ``dedup.clean`` on the undamaged page, scored the same way:
the residue a page has by itself (a forum reply quoting a post, a block a page shows twice for
small and large screens), which repair leaves as the page's own repetition. ``--failures``
lists the records where ``dedup.clean`` leaves more residue than that, or keeps less than 0.98.

*kept* also counts the 8-grams that run from one paragraph into the next, which only a copy
of the article with nothing between its paragraphs holds: the page's own text has matter
between them (a caption, an ad), and in markdown links and ``**`` break the words too. Where
the copy in the script data goes, those go with it, so *kept* is below 1 with nothing of the
article lost (``markdown`` more than ``fullpage``).

The forms are written here, so this is not real extractor output in full: the page chrome, the
renderings and the articles are real and unseen; the script data around the article is built
after the shapes dumps-dev shows.
"""

from __future__ import annotations

import argparse
import collections
import functools
import html
import json
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import regex

import dedup
from dedup.evaluation import dump_score, lost_twins

sys.path.insert(0, str(Path(__file__).resolve().parent))
from dumps_eval import print_scores
from heldout_synth import EVAL, OWN_GROUPS, own_articles, paragraphs_of
from repair_eval import METHODS

FORMS = ("jsonld", "app_state", "html_string", "page_twice", "jsonld_and_html")
RENDERINGS = ("fullpage", "markdown")
_HEADING = 70  # a paragraph this short with no sentence end reads as a heading
_ENDS = tuple(".!?:;\u2026\u3002\uff01\uff1f\"'\u201d)")
_LEFT = 0.02  # residue above this is listed with --failures
_DEFAULT_METHODS = "nothing,line-dedup,sentence-dedup,dedup.clean"
_PAGE_ALONE = "page alone"  # dedup.clean on the undamaged page: the page's own repetition
# Chinese and Japanese are scored by characters: each one a word of its own
_CJK = regex.compile(r"([\p{Han}\p{Hiragana}\p{Katakana}])")


def score(text: str, reference: str, output: str, *, by_character: bool) -> tuple[float, float]:
    """Residue and kept of ``output``; ``by_character`` counts each CJK character as a word."""
    if by_character:
        text, reference, output = (_CJK.sub(r" \1 ", t) for t in (text, reference, output))
    got = dump_score(text, reference, output)
    return got.residue, got.kept


def _is_heading(paragraph: str) -> bool:
    return len(paragraph) < _HEADING and not paragraph.endswith(_ENDS)


def _dev_pages(eval_dir: Path) -> set[str]:
    """The WCXB pages dumps-dev and repair-dev hold (``wcxb/dev/0034``)."""
    pages = set()
    for name in ("dumps-dev.jsonl", "repair-dev.jsonl"):
        with (eval_dir / name).open(encoding="utf-8") as fh:
            for line in fh:
                pages.add("/".join(json.loads(line)["id"].split(":")[0].split("/")[:3]))
    return pages


def wcxb_pages(eval_dir: Path) -> list[dict[str, Any]]:
    """Pages of neardup-hard-dev that dumps-dev and repair-dev lack, with a gold main content
    and a whole-page rendering: ``id``, ``paragraphs``, ``renderings`` (kind to text)."""
    known = _dev_pages(eval_dir)
    pages: dict[str, dict[str, Any]] = {}
    with (eval_dir / "neardup-hard-dev.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            record = json.loads(line)
            cluster, kind = record["cluster"], record["kind"]
            if cluster in known or kind not in ("gold", *RENDERINGS):
                continue
            page = pages.setdefault(cluster, {"id": cluster, "renderings": {}})
            if kind == "gold":
                page["paragraphs"] = paragraphs_of(record["text"])
            else:
                page["renderings"][kind] = record["text"]
    return [p for p in pages.values() if len(p.get("paragraphs", ())) >= 3 and p["renderings"]]


def _json(value: object, rng: random.Random) -> str:
    return json.dumps(value, ensure_ascii=rng.random() < 0.5, separators=(",", ":"))


def _entities(text: str, rng: random.Random) -> str:
    text = html.escape(text, quote=rng.random() < 0.5)
    if rng.random() < 0.5:
        text = text.replace("\u2019", "&#8217;").replace("\u201c", "&#8220;")
    return text


def jsonld(title: str, paragraphs: list[str], rng: random.Random) -> str:
    """A JSON-LD object carrying the article in ``articleBody``."""
    body = [p for p in paragraphs if not _is_heading(p)] if rng.random() < 0.5 else paragraphs
    joiner = rng.choice(("", " ", "  ", "\n", "\n\n"))
    return _json(
        {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": title,
            "image": {"@type": "ImageObject", "url": "https://cdn.example.com/img/lead.jpg"},
            "datePublished": "2025-06-25T20:57:54-04:00",
            "articleBody": joiner.join(body or paragraphs),
            "author": [{"@type": "Person", "name": "Staff"}],
        },
        rng,
    )


def app_state(title: str, paragraphs: list[str], rng: random.Random) -> str:
    """Application state with a node per paragraph and ad slots between."""
    blocks: list[dict[str, Any]] = []
    for i, paragraph in enumerate(paragraphs):
        kind = "heading" if _is_heading(paragraph) else "paragraph"
        blocks.append({"type": kind, "children": [{"text": paragraph}], "id": f"b{i}"})
        if i % 3 == 2:
            blocks.append({"type": "ad", "slot": f"mid-{i}", "sizes": [[300, 250]]})
    state = {
        "props": {"pageProps": {"article": {"id": 48213, "title": title, "blocks": blocks}}},
        "page": "/article/[slug]",
        "buildId": "k3Jx9",
    }
    return _json(state, rng)


def html_string(title: str, paragraphs: list[str], rng: random.Random) -> str:
    """The article as HTML inside a JSON string."""
    parts = [
        f"<h2>{_entities(p, rng)}</h2>" if _is_heading(p) else f"<p>{_entities(p, rng)}</p>"
        for p in paragraphs
    ]
    markup = rng.choice(("", "\n")).join(parts)
    text = _json({"type": "article", "body": [{"type": "html", "html": markup}]}, rng)
    return text.replace("<", "\\u003c").replace(">", "\\u003e") if rng.random() < 0.5 else text


def damaged(page: str, paragraphs: list[str], form: str, rng: random.Random) -> str:
    """``page`` (a rendering holding the article once) with the article again as ``form``;
    script data on a line of its own or glued to the page text around it, as an extractor
    that keeps a script's text gives it (``text_content()``: ``...last line.{"@context"``)."""
    title = paragraphs[0]
    if form == "page_twice":
        return page + "\n" + page
    sep = rng.choice(("\n", "", " "))
    if form == "jsonld_and_html":
        return sep.join((jsonld(title, paragraphs, rng), page, html_string(title, paragraphs, rng)))
    data = {"jsonld": jsonld, "app_state": app_state, "html_string": html_string}[form]
    script = data(title, paragraphs, rng)
    return script + sep + page if rng.random() < 0.5 else page + sep + script


def records(seed: int, eval_dir: Path, groups: list[str]) -> list[dict[str, str]]:
    """``id``, ``group``, ``form``, ``text``, ``reference`` and ``page`` (the undamaged page) of
    every record, seeded."""
    out = []
    if "wcxb" in groups and (eval_dir / "neardup-hard-dev.jsonl").exists():
        pages = wcxb_pages(eval_dir)
        rng = random.Random(f"{seed}:dumps")
        rng.shuffle(pages)
        for index, page in enumerate(pages):
            form = FORMS[index % len(FORMS)]
            r = random.Random(f"{seed}:{page['id']}:{form}")
            kind = r.choice(sorted(page["renderings"]))
            text = damaged(page["renderings"][kind], page["paragraphs"], form, r)
            reference = "\n".join(page["paragraphs"])
            out.append(
                {"id": f"{page['id']}/{kind}", "group": f"wcxb/{kind}", "form": form,
                 "text": text, "reference": reference, "page": page["renderings"][kind]}
            )  # fmt: skip
    for group in OWN_GROUPS:
        if group not in groups:
            continue
        for article in own_articles(group):
            paragraphs = paragraphs_of("\n".join(article["paragraphs"]))
            page = "\n".join(paragraphs)
            for form in FORMS:
                r = random.Random(f"{seed}:{article['id']}:{form}")
                out.append(
                    {"id": article["id"], "group": group, "form": form,
                     "text": damaged(page, paragraphs, form, r), "reference": page, "page": page}
                )  # fmt: skip
    return out


def table(rows: list[dict[str, str]], methods: dict[str, Callable[[str], str]]) -> list[str]:
    """Print one group's table; return the records ``dedup.clean`` leaves above residue 0.02
    more than the page alone has, or below kept 0.98."""
    scores: dict[str, list[tuple[float, float]]] = {}
    seconds = {}
    runs = [(name, fn, "text") for name, fn in methods.items()]
    if "dedup.clean" in methods:
        runs.append((_PAGE_ALONE, methods["dedup.clean"], "page"))
    for name, fn, field in runs:
        start = time.process_time()
        outs = [fn(r[field]) for r in rows]
        seconds[name] = time.process_time() - start
        scores[name] = [
            score(r[field], r["reference"], o, by_character=r["group"] in ("ja", "zh"))
            for r, o in zip(rows, outs, strict=True)
        ]
    forms: dict[str, list[int]] = collections.defaultdict(list)
    for i, row in enumerate(rows):
        forms[row["form"]].append(i)
    ordered = [(f, forms[f]) for f in FORMS if f in forms]
    print_scores(("form", 16, 4), [*ordered, ("all", list(range(len(rows))))], scores)
    print(f"{'CPU seconds':21} " + " ".join(f"{seconds[n]:>23.1f}" for n in scores))
    lost = sum(len(lost_twins(r["text"], dedup.repair(r["text"]).edits)) for r in rows)
    print(f"removals of dedup.repair that lost text (its twin or its own): {lost}")
    if "dedup.clean" not in scores:
        return []
    return [
        f"{rows[i]['id']}:{rows[i]['form']} residue {res:.3f} (page alone {alone:.3f}) "
        f"kept {kept:.3f}"
        for i, ((res, kept), (alone, _)) in enumerate(
            zip(scores["dedup.clean"], scores[_PAGE_ALONE], strict=True)
        )
        if res - alone > _LEFT or kept < 1 - _LEFT
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=20)
    parser.add_argument("--eval", type=Path, default=EVAL, help="the evaluation data's folder")
    parser.add_argument("--group", action="append", help="only these groups (wcxb, ja, zh, world)")
    parser.add_argument("--form", action="append", help="only these forms")
    parser.add_argument("--methods", default=_DEFAULT_METHODS, help="comma-separated methods")
    parser.add_argument(
        "--quotes", action="store_true", help='also dedup.clean with quotes="remove", a column'
    )
    parser.add_argument(
        "--failures",
        action="store_true",
        help="list records dedup.clean leaves 0.02 above the page alone, or keeps below 0.98",
    )
    args = parser.parse_args(argv)
    groups = args.group or ["wcxb", *OWN_GROUPS]
    if "wcxb" in groups and not (args.eval / "neardup-hard-dev.jsonl").exists():
        print(f"{args.eval} holds no neardup-hard-dev.jsonl: pass --eval DIR", file=sys.stderr)
        return 2
    methods = {name: METHODS[name] for name in args.methods.split(",")}
    if args.quotes:
        methods["clean quotes=remove"] = functools.partial(dedup.clean, quotes="remove")
    rows = records(args.seed, args.eval, groups)
    if args.form:
        rows = [r for r in rows if r["form"] in args.form]
    labels = sorted({r["group"] for r in rows}, key=lambda g: (g[:4] != "wcxb", g))
    for group in labels:
        part = [r for r in rows if r["group"] == group]
        if not part:
            continue
        chars = sum(len(r["text"]) for r in part)
        print(f"== {group}: {len(part)} records, {chars / 1e6:.1f} M characters, seed {args.seed}")
        left = table(part, methods)
        if args.failures:
            print(
                f"dedup.clean leaves residue {_LEFT} above the page alone, or keeps below "
                f"{1 - _LEFT}:"
            )
            for line in left:
                print(f"  {line}")
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
