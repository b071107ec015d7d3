"""Signs of script data and markup around and inside a copy.

Naive extractors keep a page's ``<script>`` text and its markup: a copy of the article inside a
JSON string (``"articleBody":"..."``), HTML inside one, app state spread over many fields. Such
a copy shows signs at its edges (a JSON string's opening ``"key":"``, or the quotes of one
string value around it on its line however far away, JSON's punctuation, escapes, tags) or
dense inside it; :func:`scripts` tells whether one copy of a pair is inside the code and the
other is not. A page rendered as markdown is page text: its links and emphasis are the page's
own formatting, no sign of code (a markdown rendering inside a string of script data is
inside the code by the string around it).

Three questions about script data have a test each, side by side here; they stay apart because
they answer different questions (merging the third into the first changed what repair does):

- around a copy (:func:`edges`, :func:`in_script`): the *signs* of script data or markup at a
  copy's edges, which make it an ``embedded`` copy to remove. They must not fire on prose, nor
  on code shown on a page: JSON's punctuation around a quote, not a quote alone; escapes, but
  not ``\\n``; tags.
- a line of page text (:func:`script_line`): whether a line of words among what a copy in the
  code holds of its own is a string of script data rather than the page's own line: any *mark*
  (a brace, a key's colon, any escape, ``\\n`` too, a tag); a page's line of prose has none.
- words between two copies (:func:`words_only`): whether what stands between a copy cut short
  and its whole text is plain words: none of the *characters* script data and markup are made
  of (quotes, brackets, braces, escapes, tags, ``=``, ``%``, ``|``); a quote alone there says
  two entries of a listing (two reviews), not a preview and its text.

>>> edges('{"articleBody":"The text of the article.","author":"A"}', 16, 40)
3
>>> code_like("if (a[i] > b) { c = d; }", 0, 24)
True
"""

from __future__ import annotations

from collections.abc import Callable

import regex

from dedup.chains import Candidate
from dedup.markup import TAG_NAME
from dedup.tokens import Skeleton

__all__ = [
    "bare_quote",
    "closes_value",
    "code_like",
    "edges",
    "has_quote_punctuation",
    "holds_values",
    "in_script",
    "in_string",
    "mark_count",
    "opens_value",
    "script",
    "script_line",
    "scripts",
    "structure_only",
    "text_beside_script",
    "whole_value",
    "words_only",
]

