"""The normalisation stage: golden cases, ftfy's own cases, glued sentences, options, properties.

Evaluation-gate tests (marked ``evaluation``) read ``../shared/eval`` and skip when it is absent.
"""

from __future__ import annotations

import dataclasses
import doctest
import itertools
import json
from pathlib import Path
from typing import Any

import ftfy
import ftfy.fixes
import pytest
from ftfy.badness import BADNESS_RE, MOJIBAKE_CATEGORIES, is_bad
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import dedup
from conftest import DATA, ROOT, eval_path, read_jsonl
from dedup.evaluation import canonical
from dedup.glued import split_glued
from dedup.model import ConfigError, Edit, InputError, apply_edits
from dedup.normalize import NormalizeOptions, mojibake_gate, normalize

# --------------------------------------------------------------------------------------------
# The examples in docs/normalize.md run as written (the docstrings' run with --doctest-modules)


def test_docs_page_examples() -> None:
    page = ROOT / "docs" / "normalize.md"
    result = doctest.testfile(str(page), module_relative=False)
    assert result.attempted >= 4
    assert result.failed == 0


# --------------------------------------------------------------------------------------------
# Golden cases (tests/data/normalize_cases.json)

CASES: list[dict[str, Any]] = json.loads((DATA / "normalize_cases.json").read_text("utf-8"))


def _reasons(edits: tuple[Edit, ...]) -> set[str]:
    return {part for edit in edits for part in edit.reason.split("+")}


@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
def test_golden_case(case: dict[str, Any]) -> None:
    result = normalize(case["input"], **case["options"])
    assert result.text == case["expected"]
    assert _reasons(result.edits) == set(case["reasons"])
    assert apply_edits(case["input"], result.edits) == result.text


@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
def test_golden_case_is_stable(case: dict[str, Any]) -> None:
    once = normalize(case["input"], **case["options"])
    twice = normalize(once.text, **case["options"])
    assert twice.text == once.text
    assert twice.edits == ()


def test_edits_are_small_and_exact() -> None:
    text = "Une annonce privÃ©e  &amp; gratuite\r\n"
    edits = normalize(text).edits
    assert [(e.start, e.end, e.reason, e.replacement) for e in edits] == [
        (16, 18, "mojibake", "\N{LATIN SMALL LETTER E WITH ACUTE}"),
        (19, 21, "space", " "),
        (21, 26, "entity", "&"),
        (35, 37, "newline", "\n"),
    ]
    for edit in edits:
        assert edit.action == "fix"
        assert edit.score == 1.0
        assert edit.kept is None


def test_mojibake_edits_are_per_character_run() -> None:
    # "à" is C3 A0; its A0 became a plain space, which ftfy restores.
    text = "Ã©tÃ© Ã  la plage"
    result = normalize(text)
    e_acute = "\N{LATIN SMALL LETTER E WITH ACUTE}"
    assert result.text == f"{e_acute}t{e_acute} \N{LATIN SMALL LETTER A WITH GRAVE} la plage"
    assert [(text[e.start : e.end], e.replacement) for e in result.edits] == [
        ("Ã©", e_acute),
        ("Ã©", e_acute),
        ("Ã ", "\N{LATIN SMALL LETTER A WITH GRAVE}"),
    ]
    assert all(e.reason == "mojibake" for e in result.edits)


def test_lone_mojibake_is_decoded_once_the_text_has_other_mojibake() -> None:
    # ftfy alone sees nothing wrong in a line whose only mojibake is one "™".
    lone = "NVIDIA Pascalâ„¢ rocks"
    assert normalize(lone).text == lone
    text = "Une annonce privÃ©e\n" + lone
    result = normalize(text)
    assert result.text.endswith("Pascal\N{TRADE MARK SIGN} rocks")
    assert result.text.startswith("Une annonce priv\N{LATIN SMALL LETTER E WITH ACUTE}e\n")
    assert [e.reason for e in result.edits] == ["mojibake", "mojibake"]
    assert normalize(result.text).text == result.text


