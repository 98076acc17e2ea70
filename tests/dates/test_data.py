"""The pair generator, the conventions it follows and the encoding."""
import datetime as dt
from collections import Counter

import numpy as np
import pytest

from core.dates.data import (END, FAMILIES, IMPOSSIBLE, MAX_CHARS, NOT_A_DATE, NUMERIC_DATE, ORDER_MARKS,
                             ORDERS, START, Tx, Ty, DateGenerator, encode_input, human_vocab,
                             load_dataset, machine_vocab, normalize_text, ordinal_words,
                             preprocess_data, read_numeric, string_to_int, year_words)


@pytest.fixture(scope="module")
def pairs():
    return DateGenerator(seed=11).dataset(5000)


def test_every_family_appears_and_fits_in_tx(pairs):
    families = Counter(f for _, _, f in pairs)
    assert set(families) == set(FAMILIES)
    assert all(len(normalize_text(t)) <= MAX_CHARS for t, _, _ in pairs)


def test_answers_are_real_iso_dates_or_a_no_date_symbol(pairs):
    for text, answer, family in pairs:
        if family == "not_a_date":
            assert answer == NOT_A_DATE
        elif family == "impossible" or (answer == IMPOSSIBLE and NUMERIC_DATE.search(text)):
            assert answer == IMPOSSIBLE  # some numbers read in the auto order are not on the calendar
        else:
            assert dt.date.fromisoformat(answer).isoformat() == answer, (text, answer)


def test_training_rows_follow_their_reading_order():
    rows = DateGenerator(seed=12).training_set(4000)
    assert {o for *_, o in rows} == set(ORDERS)
    checked = 0
    for text, answer, family, order in rows:
        numbers = NUMERIC_DATE.fullmatch(text)
        if numbers and family == "numeric":
            assert answer == read_numeric(numbers.group(1, 3, 4), numbers.group(2), order), (text, order)
            checked += 1
    assert checked > 200


@pytest.mark.parametrize("parts, sep, order, answer", [
    (("04", "07", "2019"), "/", "auto", "2019-04-07"),  # / reads month first
    (("04", "07", "2019"), ".", "auto", "2019-07-04"),  # . reads day first
    (("04", "07", "2019"), "/", "dmy", "2019-07-04"),
    (("04", "07", "2019"), ".", "mdy", "2019-04-07"),
    (("28", "02", "2019"), "/", "mdy", "2019-02-28"),  # a first number > 12 is the day
    (("12", "31", "1999"), ".", "auto", "1999-12-31"),  # ... and a second one the day too
    (("19", "07", "04"), "/", "ymd", "2019-07-04"),
    (("04", "20", "27"), "/", "ymd", "2027-04-20"),  # no 20th month: read as mdy
    (("19", "07", "04"), "/", "mdy", "2004-07-19"),
    (("2019", "13", "04"), "/", "dmy", IMPOSSIBLE),  # month 13 after a year
    (("13", "14", "2019"), "-", "auto", IMPOSSIBLE),
    (("2019", "07", "04"), ":", "auto", "2019-07-04"),  # EXIF
    (("1", "2", "3"), "-", "auto", NOT_A_DATE),  # a one-digit "year" is no year
    (("1", "5", "3"), ".", "dmy", NOT_A_DATE),
    (("2", "30", "2021"), "/", "auto", IMPOSSIBLE),
])
def test_read_numeric(parts, sep, order, answer):
    assert read_numeric(parts, sep, order) == answer


def test_order_mark_comes_first():
    ids = encode_input("9 may", "dmy")
    assert len(ids) == Tx and ids[0] == human_vocab[ORDER_MARKS["dmy"]]
    assert ids[1:6] == string_to_int("9 may", 5, human_vocab)
    X, _, _ = preprocess_data([("4/7/19", "2019-04-07", "mdy"), ("4/7/19", "2019-04-07")])
    assert X[0, 0] == human_vocab["<mdy>"] and X[1, 0] == human_vocab["<auto>"]


def test_year_words():
    assert year_words(1993) == "nineteen ninety-three"
    assert year_words(2004) == "two thousand four"
    assert year_words(2004, 2) == "two thousand and four"
    assert year_words(2019) == "twenty nineteen"
    assert year_words(1905) == "nineteen oh five"


def test_same_seed_same_pairs():
    assert DateGenerator(3).dataset(300) == DateGenerator(3).dataset(300)
    assert DateGenerator(3).dataset(300) != DateGenerator(4).dataset(300)


def test_numeric_dates_are_labelled_by_the_reading_rule():
    gen = DateGenerator(0)
    date = dt.date(2020, 3, 4)
    for order in ORDERS:
        gen.order = order
        for _ in range(50):
            text, answer = gen.numeric_date(date, "/")
            numbers = NUMERIC_DATE.fullmatch(text)
            assert answer == read_numeric(numbers.group(1, 3, 4), "/", order)


def test_course_formats_use_the_calendar_year():
    # babel's YYY (the course's) is the week-based year: 2018-12-31 would read 2019
    gen = DateGenerator(0)
    for _ in range(500):
        text, answer = gen.course()  # a date, or the ISO answer of an all-numeric text
        year = answer.year if isinstance(answer, dt.date) else int(answer[:4])
        assert str(year)[-2:] in text


def test_impossible_dates_are_not_on_the_calendar():
    gen = DateGenerator(5)
    for _ in range(300):
        text, answer = gen.impossible()
        assert answer == IMPOSSIBLE
        numbers = [int(n) for n in "".join(c if c.isdigit() else " " for c in text).split()]
        assert any(n > 28 for n in numbers)  # a day past the month's end or a month > 12


def test_ordinal_words():
    assert ordinal_words(1) == "first"
    assert ordinal_words(26) == "twenty-sixth"
    assert ordinal_words(30) == "thirtieth"
    assert ordinal_words(31) == "thirty-first"


def test_encoding_pads_and_marks_unknown_characters():
    ids = string_to_int("9 may", 10, human_vocab)
    assert len(ids) == 10 and ids[5:] == [human_vocab["<pad>"]] * 5
    assert string_to_int("é€", 2, human_vocab) == [human_vocab["<unk>"]] * 2
    assert normalize_text("Élan 9 MAI") == "elan 9 mai"


def test_preprocess_data_shapes_and_teacher_forcing():
    X, Y_in, Y_out = preprocess_data([("9 may 1998", "1998-05-09"), ("hello", "?")])
    assert X.shape == (2, Tx) and Y_in.shape == Y_out.shape == (2, Ty)
    assert Y_in[0, 0] == machine_vocab[START]
    assert (Y_in[0, 1:] == Y_out[0, :-1]).all()  # decoder input = target shifted right
    assert Y_out[0, 10] == machine_vocab[END]
    assert list(Y_out[1, :2]) == [machine_vocab[NOT_A_DATE], machine_vocab[END]]
    assert (Y_out[1, 2:] == 0).all()


def test_load_dataset_returns_vocabularies():
    dataset, hv, mv, inv = load_dataset(10, seed=1)
    assert len(dataset) == 10 and hv is human_vocab and mv is machine_vocab
    assert all(inv[i] == t for t, i in mv.items())
