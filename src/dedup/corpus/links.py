"""Link targets and URLs in a text, which canonical tokens leave out.

Extractors that write Markdown keep a link's target (``[the docs](https://example.org)``) and
others do not; bare URLs and ``www.`` hosts are page chrome rather than words. :func:`url_mask`
marks them in an array of code points, so that :mod:`dedup.corpus.shingle` can drop them from
many texts at once:

>>> import numpy as np
>>> text = "See [docs](https://x.org) or www.Example.org now"
>>> codes = np.frombuffer(text.encode("utf-32-le"), dtype="<u4")
>>> mask = url_mask(codes, np.array([c.isspace() for c in text]))
>>> "".join(" " if hidden else ch for ch, hidden in zip(text, mask))
'See [docs                 or                 now'
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["TITLE", "url_mask"]

#: Characters a Markdown link's title may run to (``](url "title")``).
TITLE = 300

_COLON, _SLASH, _DOT, _W, _RBRACKET, _LPAREN, _RPAREN, _QUOTE = (ord(c) for c in ':/.w]()"')


def url_mask(
    codes: npt.NDArray[np.unsignedinteger], spaces: npt.NDArray[np.bool_]
) -> npt.NDArray[np.bool_]:
    """The code points of ``codes`` that belong to link targets and URLs.

    ``spaces`` says which code points are white space; the code point 0 separates texts. In
    order, as if each were replaced by a space before the next is looked for: Markdown link
    targets ``](...)``, with their title when they have one (``](url "title")``); every run of
    non-space characters that contains ``://``; every run that starts with ``www.`` (any case).
    Runs end at white space and at the separator 0.
    """
    n = len(codes)
    sep = spaces | (codes == 0)
    lows: list[npt.NDArray[np.int64]] = []
    highs: list[npt.NDArray[np.int64]] = []
    opens = np.flatnonzero((codes[:-1] == _RBRACKET) & (codes[1:] == _LPAREN))
    targets = np.zeros(n, dtype=bool)
    if len(opens):
        starts, stops = _targets(codes, sep, opens)
        targets = _cover(n, starts, stops + 1)
        sep = sep | targets
    bounds = np.flatnonzero(sep)
    schemes = np.flatnonzero(
        (codes[:-2] == _COLON) & (codes[1:-1] == _SLASH) & (codes[2:] == _SLASH)
    )
    schemes = schemes[~sep[schemes]]
    if len(schemes):
        at = np.searchsorted(bounds, schemes)
        lows.append(np.where(at > 0, bounds[np.maximum(at - 1, 0)] + 1, 0))
        highs.append(bounds[np.minimum(at, len(bounds) - 1)])
    lower = codes | 0x20  # ``W`` and ``w`` alike (other letters are not compared)
    hosts = np.flatnonzero(
        (lower[:-3] == _W) & (lower[1:-2] == _W) & (lower[2:-1] == _W) & (codes[3:] == _DOT)
    )
    if len(hosts):
        after_sep = np.r_[True, sep[:-1]]
        hosts = hosts[~sep[hosts] & after_sep[hosts]]
        lows.append(hosts)
        highs.append(bounds[np.searchsorted(bounds, hosts)])
    if not lows:
        return targets
    return targets | _cover(n, np.concatenate(lows), np.concatenate(highs))


def _targets(
    codes: npt.NDArray[np.unsignedinteger], sep: npt.NDArray[np.bool_], opens: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """The first and last code point of each Markdown link target ``](...)`` opened at
    ``opens``: to its ``)``, or to the ``")`` that ends its title."""
    n = len(codes)
    stops = np.flatnonzero(sep | (codes == _RPAREN))
    at = np.searchsorted(stops, opens + 2)
    ok = at < len(stops)
    opens, ends = opens[ok], stops[at[ok]]
    plain = codes[ends] == _RPAREN
    # a target with a title, ``](url "title")`` (as html2text writes a link's title): the
    # title runs to the first ``")`` within TITLE characters, in the same document
    titled = ~plain & (ends + 1 < n)
    titled[titled] = codes[ends[titled] + 1] == _QUOTE
    closes = np.flatnonzero((codes[:-1] == _QUOTE) & (codes[1:] == _RPAREN)) + 1
    if titled.any() and len(closes):
        nul = np.flatnonzero(codes == 0)
        starts = ends[titled] + 2
        at = np.searchsorted(closes, starts)
        found = at < len(closes)
        close = np.where(found, closes[np.minimum(at, len(closes) - 1)], n)
        doc_end = nul[np.minimum(np.searchsorted(nul, starts), len(nul) - 1)]
        good = found & (close - starts <= TITLE) & (close < doc_end)
        ends[np.flatnonzero(titled)[good]] = close[good]
        plain[np.flatnonzero(titled)[good]] = True
    return opens[plain], ends[plain]


def _cover(
    n: int, lows: npt.NDArray[np.int64], highs: npt.NDArray[np.int64]
) -> npt.NDArray[np.bool_]:
    """A mask of ``n`` code points, true in every ``[lows[i], highs[i])`` (work in proportion
    to what they cover)."""
    mask = np.zeros(n, dtype=bool)
    lengths = highs - lows
    live = lengths > 0
    lows, lengths = lows[live], lengths[live]
    if len(lengths):
        shift = np.repeat(lows - np.r_[0, np.cumsum(lengths)[:-1]], lengths)
        mask[np.arange(int(lengths.sum())) + shift] = True
    return mask