# The signs of script data and markup around a copy (:func:`edges`): HTML tags (raw, JSON-escaped or
# entity-escaped), the escapes of a JSON string (``\\u00e9``, ``\\"``, ``\\/``; not ``\\n``,
# which code shown on a page has too), and JSON's punctuation
# between keys and values (``":"``, ``", "``, ``{"``, also escaped in another string; and
# a script's object keys: ``value:"``, ``",marks:``).
_SCRIPT = regex.compile(
    rf"<[!/]?{TAG_NAME}[^<>]{{0,2000}}>"
    rf"|\\+u003[cC]/?{TAG_NAME}|&lt;/?{TAG_NAME}"
    r'|\\+(?:u[0-9a-fA-F]{4}|["/])'
    r'|\\*"\s*(?::\s*\\*["\[{\dtfn-]|,\s*\\*"|[\]}])|[\[{]\s*\\*"'
    r'|\w:\\*"|\\*",\w+:'
)
# The marks of script data in a line (:func:`script_line`): a brace, a quote closing a key, an
# escape (``\\n`` too), a tag.
_SCRIPT_IN_LINE = regex.compile(rf'[{{}}]|"\s*:|\\[unrt"\\/]|</?{TAG_NAME}[^>]*>')
# Plain words (:func:`words_only`): none of the characters script data and markup are made of.
_WORDS_ONLY = regex.compile(r"[^\"\\{}<>\[\]=%|]*", regex.V1)
# The same signs, by the characters that make them, as counted inside a copy: escapes, tags
# (``\\``, ``<``) and JSON's punctuation around quotes.
_QUOTE_SIGNS = ('":', '","', '{"', ':"')
# What every sign of _SCRIPT that is not markup (``Skeleton.markup``) holds.
# JSON's punctuation after a quote, and before one (``":``, ``",``, ``{"``...).
_AFTER_QUOTE = frozenset(":,}]")
_BEFORE_QUOTE = frozenset("{[:")
# Code: one character in _CODE_SHARE or more is one of these.
_CODE_MARKS = "()[]{}<>=;"
_CODE_SHARE = 30
# A string's value opening right before a copy: the key's closing quote, the colon, the
# value's opening quote, then at most opening punctuation. The quotes are JSON's (escaped too: a
# string in a string), the escape that stands for one (``\u0022``: a string in a string that
# escapes its quotes as code points), each the same on both sides of the colon, or a script's
# single quotes around a key that is one name (``'cert_popup' : '``; not a plural's apostrophe).
_QUOTE = r'(?:\\*"|\\+u0022)'
# (between a double-quoted key's closing quote and its value's opening one)
_KEY_COLON = r"\s*:\s*\[?\s*"
_DOUBLE_QUOTED_KEY = rf'(?:\\*"{_KEY_COLON}\\*"|\\+u0022{_KEY_COLON}\\+u0022)'
_SINGLE_QUOTED_KEY = r"'\w[\w.-]*'\s*:\s*\[?\s*'"
_VALUE_OPENS = regex.compile(
    rf"(?:{_DOUBLE_QUOTED_KEY}|{_SINGLE_QUOTED_KEY})[\s\p{{Ps}}\p{{Pi}}]*$"
)
_SINGLE_QUOTED_VALUE = regex.compile(_SINGLE_QUOTED_KEY)
# A string value of script data whole, around a copy: the value's opening (as above, JSON's
# quotes) then at most a little punctuation before the copy's first letter
# (``{"title":"'Our children...``); after its last letter, a little punctuation, the value's
# closing quote, and on the same line the next field or the end of the object or array
# (``.","text":``, ``"}``): minified data, not JSON shown pretty-printed on a page.
_VALUE_BEFORE = regex.compile(rf'{_DOUBLE_QUOTED_KEY}[^\w"\\\n]{{0,3}}$')
# What follows a key's closing quote (``"``, or ``\u0022`` after any backslashes) when it
# opens a string value, as _DOUBLE_QUOTED_KEY has it: the quote is looked for by
# ``str.find``, the rest matched there (:func:`holds_values`).
_KEY_OPENS_VALUE = (
    ('"', regex.compile(rf'{_KEY_COLON}\\*"')),
    ("\\u0022", regex.compile(rf"{_KEY_COLON}\\+u0022")),
)
_VALUE_AFTER = regex.compile(rf'[^\w"\\\n]{{0,3}}{_QUOTE}[ \t]*(?:,[ \t]*\\*["{{\[]|[}}\]])')
# What follows a quote that ends a string's value of script data: the next field, the end of
# the object or the array.
_ENDS_FIELD = regex.compile(
    r'[ \t]*(?:,[ \t]*(?:\\*"|\\+u0022|[{\[\d-]|(?:true|false|null)\b)|[}\]])'
)
# A string's quote that is not escaped (:func:`_quote`), looked for backwards and forwards:
# JSON's, and a string in a string's code point (``\\"`` and ``%5C\\u0022`` are inside it).
_UNESCAPED = {
    quote: regex.compile(pattern)
    for quote, pattern in (('"', r'(?<!\\)"'), ("\\u0022", r"(?<!\\|%5C)\\u0022"))
}
# How far before and after a copy the quotes of a string in a string that escapes its quotes as
# code points (``\\u0022``) are looked for (JSON's own quotes: on the whole line).
_CODE_POINT_REACH = 2_000
# How far past an escaped quote the next quote that is not escaped is looked for.
_ESCAPED_REACH = 2_000
# How far before and after a copy its surroundings are read for them.
_EDGE = 32
# The structure of script data alone (:func:`structure_only`): names (keys, short identifier
# values: ASCII letters, digits, ``_$.-/``, at most ``_NAME`` characters) and numbers, any two
# apart by JSON's punctuation (a quote, a bracket or a brace, with colons, commas and spaces
# around it; or a comma alone, as minified data has between numbers), never by spaces, or
# punctuation and spaces, as words of prose are.
_NAME = 32
_STRUCTURE = regex.compile(
    rf"[A-Za-z0-9_$][\w$./-]{{0,{_NAME - 1}}}"
    rf'(?:(?:[\s:,\\]*["\[\]{{}}][\s:,"\[\]{{}}\\]*|,)[A-Za-z0-9_$][\w$./-]{{0,{_NAME - 1}}})*',
    regex.ASCII,
)
# Script data that ends right before a copy (its closing brace or bracket), or starts right
# after it, the copy running on from it or into it with no quote between (a little punctuation
# at most: the copy's sentence end, an opening quote) (``...]}Page text``,
# ``page text.{"@context":...``: an extractor that keeps a script's text glues it to the page
# text around it).
_SCRIPT_CLOSES = regex.compile(r'[}\]][ \t]*[^\w\s"\\]{0,3}$')
_SCRIPT_OPENS = regex.compile(r'[^\w\s"\\]{0,3}[ \t]*[{\[]')
# A copy scores one for each side with signs around it, and one for each this many signs per
# thousand characters inside it; at this score it is inside code or markup (``_script``).
_SCRIPT_DENSITY = 5.0
_SCRIPT_SCORE = 2.0