def test_two_byte_mojibake_is_decoded_where_the_text_holds_its_word_decoded() -> None:
    # ftfy leaves "occam-Ï€" (π read as Windows-1252) on a line of its own; the page's other
    # copy, read right, holds "occam-π": the twin says what the sequence stands for.
    pi = "\N{GREEK SMALL LETTER PI}"
    evidence = "Une annonce privÃ©e\n"
    page = evidence + "- occam-Ï€\n- Octave\n\nLanguages: occam-" + pi + "- Octave"
    result = normalize(page)
    assert "- occam-" + pi + "\n" in result.text
    assert [e.reason for e in result.edits] == ["mojibake", "mojibake"]
    assert normalize(result.text).text == result.text
    # without the word read right elsewhere, or without other mojibake, the sequence stays
    alone = evidence + "- occam-Ï€\n- Octave"
    assert "occam-Ï€" in normalize(alone).text
    no_evidence = "- occam-Ï€\n\nLanguages: occam-" + pi
    assert normalize(no_evidence).text == no_evidence
    # a capital with an accent before a quote or a no-break space is text read right
    french = evidence + "\N{LEFT DOUBLE QUOTATION MARK}CAF\N{LATIN CAPITAL LETTER E WITH ACUTE}"
    french += "\N{RIGHT DOUBLE QUOTATION MARK} et CAF\N{LATIN CAPITAL LETTER E WITH ACUTE}\u00a0!"
    assert normalize(french).text.endswith(french[len(evidence) :])


def test_two_byte_mojibake_looks_for_a_bounded_number_of_words() -> None:
    # each word is looked for in the whole text: a text of thousands of such sequences, each
    # in a word of its own, is searched for the first _TWIN_LOOKUPS words only (linear cost;
    # normalize's next round, if any, looks for the next ones)
    from dedup.mojibake import _TWIN_LOOKUPS, fix_leftover_mojibake

    pi = "\N{GREEK SMALL LETTER PI}"
    words = [f"w{i:03d}-" for i in range(_TWIN_LOOKUPS + 10)]
    text = " ".join(w + "Ï€" for w in words) + "\n" + " ".join(w + pi for w in words)
    fixed = apply_edits(text, fix_leftover_mojibake(text)).split("\n")[0].split(" ")
    assert fixed[:_TWIN_LOOKUPS] == [w + pi for w in words[:_TWIN_LOOKUPS]]
    assert fixed[_TWIN_LOOKUPS:] == [w + "Ï€" for w in words[_TWIN_LOOKUPS:]]


def test_surrogate_pair_is_joined() -> None:
    text = "smile \ud83d\ude00"
    result = normalize(text)
    assert result.text == "smile \N{GRINNING FACE}"
    assert [(e.start, e.end, e.reason) for e in result.edits] == [(6, 8, "surrogate")]


def test_clean_text_is_returned_unchanged() -> None:
    text = "Clean, \N{LEFT DOUBLE QUOTATION MARK}quoted\N{RIGHT DOUBLE QUOTATION MARK}.\n\nOk."
    result = normalize(text)
    assert result.text == text
    assert result.edits == ()


def test_normalize_does_not_split_glued_sentences() -> None:
    e_acute = "\N{LATIN SMALL LETTER E WITH ACUTE}"
    text = f"Une annonce priv{e_acute}e.Buzzfeed a {e_acute}crit.Le texte."
    assert normalize(text).text == text


@given(st.text(alphabet=" \na", max_size=24))
def test_space_runs_match_a_regex_reference(text: str) -> None:
    import re

    from dedup.normalize import _space_runs

    reference = re.compile(r" (?: *(?=\n|\Z)| +)")  # a run ending a line, or two spaces or more
    assert _space_runs(text) == [m.span() for m in reference.finditer(text)]


@given(st.text(alphabet="ab", max_size=12), st.text(alphabet="ab", max_size=12))
def test_common_ends_match_a_character_by_character_reference(a: str, b: str) -> None:
    from dedup.mojibake import _longest

    limit = min(len(a), len(b))
    prefix = next((k for k in range(limit) if a[k] != b[k]), limit)
    suffix = next((k for k in range(limit - prefix) if a[-1 - k] != b[-1 - k]), limit - prefix)
    assert _longest(lambda k: a[:k] == b[:k], limit) == prefix
    assert _longest(lambda k: a[len(a) - k :] == b[len(b) - k :], limit - prefix) == suffix


