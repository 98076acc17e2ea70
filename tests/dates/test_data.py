"""The pair generator, the conventions it follows and the encoding."""
import datetime as dt
from collections import Counter

import numpy as np
import pytest

from core.dates.data import (END, FAMILIES, IMPOSSIBLE, NOT_A_DATE, START, Tx, Ty, DateGenerator,
                             human_vocab, load_dataset, machine_vocab, normalize_text,
                             ordinal_words, preprocess_data, string_to_int)


@pytest.fixture(scope="module")
def pairs():
    return DateGenerator(seed=11).dataset(5000)


def test_every_family_appears_and_fits_in_tx(pairs):
    families = Counter(f for _, _, f in pairs)
    assert set(families) == set(FAMILIES)
    assert all(len(normalize_text(t)) <= Tx for t, _, _ in pairs)


def test_answers_are_real_iso_dates_or_a_no_date_symbol(pairs):
    for text, answer, family in pairs:
        if family == "not_a_date":
            assert answer == NOT_A_DATE
        elif family == "impossible":
            assert answer == IMPOSSIBLE
        else:
            assert dt.date.fromisoformat(answer).isoformat() == answer, (text, answer)


def test_same_seed_same_pairs():
    assert DateGenerator(3).dataset(300) == DateGenerator(3).dataset(300)
    assert DateGenerator(3).dataset(300) != DateGenerator(4).dataset(300)


def test_numeric_conventions():
    gen = DateGenerator(0)
    date = dt.date(2020, 3, 4)
    for _ in range(50):
        us = gen.numeric_text(date, "/").split("/")
        eu = gen.numeric_text(date, ".").split(".")
        assert int(us[0]) == 3 and int(us[1]) == 4  # month first
        assert int(eu[0]) == 4 and int(eu[1]) == 3  # day first
    assert gen.numeric_text(date, "") == "20200304"


def test_course_formats_use_the_calendar_year():
    # babel's YYY (the course's) is the week-based year: 2018-12-31 would read 2019
    gen = DateGenerator(0)
    for _ in range(500):
        text, date = gen.course()
        assert str(date.year)[-2:] in text


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