def edges(text: str, start: int, end: int) -> int:
    """On how many sides of the copy ``text[start:end]`` its surroundings show signs of script
    data or markup (a JSON string's quotes and the keys around it, the tags of HTML inside a
    string); a copy that opens a JSON string's value (``"articleBody":"``), or lies anywhere
    inside one (:func:`_in_string`), counts twice on that side, as it is in script data whatever
    follows it. A markdown page's links and emphasis are no sign. Script data that closes right
    before the copy, or opens right after it, is no sign on that side: the copy is page text
    glued to a script's text.

    >>> page = '{"@type":"Article","name":"Staff"}The board met on Monday.{"type":"html"}'
    >>> edges(page, 34, 57), edges('{"text":"The board met on Monday.","id":1}', 9, 32)
    (0, 3)
    """
    before = text[max(0, start - _EDGE) : start]
    after = text[end : end + _EDGE]
    # (a script's data that closes right before the copy, or opens right after it, with no
    # quote between: the copy is the page text it runs on from or into, not a string in it.
    # The braces, brackets and key's colon the patterns hold are looked for first: most windows
    # have none)
    opens = ("{" in after or "[" in after) and _SCRIPT_OPENS.match(after)
    after_sign = not opens and _edge(after)
    if (":" in before and _VALUE_OPENS.search(before)) or _in_string(text, start, end):
        return 2 + after_sign
    closes = ("}" in before or "]" in before) and _SCRIPT_CLOSES.search(before)
    return (not closes and _edge(before)) + after_sign


def in_string(text: str, start: int) -> bool:
    """Whether ``text[start:]`` begins inside one JSON string value of script data, on one line
    (``_in_string`` for the copy's first character: the value opens before it, a quote closes
    it after).

    >>> in_string('{"body":"Raised beds warm up early.Pick a spot.","id":1}', 36)
    True
    >>> in_string("Raised beds warm up early. Pick a spot.", 27)
    False
    """
    return _in_string(text, start, start + 1)