def test_overlapping_fixes_merge_into_one_edit() -> None:
    # A control character inside mojibake: removed first, then the mojibake is fixed.
    text = "privÃ\x00©e"
    result = normalize(text)
    assert result.text == "priv\N{LATIN SMALL LETTER E WITH ACUTE}e"
    assert apply_edits(text, result.edits) == result.text
    assert _reasons(result.edits) == {"control", "mojibake"}


def test_a_fix_that_reveals_another_is_applied_in_one_call() -> None:
    # Removing the zero-width space joins an entity; the second round unescapes it.
    text = "&am\N{ZERO WIDTH SPACE}p;"
    assert normalize(text).text == "&"
    assert normalize(text, max_rounds=1).text == "&amp;"


# --------------------------------------------------------------------------------------------
# ftfy's own cases (tests/data/ftfy, Apache-2.0, Copyright 2023 Robyn Speer)


def _ftfy_cases(name: str) -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = json.loads((DATA / "ftfy" / f"{name}.json").read_text("utf-8"))
    return cases


def _ftfy_style(text: str) -> str:
    """``text`` with the three fixes ftfy makes by default and normalize leaves out on purpose
    (straight quotes, ligatures split, full-width folded), to compare with ftfy's ``fixed``."""
    return ftfy.fixes.uncurl_quotes(
        ftfy.fixes.fix_latin_ligatures(ftfy.fixes.fix_character_width(text))
    )


PASS_CASES = [
    case
    for name in ("in-the-wild", "synthetic", "language-names")
    for case in _ftfy_cases(name)
    if case["expect"] == "pass"
]
NEGATIVE_CASES = _ftfy_cases("negative")
KNOWN_FAILURES = _ftfy_cases("known-failures")
ALL_FTFY_CASES = [*PASS_CASES, *NEGATIVE_CASES, *KNOWN_FAILURES]


@pytest.mark.parametrize("case", PASS_CASES, ids=[c["label"] for c in PASS_CASES])
def test_ftfy_case_fixed_as_ftfy_fixes_it(case: dict[str, Any]) -> None:
    # Spaces are left alone here: ftfy does not collapse them, and the cases compare with it.
    out = normalize(case["original"], collapse_spaces=False).text
    assert _ftfy_style(out) == case["fixed"]
    if "fixed-encoding" in case:
        # The differences from ftfy's full fix are only the quotes, ligatures and widths.
        assert out == case["fixed-encoding"] or _ftfy_style(out) == case["fixed"]


@pytest.mark.parametrize("case", NEGATIVE_CASES, ids=[c["label"] for c in NEGATIVE_CASES])
def test_ftfy_negative_case_untouched(case: dict[str, Any]) -> None:
    original = case["original"]
    out = normalize(original, collapse_spaces=False).text
    if _ftfy_style(original) == case["fixed"]:
        assert out == original
    else:  # the one "mostly negative" case: only its C1 control becomes Windows-1252
        assert _ftfy_style(out) == case["fixed"]
    if out == original:  # with the defaults, only runs of spaces may change as well
        assert _reasons(normalize(original).edits) <= {"space"}


@pytest.mark.parametrize(
    "case",
    [pytest.param(c, marks=pytest.mark.xfail(reason="ftfy fails it too")) for c in KNOWN_FAILURES],
    ids=[c["label"] for c in KNOWN_FAILURES],
)
def test_ftfy_known_failure(case: dict[str, Any]) -> None:
    assert _ftfy_style(normalize(case["original"], collapse_spaces=False).text) == case["fixed"]


@pytest.mark.parametrize("case", ALL_FTFY_CASES, ids=[c["label"] for c in ALL_FTFY_CASES])
def test_gate_loses_nothing_on_ftfy_cases(case: dict[str, Any]) -> None:
    gated = normalize(case["original"])
    ungated = normalize(case["original"], gate=False)
    assert gated == ungated


# --------------------------------------------------------------------------------------------
# The gate is never narrower than ftfy's own heuristic


def _expand(chars: str) -> set[str]:
    """The characters of a category string of ftfy, whose ``a-b`` are ranges."""
    out: set[str] = set()
    i = 0
    while i < len(chars):
        if i + 2 < len(chars) and chars[i + 1] == "-":
            out.update(chr(c) for c in range(ord(chars[i]), ord(chars[i + 2]) + 1))
            i += 3
        else:
            out.add(chars[i])
            i += 1
    return out


