"""The trained translator: answers, refusals, and random text thrown at it."""
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.dates.decode import MAX_INPUT_CHARS, DateInputError, check_input

COURSE_AND_ISSUE_EXAMPLES = [
    ("tuesday 09 oct 1993", "1993-10-09"),
    ("4/28/90", "1990-04-28"),
    ("26th of January, 1995", "1995-01-26"),
    ("9 may 1998", "1998-05-09"),
    ("Thu Sep 25 10:36:28 2003", "2003-09-25"),
    ("2014-10-15T16:12:20+00:00", "2014-10-15"),
    ("03.04.2020", "2020-04-03"),
    ("03/04/2020", "2020-03-04"),
]


@pytest.mark.parametrize("text, iso", COURSE_AND_ISSUE_EXAMPLES)
def test_examples(translator, text, iso):
    result = translator.translate(text)
    assert result.iso == iso
    assert 0.5 < result.confidence <= 1.0


@pytest.mark.parametrize("text, status", [("hello world", "not_a_date"), ("12345", "not_a_date"),
                                          ("February 30, 2021", "impossible")])
def test_no_date_answers(translator, text, status):
    result = translator.translate(text)
    assert result.status == status and result.iso is None


def test_attention_rows_are_distributions_over_the_input(translator):
    result = translator.translate("tuesday 09 oct 1993")
    assert result.attention.shape == (len(result.output_tokens), len("tuesday 09 oct 1993"))
    # the padding takes the rest of each row; what is on the characters is at most 1
    assert np.all(result.attention.sum(axis=1) <= 1 + 1e-5)
    assert result.output_tokens[-1] == "</s>"
    assert len(result.step_probabilities) == len(result.output_tokens)


def test_batch_equals_one_by_one(translator):
    texts = [t for t, _ in COURSE_AND_ISSUE_EXAMPLES]
    batch = translator.translate_many(texts)
    for text, result in zip(texts, batch):
        single = translator.translate(text)
        assert single.answer == result.answer
        assert single.confidence == pytest.approx(result.confidence, rel=1e-4)


def test_score_matches_greedy_confidence(translator):
    result = translator.translate("9 may 1998")
    total, steps = translator.score("9 may 1998", result.answer)
    assert np.exp(total) == pytest.approx(result.confidence, rel=1e-4)
    assert len(steps) == len(result.output_tokens)


@pytest.mark.parametrize("text, message", [
    ("", "Type a date"), ("   \t ", "Type a date"), ("\x00\x01", "Type a date"),
    ("x" * 10_000, "10,000 characters"), ("9 may 1998 " * 5, "at most 48"),
])
def test_refusals_explain_themselves(translator, text, message):
    with pytest.raises(DateInputError, match=message):
        translator.translate(text)


@pytest.mark.parametrize("text", ["9 mai 1998 🎉", "😀😀😀", "<script>alert(1)</script>",
                                  "'; DROP TABLE dates;--", "Ünïcödé 12 mars 2001", "日本 2001"])
def test_odd_but_short_text_gets_an_answer(translator, text):
    result = translator.translate(text)
    assert result.status in {"date", "not_a_date", "impossible", "malformed"}


def test_control_characters_become_spaces():
    assert check_input("9\tmay\n1998") == "9 may 1998"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=80))
def test_random_text_never_crashes(translator, text):
    try:
        result = translator.translate(text)
    except DateInputError as err:
        message = str(err)  # refused only when blank or too long, and it says which
        assert "Type a date" in message or "at most 48" in message
        return
    assert len(result.model_input) <= MAX_INPUT_CHARS
    assert result.status in {"date", "not_a_date", "impossible", "malformed"}
    assert 0.0 <= result.confidence <= 1.0