def _in_string(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` lies inside one JSON string value on one line, however far
    from its ends: the nearest quote before it opens a value (``"key":"``), the nearest after it
    closes one (then the next field, ``}`` or ``]``), escaped quotes inside the value aside, and
    no line break between them. The quotes are JSON's or, for a string in a string that escapes
    its quotes as code points, ``\\u0022`` (looked for within ``_CODE_POINT_REACH``
    characters). (A copy from the middle of an ``articleBody`` has no sign at its edges and few
    inside it; a line of minified script data is the data's own, a page's text has its breaks.)

    >>> body = "The board met on Monday. " * 200
    >>> data = '{"articleBody":"' + body + '","author":"A"}'
    >>> _in_string(data, 3000, 3100), _in_string("<p>" + body + "</p>", 3000, 3100)
    (True, False)
    >>> short = "The board met on Monday. " * 40
    >>> _in_string('{\\\\u0022md\\\\u0022:\\\\u0022' + short + '\\\\u0022},', 500, 600)
    True
    """
    if text.find("\n", start, end) >= 0:
        return False  # (a copy over lines is in no value: looked at first, as most are)
    return _quoted(text, start, end, '"', len(text)) or _quoted(
        text, start, end, "\\u0022", _CODE_POINT_REACH
    )


def _quoted(text: str, start: int, end: int, quote: str, reach: int) -> bool:
    """Whether the nearest ``quote`` before ``text[start:end]`` (within ``reach``) that is not
    escaped opens a string's value, and the nearest such after it closes one (the next field,
    the object's or the array's end), on one line (:func:`_in_string`). An escaped quote is
    inside the value: ``\\"``, or in a string in a string ``%5C\\u0022`` or ``\\\\u0022``
    (HTML's own quotes there)."""
    low, high = max(0, start - reach), min(len(text), end + reach)
    q = _quote(text, quote, low, start, backwards=True)
    # (the key's colon looked for first: no value opens without one)
    if q < 0 or text.find(":", max(0, q - _EDGE), q) < 0:
        return False
    if not _VALUE_OPENS.search(text, max(0, q - _EDGE), q + len(quote)):
        return False
    r = _quote(text, quote, end, high, backwards=False)
    return (
        r >= 0
        and _ENDS_FIELD.match(text, r + len(quote), high) is not None
        and text.find("\n", q, r) < 0
    )


def bare_quote(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` holds a JSON quote that is not escaped: one that closes a
    string or opens one, where ``\\"`` is a quote inside it.

    >>> bare_quote('a","b', 0, 5), bare_quote('a \\\\"b\\\\" c', 0, 9)
    (True, False)
    """
    return _UNESCAPED['"'].search(text, start, end) is not None


def _quote(text: str, quote: str, low: int, high: int, *, backwards: bool) -> int:
    """Where the last (``backwards``) or the first ``quote`` in ``text[low:high]`` that is not
    escaped starts, or -1. (``str.rfind`` and ``str.find`` find the nearest quote at memory
    speed, and most are not escaped; past an escaped one, a pattern finds the next, within
    ``_ESCAPED_REACH`` characters.)"""
    at = text.rfind(quote, low, high) if backwards else text.find(quote, low, high)
    if at < 0 or not (text[at - 1 : at] == "\\" or text[at - 3 : at] == "%5C"):
        return at
    unescaped = _UNESCAPED[quote]
    if backwards:
        # (the last of those before it: a scan forwards to it is several times quicker than
        # the pattern's search backwards, whose look-behind costs more at every character)
        before = [m.start() for m in unescaped.finditer(text, max(low, at - _ESCAPED_REACH), at)]
        return before[-1] if before else -1
    found = unescaped.search(text, at + 1, min(high, at + _ESCAPED_REACH))
    return -1 if found is None else found.start()


def whole_value(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` is the whole value of a string of minified script data: the
    value opens right before it and closes right after it, but for a little punctuation (a
    sentence's full stop, an opening quote), and the next field or the object's end follows on
    the same line.

    >>> data = '{"title":"The storm hits the coast.","href":"/news/1"}'
    >>> whole_value(data, 10, 34), whole_value(data, 14, 34)
    (True, False)
    >>> whole_value('{\\n  "title": "The storm hits the coast",\\n  "id": 1\\n}', 14, 38)
    False
    """
    return opens_value(text, start) and closes_value(text, end)


def closes_value(text: str, end: int) -> bool:
    """Whether a string's value of minified script data closes right after ``text[:end]``, but
    for a little punctuation, and the next field or the object's end follows on the same line
    (the second half of :func:`whole_value`).

    >>> closes_value('{"title":"The storm hits the coast.","id":1}', 34)
    True
    >>> closes_value('{"title":"The storm hits the coast. Ferries stay in.","id":1}', 34)
    False
    """
    return _VALUE_AFTER.match(text, end, end + _EDGE) is not None


def holds_values(text: str) -> bool:
    """Whether ``text`` holds a double-quoted key and the opening of its string value anywhere
    (``"key":"``, ``\\u0022key\\u0022:\\u0022``): where it does not, no copy opens a value
    (:func:`opens_value`), and what looks for such copies need not look.

    >>> holds_values('{"title":"The storm"}'), holds_values('"Hello," she said: "come in."')
    (True, False)
    """
    # (a search by the pattern tries it at every character: a quote's next character, white
    # space or the colon, is looked at first. Backslashes before the quotes change nothing: a
    # match after them is one after the last of them.)
    for quote, rest in _KEY_OPENS_VALUE:
        size = len(quote)
        k = text.find(quote)
        while k >= 0:
            after = text[k + size : k + size + 1]
            if (after == ":" or after.isspace()) and rest.match(text, k + size) is not None:
                return True
            k = text.find(quote, k + 1)
    return False


def opens_value(text: str, start: int) -> bool:
    """Whether a string's value of minified script data opens right before ``text[start:]``
    (the first half of :func:`whole_value`).

    >>> opens_value('{"title":"The storm hits the coast."}', 10), opens_value("The storm", 4)
    (True, False)
    """
    low = max(0, start - _EDGE)
    # (the key's colon looked for first: no value opens without one)
    return text.find(":", low, start) >= 0 and _VALUE_BEFORE.search(text, low, start) is not None


def _edge(window: str) -> bool:
    """Whether ``window`` shows a sign of script data or markup. (Every sign holds one of the
    characters tested first: most windows are ruled out at once.)"""
    return ('"' in window or "<" in window or "\\" in window or "&" in window) and _SCRIPT.search(
        window
    ) is not None


def script_line(line: str) -> bool:
    """Whether ``line`` shows a mark of script data: a brace, a quote closing a key (``":``), an
    escape (``\\n`` too: a JSON string holds its line breaks escaped), a tag. A line of words
    among what a copy in the code holds of its own is the page's text only without any
    (:mod:`dedup.cuts`); unlike the signs around a copy (:func:`edges`), a lone brace or a
    ``\\n`` counts, as nothing is classed by it.

    >>> script_line('Boost performance","itemLongLoc":"<p>Offload the tasks.</p>')
    True
    >>> script_line("Offload the tasks to the cores {you} have."), script_line("Offload the tasks.")
    (True, False)
    """
    return _SCRIPT_IN_LINE.search(line) is not None


def structure_only(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]``, from its first letter or digit to its last, is only the
    structure of script data: keys and short identifier values (``b0``, ``mid-2``) and numbers,
    each two apart by JSON's punctuation (a quote, a bracket, a brace), with no word of prose
    (words apart by spaces alone, a letter outside ASCII). Two nodes of the same shape pair
    such text by their keys alone, whatever text they hold.

    >>> structure_only('{"type":"heading","children":[{"text":"', 2, 36)
    True
    >>> structure_only('{"type":"heading","text":"Night market"}', 2, 38)
    False
    >>> structure_only('"text":"\u591c\u5e02"', 1, 10)
    False
    """
    return _STRUCTURE.fullmatch(text, start, end) is not None


def words_only(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` holds none of the characters script data and markup are made
    of: quotes, backslashes, braces, brackets, angle brackets, ``=``, ``%``, ``|``. What stands
    between a copy cut short and its whole text on one line must be plain words
    (:mod:`dedup.classify`): a quote alone there (a review's, between two entries of a listing)
    says two entries, not a preview and its text, where the signs around a copy
    (:func:`edges`) need JSON's punctuation around the quote.

    >>> words_only("It was a three step process", 0, 27)
    True
    >>> words_only('5 stars "Great read" 4 stars', 0, 28)
    False
    """
    return _WORDS_ONLY.fullmatch(text, start, end) is not None


def script(text: str, start: int, end: int, edges: int) -> float:
    """How much the copy ``text[start:end]`` looks inside script data or markup: its
    ``edges`` (:func:`_edges`) plus the density of the signs inside it (a copy spread over many
    JSON fields, HTML with its tags), one for every ``_SCRIPT_DENSITY`` per thousand
    characters. A markdown page's link syntax is the page's own formatting, not counted."""
    # (the signs are counted by their characters: str.count runs at memory speed; those with
    # a quote only where there is one)
    inside = text.count("\\", start, end) + text.count("<", start, end)
    if text.find('"', start, end) >= 0:
        inside += sum(text.count(sign, start, end) for sign in _QUOTE_SIGNS)
    return edges + inside * 1000 / (_SCRIPT_DENSITY * max(1, end - start))


def in_script(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` is inside script data or markup: a :func:`script` score
    (its edges and the density of the signs inside it) of ``_SCRIPT_SCORE`` or more.

    >>> in_script('{"id":"a1","name":"Home","url":"/home"},{"id":"b2","name":"News"}', 7, 60)
    True
    >>> in_script("They added rendering on many cores a few releases ago.", 0, 54)
    False
    """
    return script(text, start, end, edges(text, start, end)) >= _SCRIPT_SCORE


def has_quote_punctuation(text: str) -> bool:
    """Whether ``text`` holds JSON's punctuation around a quote (``":``, ``",``, ``{"``...), or
    a script's string value after a single-quoted key (``'key': '``)."""
    # (one str.find per quote: seven scans of the whole text for two characters cost more)
    k = text.find('"')
    while k >= 0:
        if text[k + 1 : k + 2] in _AFTER_QUOTE or (k and text[k - 1] in _BEFORE_QUOTE):
            return True
        k = text.find('"', k + 1)
    return "'" in text and _SINGLE_QUOTED_VALUE.search(text) is not None


def scripts(
    text: str, sk: Skeleton, cand: Candidate, signs: Callable[[], bool]
) -> tuple[bool, float]:
    """Whether one of the pair's copies is clearly inside script data or markup and the other
    is not (a :func:`_script` score of 2 or more against half that or less, with the signs at
    the edges, or by their density inside alone: a chain may begin a copy in script data and
    go on in page text), and how much more the first copy is (its score less the second's).
    A pair that the shape of its copies already classed (flattened, adjacent) is measured only
    where a copy shows signs at its edges (a page's code with the body in a string, HTML
    paragraphs in one, a script right after the page text). ``signs`` says whether the text
    has any sign at all (most pages have none: nothing to measure)."""
    if not signs():
        return False, 0.0
    a0, a1 = sk.text_range(cand.a0, cand.a1)
    b0, b1 = sk.text_range(cand.b0, cand.b1)
    edges_a, edges_b = edges(text, a0, a1), edges(text, b0, b1)
    if cand.kind != "distant" and not (edges_a or edges_b):
        return False, 0.0
    dense_a = _shared_density(text, sk, cand, first=True)
    dense_b = _shared_density(text, sk, cand, first=False)
    for code_a, code_b in ((edges_a + dense_a, edges_b + dense_b), (dense_a, dense_b)):
        high, low = max(code_a, code_b), min(code_a, code_b)
        if high >= _SCRIPT_SCORE and low * 2 <= high:
            return True, code_a - code_b
    return False, edges_a + dense_a - edges_b - dense_b


def text_beside_script(text: str, sk: Skeleton, cand: Candidate, signs: Callable[[], bool]) -> bool:
    """Whether one copy of the pair is clearly inside script data or markup and the other is
    page text (:func:`scripts`), the other not inside either by the same measure: its signs at
    its edges and inside it, on the lines that hold text the copies share, score under
    ``_SCRIPT_SCORE``. Two renderings in script data (app state and a JSON-LD string, a string
    escaped twice and once) can differ by as much in their signs, but neither is page text."""
    embedded, code_first = scripts(text, sk, cand, signs)
    if not embedded:
        return False
    first = code_first < 0  # (the copy out of the code)
    s0, s1 = (cand.a0, cand.a1) if first else (cand.b0, cand.b1)
    own = edges(text, *sk.text_range(s0, s1)) + _shared_density(text, sk, cand, first=first)
    return own < _SCRIPT_SCORE


def _shared_density(text: str, sk: Skeleton, cand: Candidate, *, first: bool) -> float:
    """The density score (:func:`script`) of one copy over the lines that hold text its twin
    shares: lines only that copy has (an article's code samples, a listing's tags on lines of
    their own, which its flattened copy left out) say nothing of where the shared text sits.
    (A copy in a string of minified script data is one line, counted whole.)"""
    s0, s1 = (cand.a0, cand.a1) if first else (cand.b0, cand.b1)
    spans: list[tuple[int, int]] = []
    for run in sorted(cand.runs, key=lambda r: r.a0 if first else r.b0):
        r0, r1 = (run.a0, run.a1) if first else (run.b0, run.b1)
        lo, hi = max(s0, sk.line_start(r0)), min(s1, sk.line_end(max(r0, r1 - 1)))
        if spans and lo <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(spans[-1][1], hi))
        else:
            spans.append((lo, hi))
    if len(spans) < 2 and (not spans or spans[0] == (s0, s1)):
        return script(text, *sk.text_range(s0, s1), 0)
    signs = size = 0.0
    for lo, hi in spans:
        start, end = sk.text_range(lo, hi)
        signs += script(text, start, end, 0) * max(1, end - start)
        size += max(1, end - start)
    return signs / max(1.0, size)


def code_like(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` reads as program code: brackets, braces and operators make
    up a share of it that prose does not reach."""
    return mark_count(text, start, end, _CODE_MARKS) * _CODE_SHARE >= end - start


def mark_count(text: str, start: int, end: int, marks: str) -> int:
    """How many of the characters of ``text[start:end]`` are one of ``marks``.

    >>> mark_count('{ "a": [1, 2] }', 0, 15, "{}[]")
    4
    """
    return sum(text.count(char, start, end) for char in marks)