_MOJIBAKE_ALPHABET = sorted(
    set().union(*(_expand(chars) for chars in MOJIBAKE_CATEGORIES.values()))
    | {ch for ch in BADNESS_RE.pattern if not ch.isascii()}
    | set("aAzZ .,?!\n\t0")
)


def test_gate_covers_every_pair_that_ftfy_flags() -> None:
    missed = [
        a + b
        for a, b in itertools.product(_MOJIBAKE_ALPHABET, repeat=2)
        if is_bad(a + b) and not mojibake_gate(a + b)
    ]
    assert missed == []


def test_gate_covers_every_triple_that_ftfy_flags() -> None:
    # ftfy's three-character patterns of Cyrillic and Greek capitals around another character
    ends = "\N{CYRILLIC CAPITAL LETTER VE}\N{CYRILLIC CAPITAL LETTER GHE}"
    ends += "\N{CYRILLIC CAPITAL LETTER ER}\N{CYRILLIC CAPITAL LETTER ES}"
    ends += "\N{GREEK CAPITAL LETTER BETA}\N{GREEK CAPITAL LETTER GAMMA}"
    ends += "\N{GREEK CAPITAL LETTER XI}\N{GREEK CAPITAL LETTER OMICRON}"
    missed = [
        a + b + c
        for a in ends
        for b in _MOJIBAKE_ALPHABET
        for c in ends
        if is_bad(a + b + c) and not mojibake_gate(a + b + c)
    ]
    assert missed == []


@settings(max_examples=3000, deadline=None)
@given(st.text(st.sampled_from(_MOJIBAKE_ALPHABET), min_size=1, max_size=8))
def test_gate_covers_what_ftfy_flags(text: str) -> None:
    if is_bad(text):
        assert mojibake_gate(text)


def test_gate_is_cheap_on_clean_text() -> None:
    assert not mojibake_gate("Plain ASCII")
    french = (
        "Fran\N{LATIN SMALL LETTER C WITH CEDILLA}ais \N{LEFT-POINTING DOUBLE ANGLE QUOTATION MARK}"
        "\N{NO-BREAK SPACE}oui\N{NO-BREAK SPACE}\N{RIGHT-POINTING DOUBLE ANGLE QUOTATION MARK}"
    )
    assert not mojibake_gate(french)
    assert mojibake_gate("priv\N{LATIN CAPITAL LETTER A WITH TILDE}\N{COPYRIGHT SIGN}e")


# --------------------------------------------------------------------------------------------
# Glued sentences

SPLITS = [
    ("french", "Une annonce privée.Buzzfeed a écrit.Le texte suit.",
     "Une annonce privée. Buzzfeed a écrit. Le texte suit."),
    ("german", "Sie kam zurück.Dann ging sie.Später kam er.",
     "Sie kam zurück. Dann ging sie. Später kam er."),
    ("question-and-exclamation", "Did it work?Yes it did!Great news.",
     "Did it work? Yes it did! Great news."),
    ("closing-quote", "He said \u201cnever.\u201dThen he left.Nobody followed.",
     "He said \u201cnever.\u201d Then he left. Nobody followed."),
    ("colon-after", "It ended.Note: more follows.Then it stopped.",
     "It ended. Note: more follows. Then it stopped."),
    ("cyrillic", "Он пришёл домой.Потом ушёл.Конец.", "Он пришёл домой. Потом ушёл. Конец."),
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), [s[1:] for s in SPLITS], ids=[s[0] for s in SPLITS])
def test_split_glued_splits(text: str, expected: str) -> None:
    result = split_glued(text)
    assert result.text == expected
    assert apply_edits(text, result.edits) == expected
    assert all(
        e.action == "split" and e.reason == "glued-sentence" and e.start == e.end
        for e in result.edits
    )


