"""The course's beam-search error analysis.

For an input x whose output ŷ (from beam search) differs from the correct y*, compare
the model's own scores: if the model prefers y* (score(y*) > score(ŷ)), beam search failed
to find it, so the *beam search* is at fault; otherwise the model ranks a wrong answer
higher and the *model* (RNN) is at fault. With length normalisation the comparison uses
the same normalised objective the beam optimised.
"""
from __future__ import annotations

from dataclasses import dataclass

from core.beam_search import length_normalised
from core.dates.decode import DateInputError, DateTranslator, beam_translate, tokens_to_answer

BEAM_SEARCH, MODEL, CORRECT = "beam search", "model (RNN)", "correct"


@dataclass
class ErrorCase:
    text: str
    expected: str  # y*
    got: str  # ŷ, the beam's best
    log_p_expected: float  # log P(y* | x)
    log_p_got: float  # log P(ŷ | x)
    score_expected: float  # normalised with alpha
    score_got: float
    verdict: str  # CORRECT, BEAM_SEARCH or MODEL


def analyse(translator: DateTranslator, text: str, expected: str, beam_width: int = 3,
            alpha: float = 0.0) -> ErrorCase:
    """Blame beam search or the model for one (x, y*) pair."""
    expected = expected.strip()
    result = beam_translate(translator, text, beam_width, alpha, shown_per_step=0)
    if result.best is None:
        raise DateInputError("Beam search found no finished output; widen the beam.")
    got = tokens_to_answer(result.best.tokens)
    log_p_got = result.best.log_prob
    log_p_expected, steps = translator.score(text, expected)
    score_expected = length_normalised(log_p_expected, len(steps), alpha)
    score_got = result.best.normalised(alpha)
    if got == expected:
        verdict = CORRECT
    elif score_expected > score_got:
        verdict = BEAM_SEARCH
    else:
        verdict = MODEL
    return ErrorCase(text, expected, got, log_p_expected, log_p_got, score_expected,
                     score_got, verdict)


def analyse_many(translator: DateTranslator, pairs, beam_width: int = 3, alpha: float = 0.0):
    """Run the analysis over (text, expected) pairs; refused rows come back with the reason."""
    cases, refused = [], []
    for text, expected in pairs:
        try:
            cases.append(analyse(translator, text, expected, beam_width, alpha))
        except DateInputError as err:
            refused.append((text, expected, str(err)))
    return cases, refused


def summary(cases) -> dict:
    """Counts and the share of errors due to each cause."""
    errors = [c for c in cases if c.verdict != CORRECT]
    beam = sum(c.verdict == BEAM_SEARCH for c in errors)
    model = len(errors) - beam
    return {"pairs": len(cases), "errors": len(errors), "beam_search": beam, "model": model,
            "beam_search_share": beam / len(errors) if errors else 0.0,
            "model_share": model / len(errors) if errors else 0.0}


MAX_ROWS = 2_000


def parse_pairs(raw: bytes) -> list[tuple[str, str]]:
    """An uploaded CSV or TSV of `input,expected` rows → pairs, or DateInputError.

    A header row is skipped when its second column is not an answer the model can write
    (a date, ? or !). Tabs win over commas when the first line has one.
    """
    import csv
    import io

    if not raw:
        raise DateInputError("The file is empty.")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DateInputError("The file is not UTF-8 text; save it as CSV (UTF-8).") from None
    first = text.splitlines()[0] if text.splitlines() else ""
    delimiter = "\t" if "\t" in first else ","
    rows = [r for r in csv.reader(io.StringIO(text), delimiter=delimiter) if any(c.strip() for c in r)]
    if not rows:
        raise DateInputError("The file has no rows.")
    bad = [i + 1 for i, r in enumerate(rows) if len(r) < 2]
    if bad:
        raise DateInputError(f"Every row needs two columns, input and expected answer; "
                             f"row {bad[0]} has one. (Quote inputs that contain commas.)")
    pairs = [(r[0], r[1].strip()) for r in rows]
    if not _is_answer(pairs[0][1]):
        pairs = pairs[1:]  # a header
    if not pairs:
        raise DateInputError("The file has a header but no rows.")
    if len(pairs) > MAX_ROWS:
        raise DateInputError(f"The file has {len(pairs):,} rows; the page analyses at most {MAX_ROWS:,}.")
    return pairs


def _is_answer(value: str) -> bool:
    from core.dates.decode import is_calendar_date

    return value in ("?", "!") or is_calendar_date(value)
