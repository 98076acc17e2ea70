"""The trained translator: answers, refusals, and random text thrown at it."""
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.dates.data import Ty
from core.dates.decode import MAX_INPUT_CHARS, START_ID, DateInputError, check_input

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
    ("x" * 10_000, "10,000 characters"),
])
def test_refusals_explain_themselves(translator, text, message):
    with pytest.raises(DateInputError, match=message):
        translator.translate(text)


@pytest.mark.parametrize("text", ["9 mai 1998 🎉", "😀😀😀", "<script>alert(1)</script>",
                                  "'; DROP TABLE dates;--", "Ünïcödé 12 mars 2001", "日本 2001"])
def test_odd_but_short_text_gets_an_answer(translator, text):
    result = translator.translate(text)
    assert result.status in {"date", "not_a_date", "impossible", "malformed"}


@pytest.mark.parametrize("text, order, iso", [
    ("04/07/2019", "auto", "2019-04-07"), ("04/07/2019", "mdy", "2019-04-07"),
    ("04/07/2019", "dmy", "2019-07-04"), ("04.07.2019", "auto", "2019-07-04"),
    ("28/02/2019", "mdy", "2019-02-28"), ("17.3.2004", "auto", "2004-03-17"),
    ("12.31.1999", "auto", "1999-12-31"), ("19/07/04", "ymd", "2019-07-04"),
    ("2019:07:04 12:00:00", "auto", "2019-07-04"), ("07/04/2019 11:45:30", "auto", "2019-07-04"),
    ("04 07 2019", "auto", "2019-07-04"), ("release 2.4.1 on 2019-07-04", "auto", "2019-07-04"),
    ("the fourth of july in the year 2019", "auto", "2019-07-04"),
])
def test_reading_orders_and_real_world_kinds(translator, text, order, iso):
    assert translator.translate(text, order).iso == iso


@pytest.mark.parametrize("text, status", [("2019/13/04", "impossible"), ("1-2-3", "not_a_date"),
                                          ("1.5.3", "not_a_date")])
def test_month_thirteen_and_digit_garbage(translator, text, status):
    assert translator.translate(text).status == status


def test_long_text_is_read_in_windows(translator):
    text = ("the quarterly report, prepared over many weeks by the finance team, "
            "was finally published on 9 may 1998 after a long review")
    result = translator.translate(text)
    assert result.iso == "1998-05-09"
    assert "1998" in result.model_input and len(result.model_input) <= 48
    assert text[result.window_start:].startswith(result.model_input.split()[0])


def test_ambiguous_numbers_have_two_readings(translator):
    from core.dates.decode import readings
    found = {r.answer: r for r in readings(translator, "04/07/2019", "mdy")}
    assert set(found) == {"2019-04-07", "2019-07-04"}
    assert found["2019-04-07"].probability > found["2019-07-04"].probability
    assert [r.answer for r in readings(translator, "28/02/2019", "dmy")] == ["2019-02-28"]
    assert readings(translator, "9 may 1998") == []  # no numbers an order could change


def test_fast_greedy_matches_the_step_function(translator):
    texts = ["9 may 1998", "04/07/2019", "hello world"]
    ids, probs, _ = translator.greedy(texts, "dmy")
    state = translator.encode(texts, "dmy")  # the shared step function, one call per step
    prev, step_ids, step_probs = np.full(len(texts), START_ID, dtype=np.int32), [], []
    for _ in range(Ty):
        p, _, state = translator.step(state, prev)
        prev = p.argmax(axis=1).astype(np.int32)
        step_ids.append(prev)
        step_probs.append(p[np.arange(len(texts)), prev])
    step_ids, step_probs = np.stack(step_ids, 1), np.stack(step_probs, 1)
    assert (ids == step_ids).all()
    np.testing.assert_allclose(probs, step_probs, rtol=1e-4, atol=1e-6)


def test_control_characters_become_spaces():
    assert check_input("9\tmay\n1998") == "9 may 1998"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=80))
def test_random_text_never_crashes(translator, text):
    try:
        result = translator.translate(text)
    except DateInputError as err:
        message = str(err)  # refused only when blank or too long, and it says which
        assert "Type a date" in message
        return
    assert len(result.model_input) <= MAX_INPUT_CHARS
    assert result.status in {"date", "not_a_date", "impossible", "malformed"}
    assert 0.0 <= result.confidence <= 1.0