NEVER = [
    ("abbreviation-us", "The U.S.Army and the U.K.Navy met."),
    ("abbreviation-eg", "Some fruit, e.g.Apples, i.e.Pears."),
    ("abbreviation-german", "Das ist z.B.Obst, d.h.Äpfel, usw.Birnen."),
    ("abbreviation-title", "Ask Dr.Smith or Mrs.Jones or Prof.Miller today."),
    ("abbreviation-list", "See vgl.Kapitel and ca.Zehn and bzw.Drei."),
    ("number-decimal", "Pi is 3.14 and e is 2.71.The end is 1.000 km."),
    ("number-before", "In 2020.The year 1999.Then more."),
    ("domain", "Visit example.com and mail.Google.com and news.bbc.Co today."),
    ("file-name", "Open index.html, Node.js or setup.py.Then run app.Main(x)."),
    ("url", "See https://example.org/path.Html and www.example.Org now."),
    ("initials", "Written by J.R.R.Tolkien and J.K.Rowling and T.S.Eliot."),
    ("version", "Use v2.Beta or 1.2.Final or release3.Alpha now."),
    ("camel-case", "Call object.ToString and list.AddRange and obj.getValue today."),
    ("identifier-chain", "Use System.Console.WriteLine and os.path.Join here."),
    ("same-word", "Pass context.Context and http.Http then time.Time please."),
    ("type-member", "Use String.Index and React.Component and Cursor.Directory here."),
    ("code-call", "Run testdb.New(t) and require.NoError(t, err) and mock.Anything)."),
    ("email", "Write to info.Team@example.com or sales.Dept@example.org now."),
    ("single-glue-in-line", "One glued sentence end.Here, in this line only."),
    ("proper-noun-before", "We went to Paris.The city was full.Berlin.Next stop."),
    ("lowercase-after", "A sentence.then lowercase.and more."),
    ("single-letter-word", "Plan a.Then plan b.Then c."),
    ("package-member", "If the call to cmd.Run fails, a call to src.Close comes first."),
    ("package-call", "Print it with fmt.Println and fetch it with http.Get later."),
    ("unit", "A bottle of 32 fl. oz.Liquid and 36 fl. oz.Capacity here."),
]


@pytest.mark.parametrize("text", [t for _, t in NEVER], ids=[name for name, _ in NEVER])
def test_split_glued_never(text: str) -> None:
    assert split_glued(text).text == text


@pytest.mark.parametrize(
    "text",
    [t for name, t in NEVER if name not in {"single-glue-in-line", "proper-noun-before"}],
    ids=[n for n, _ in NEVER if n not in {"single-glue-in-line", "proper-noun-before"}],
)
def test_split_glued_never_even_one_by_one(text: str) -> None:
    assert split_glued(text, min_glued=1).text == text


def test_split_glued_min_glued_one_splits_a_single_glue() -> None:
    text = "One glued sentence end.Here, in this line only."
    assert split_glued(text, min_glued=1).text == "One glued sentence end. Here, in this line only."


def test_split_glued_counts_distinct_pairs() -> None:
    # The same glued pair twice in a line is a listing's own spelling, not a flattened copy.
    text = "2 adults, 5 kids.No parental controls. 2 adults, unlimited kids.No parental controls."
    assert not split_glued(text).changed
    assert split_glued(text, min_glued=1).changed


def test_split_glued_counts_glue_per_line() -> None:
    text = "First line.Only one glue here.\nSecond line.Has two.Glued ends."
    assert split_glued(text).text == (
        "First line.Only one glue here.\nSecond line. Has two. Glued ends."
    )


def test_split_glued_marks_option() -> None:
    text = "Did it work?Yes it did.Great news!Really."
    only_dots = split_glued(text, split_marks=".", min_glued=1).text
    assert only_dots == "Did it work?Yes it did. Great news!Really."
    assert split_glued(text, split_marks="").text == text


def test_split_glued_leaves_paragraphs_alone() -> None:
    text = "A first paragraph.\n\nA second one. With two sentences."
    assert not split_glued(text).changed


# --------------------------------------------------------------------------------------------
# Options and input checks

BOOL_OPTIONS = [
    "fix_mojibake",
    "gate",
    "unescape_entities",
    "remove_controls",
    "fix_newlines",
    "collapse_spaces",
    "nbsp_to_space",
    "nfc",
]


@pytest.mark.parametrize("name", BOOL_OPTIONS)
def test_bool_option_rejects_non_bool(name: str) -> None:
    with pytest.raises(ConfigError, match=name):
        NormalizeOptions(**{name: 1})


