"""The drawing's colour scale: a gradient norm, relative to the output's, on a log scale.

Blue is small, pale is like the output's, red is large (ColorBrewer RdYlBu, reversed);
norms below ``vanishing`` or above ``exploding`` times the output's are flagged and
go one shade beyond the scale's ends. :func:`legend` draws the scale as an HTML-like
DOT label.
"""

from __future__ import annotations

import html
import math

from autograd.viz._common import fmt

VANISHING = 1e-6  # |grad| / |grad of the output| below this is flagged "vanishing"
EXPLODING = 1e4  # ... and above this "exploding": an SGD step would be lr * 1e4 too big

# Stops sit at log10(vanishing), half way, 0, half way, log10(exploding).
_STOPS = ("#4575b4", "#abd9e9", "#ffffbf", "#fdae61", "#f46d43")
_VANISH_FILL = "#313695"  # flagged nodes go one shade beyond the scale's ends
_EXPLODE_FILL = "#a50026"
_ZERO_FILL = "#d9d9d9"
_NONFINITE_FILL = "#000000"
FLAGGED = ("vanishing", "exploding", "nan", "inf")  # drawn with a thick border


def _hex(c: str) -> tuple[int, int, int]:
    return int(c[1:3], 16), int(c[3:5], 16), int(c[5:7], 16)


def font_for(fill: str) -> str:
    """Black or white text, whichever reads on ``fill`` (by its luma, Rec. 601)."""
    r, g, b = _hex(fill)
    return "white" if 0.299 * r + 0.587 * g + 0.114 * b < 128 else "black"


def grad_colour(value: float | None, ref: float = 1.0, vanishing: float = VANISHING,
                exploding: float = EXPLODING) -> tuple[str, str | None]:
    """Fill colour and flag (``'vanishing'``, ``'exploding'``, ``'zero'``, ``'nan'``,
    ``'inf'`` or ``None``) for a gradient norm, on a log scale of ``value / ref``."""
    if value is None:
        return "#ffffff", None
    if math.isnan(value):
        return _NONFINITE_FILL, "nan"
    if math.isinf(value):
        return _NONFINITE_FILL, "inf"
    if value == 0.0:
        return _ZERO_FILL, "zero"
    rel = value / ref
    if rel < vanishing:
        return _VANISH_FILL, "vanishing"
    if rel > exploding:
        return _EXPLODE_FILL, "exploding"
    lo, hi = math.log10(vanishing), math.log10(exploding)
    xs = (lo, lo / 2, 0.0, hi / 2, hi)
    x = math.log10(rel)
    k = 0
    while k < 3 and x > xs[k + 1]:
        k += 1
    t = (x - xs[k]) / (xs[k + 1] - xs[k])
    a, b = _hex(_STOPS[k]), _hex(_STOPS[k + 1])
    return "#" + "".join(f"{round(p + (q - p) * t):02x}" for p, q in zip(a, b)), None


def _decade(p: float) -> str:
    if p == 0:
        return "1"
    return f"1e{p:g}"


def legend(ref: float | None, vanishing: float, exploding: float, show_values: bool) -> str:
    """An HTML-like label: colour swatches for the scale, then a key of the shapes."""
    lo, hi = math.log10(vanishing), math.log10(exploding)
    r = 1.0 if ref is None else ref
    cells = [(_ZERO_FILL, "0"), (_VANISH_FILL, f"&lt; {_decade(lo)}<br/>vanishing")]
    for p in (lo, lo / 2, 0.0, hi / 2, hi):
        cells.append((grad_colour(10.0 ** p * r, r, vanishing, exploding)[0], _decade(p)))
    cells += [(_EXPLODE_FILL, f"&gt; {_decade(hi)}<br/>exploding"), (_NONFINITE_FILL, "nan/inf")]
    # Equal-width swatches; text rows are broken into short lines so they never widen
    # the table (which would stretch the swatches unevenly).
    row = "".join(f'<td bgcolor="{c}" width="62"><font color="{font_for(c)}">'
                  f"{t}</font></td>" for c, t in cells)
    n = len(cells)
    title = ("|grad| relative to the output's" + (f" (|grad| = {fmt(ref)})" if ref else "")
             if ref is not None else "|grad| (the output got no gradient: absolute scale)")
    notes = ["ellipse: op · box: tensor · 3-D box: parameter",
             "note: other leaf · double box: output", "dashed box: input needing no grad"]
    if show_values:
        notes += ["min/mean/max: leaves, inputs and the output only", "(the engine keeps no "
                  "intermediate values)"]
    text = "<br/>".join(html.escape(t, quote=False) for t in notes)
    rows = [f'<tr><td colspan="{n}" border="0"><b>{html.escape(title, quote=False)}</b></td></tr>',
            f"<tr>{row}</tr>", f'<tr><td colspan="{n}" border="0">{text}</td></tr>']
    return ('<<table border="0" cellborder="1" cellspacing="0" cellpadding="4">'
            + "".join(rows) + "</table>>")