@pytest.mark.parametrize("value", ["yes", "false", 1, None])
def test_clean_explain_is_true_or_false(value: Any) -> None:
    """``explain="false"`` would read as true: refused, naming the option."""
    with pytest.raises(ConfigError, match="option explain must be True or False") as caught:
        dedup.clean("A page.", explain=value)
    assert caught.value.option == "explain"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("max_rounds", 0),
        ("max_rounds", 11),
        ("max_rounds", 2.0),
        ("max_rounds", True),
        ("min_glued", 0),
        ("min_glued", "2"),
        ("split_marks", ",;"),
        ("split_marks", [".", "!"]),
    ],
)
def test_option_out_of_range(name: str, value: object) -> None:
    with pytest.raises(ConfigError, match=name):
        NormalizeOptions(**{name: value})


def test_options_are_frozen_and_keyword_only() -> None:
    options = NormalizeOptions()
    with pytest.raises(dataclasses.FrozenInstanceError):
        options.nfc = False  # type: ignore[misc]
    with pytest.raises(TypeError):
        NormalizeOptions(True)  # type: ignore[misc]


def test_unknown_override_names_valid_options() -> None:
    with pytest.raises(ConfigError, match=r"unknown option nfkc.*valid options are"):
        normalize("x", nfkc=True)
    with pytest.raises(ConfigError, match="unknown option"):
        split_glued("x", bogus=1)


def test_options_and_overrides_combine() -> None:
    options = NormalizeOptions(collapse_spaces=False)
    assert normalize("a  b", options).text == "a  b"
    assert normalize("a  b", options, collapse_spaces=True).text == "a b"
    assert normalize("a\N{NO-BREAK SPACE}b", options, nbsp_to_space=True).text == "a b"


def test_options_of_the_wrong_type() -> None:
    with pytest.raises(ConfigError, match="NormalizeOptions"):
        normalize("x", {"nfc": False})  # type: ignore[arg-type]


@pytest.mark.parametrize("function", [normalize, split_glued])
@pytest.mark.parametrize("value", [b"bytes", None, 3])
def test_input_must_be_str(function: Any, value: object) -> None:
    with pytest.raises(InputError):
        function(value)


# --------------------------------------------------------------------------------------------
# Properties

_PIECES = st.sampled_from(
    [
        "Ã©", "Ã", "â€™", "â€", "Â", "\N{NO-BREAK SPACE}", "\x93", "\x85", "&amp;", "&lt;",
        "&#39;", "&", "amp;", ";", "&nbsp;", "\r\n", "\r", "\n", " ", "  ", "\t", "\x00",
        "\N{ZERO WIDTH SPACE}", "\ufeff", "\x1b[0m", "e\N{COMBINING ACUTE ACCENT}",
        "\N{COMBINING ACUTE ACCENT}", "\ud800", "\udc00", "\ud83d\ude00", "\u2028",
        "privée.Buzzfeed", "U.S.", "3.14", "\N{LATIN SMALL LIGATURE FI}",
        "\N{DOUBLE LOW-9 QUOTATION MARK}", "\N{LEFT DOUBLE QUOTATION MARK}",
        "\N{RIGHT SINGLE QUOTATION MARK}",
    ]
)  # fmt: skip
TEXTS = st.lists(
    st.one_of(_PIECES, st.characters(codec=None), st.characters(categories=["Cs"])),
    max_size=40,
).map("".join)
_PROPERTY = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _check_edits(text: str, edits: tuple[Edit, ...]) -> None:
    pos = 0
    for edit in edits:
        assert 0 <= edit.start <= edit.end <= len(text)
        assert edit.start >= pos, "edits overlap or are out of order"
        pos = edit.end
        assert isinstance(edit.replacement, str)


@_PROPERTY
@given(TEXTS)
@example("\ud800")
@example("\x00\x00")
@example("&amp;amp;lt;")
@example("a  Ã \n")
def test_normalize_properties(text: str) -> None:
    result = normalize(text)
    assert isinstance(result.text, str)
    _check_edits(text, result.edits)
    assert apply_edits(text, result.edits) == result.text
    assert normalize(result.text).text == result.text


@_PROPERTY
@given(TEXTS)
def test_gate_equals_no_gate(text: str) -> None:
    assert normalize(text) == normalize(text, gate=False)


@_PROPERTY
@given(TEXTS, st.booleans(), st.booleans())
def test_normalize_properties_with_options(text: str, nbsp: bool, spaces: bool) -> None:
    result = normalize(text, nbsp_to_space=nbsp, collapse_spaces=spaces, max_rounds=10)
    _check_edits(text, result.edits)
    assert apply_edits(text, result.edits) == result.text


@_PROPERTY
@given(TEXTS, st.integers(1, 3))
def test_split_glued_properties(text: str, min_glued: int) -> None:
    result = split_glued(text, min_glued=min_glued)
    _check_edits(text, result.edits)
    assert apply_edits(text, result.edits) == result.text
    assert split_glued(result.text, min_glued=min_glued).text == result.text


# --------------------------------------------------------------------------------------------
# A sample of repair-dev (tests/data/normalize_repair_dev_sample.jsonl): WCXB, CC-BY-4.0, and
# trafilatura's evaluation pages, Apache-2.0

SAMPLE = read_jsonl(DATA / "normalize_repair_dev_sample.jsonl")


@pytest.mark.parametrize("record", SAMPLE, ids=[r["id"] for r in SAMPLE])
def test_repair_dev_sample(record: dict[str, Any]) -> None:
    result = normalize(record["text"])
    assert apply_edits(record["text"], result.edits) == result.text
    assert result == normalize(record["text"], gate=False)
    if record["family"] in {"clean", "mojibake_only"}:
        assert canonical(result.text) == canonical(record["gold"])
    if record["family"] == "clean":
        assert not split_glued(record["text"]).changed


# --------------------------------------------------------------------------------------------
# Evaluation gate: all of repair-dev (../shared/eval)


@pytest.fixture(scope="module")
def repair_dev() -> list[dict[str, Any]]:
    return read_jsonl(eval_path("repair-dev.jsonl"))


@pytest.mark.evaluation
def test_eval_gate_loses_nothing_on_repair_dev(repair_dev: list[dict[str, Any]]) -> None:
    differ = [
        r["id"] for r in repair_dev if normalize(r["text"]) != normalize(r["text"], gate=False)
    ]
    assert differ == []


@pytest.mark.evaluation
def test_eval_gate_loses_nothing_on_ftfy_cases() -> None:
    folder = eval_path("mojibake")
    for path in sorted(Path(folder).glob("*.json")):
        for case in json.loads(path.read_text("utf-8")):
            assert normalize(case["original"]) == normalize(case["original"], gate=False)


@pytest.mark.evaluation
def test_eval_mojibake_only_floor(repair_dev: list[dict[str, Any]]) -> None:
    records = [r for r in repair_dev if r["family"] == "mojibake_only"]
    exact = sum(canonical(normalize(r["text"]).text) == canonical(r["gold"]) for r in records)
    assert exact / len(records) >= 0.95


@pytest.mark.evaluation
def test_eval_clean_pages_left_alone(repair_dev: list[dict[str, Any]]) -> None:
    records = [r for r in repair_dev if r["family"] == "clean"]
    changed = [
        r["id"] for r in records if canonical(normalize(r["text"]).text) != canonical(r["text"])
    ]
    # One page holds mojibake in its own text (an em dash as "â\x80\x94"), which is fixed.
    assert len(changed) <= 1, changed
    split = [r["id"] for r in records if split_glued(r["text"]).changed]
    assert split == []


@pytest.mark.evaluation
def test_eval_edits_replay_and_are_stable(repair_dev: list[dict[str, Any]]) -> None:
    for record in repair_dev:
        result = normalize(record["text"])
        assert apply_edits(record["text"], result.edits) == result.text, record["id"]
        assert normalize(result.text).text == result.text, record["id"]


def test_a_line_of_megabytes_is_fixed_in_windows_around_its_mojibake() -> None:
    """A flattened copy can be one line of megabytes: ftfy sees the words around each gate hit,
    and every other character is left as it is."""
    clean_sentence = "Le site donne davantage de d\u00e9tails sur le logiciel en question. "
    broken = "La vie priv\u00c3\u00a9e des utilisateurs compte. "
    sentences = [broken if i % 97 == 0 else clean_sentence for i in range(2_000)]
    text = "".join(sentences).rstrip()  # one line of 130,000 characters, many windows
    result = normalize(text)
    assert apply_edits(text, result.edits) == result.text
    assert "\u00c3\u00a9" not in result.text
    assert result.text == text.replace("priv\u00c3\u00a9e", "priv\u00e9e")
