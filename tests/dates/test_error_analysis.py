"""The course's error analysis, on a tiny fake translator whose probabilities we choose."""
import numpy as np
import pytest

from core.dates.data import END, START, machine_vocab
from core.dates.decode import DateInputError, DateTranslator, beam_translate, tokens_to_answer
from core.dates.error_analysis import BEAM_SEARCH, CORRECT, MODEL, analyse, parse_pairs, summary

V = len(machine_vocab)
TRUE_ANSWER = "1999-01-01"


def next_distribution(prefix: tuple[str, ...]) -> np.ndarray:
    """First '?' (0.55) or '1' (0.45); after '?' the end only half the time; after '1'
    the rest of 1999-01-01 almost surely. So greedy says '?' (P = 0.275) although the
    model prefers 1999-01-01 (P ≈ 0.45): a beam-search error for B = 1."""
    p = np.full(V, 1e-6)
    if not prefix:
        p[machine_vocab["?"]], p[machine_vocab["1"]] = 0.55, 0.45
    elif prefix == ("?",):
        p[:] = 0.5 / (V - 1)
        p[machine_vocab[END]] = 0.5
    elif prefix[0] == "1" and len(prefix) < len(TRUE_ANSWER):
        p[machine_vocab[TRUE_ANSWER[len(prefix)]]] = 1.0
    else:
        p[machine_vocab[END]] = 1.0
    return p / p.sum()


class FakeTranslator(DateTranslator):
    """DateTranslator's real score/beam code over a table instead of a network."""

    def __init__(self):
        self.inv = {i: t for t, i in machine_vocab.items()}

    def encode(self, texts, order="auto"):
        return np.zeros((len(texts), 0), dtype=object)

    def step(self, state, prev_ids):
        prefixes = [tuple(p) + ((self.inv[int(t)],) if self.inv[int(t)] != START else ())
                    for p, t in zip(state, prev_ids)]
        probs = np.array([next_distribution(p) for p in prefixes])
        new_state = np.empty((len(prefixes),), dtype=object)
        new_state[:] = prefixes
        return probs, np.zeros((len(prefixes), 1)), new_state


@pytest.fixture
def fake():
    return FakeTranslator()


def test_score_is_the_sum_of_step_log_probabilities(fake):
    total, steps = fake.score("anything", TRUE_ANSWER)
    assert len(steps) == len(TRUE_ANSWER) + 1  # the end symbol is scored too
    assert total == pytest.approx(sum(steps))
    assert total == pytest.approx(np.log(0.45), abs=1e-3)


def test_greedy_misses_what_a_wider_beam_finds(fake):
    assert tokens_to_answer(beam_translate(fake, "x", 1).best.tokens) == "?"
    assert tokens_to_answer(beam_translate(fake, "x", 2).best.tokens) == TRUE_ANSWER


def test_blames_beam_search_when_the_model_prefers_y_star(fake):
    case = analyse(fake, "x", TRUE_ANSWER, beam_width=1)
    assert case.got == "?" and case.verdict == BEAM_SEARCH
    assert case.log_p_expected > case.log_p_got


def test_blames_the_model_when_it_prefers_the_wrong_answer(fake):
    case = analyse(fake, "x", "2000-01-01", beam_width=2)
    assert case.verdict == MODEL and case.log_p_expected < case.log_p_got


def test_correct_when_the_beam_finds_y_star(fake):
    assert analyse(fake, "x", TRUE_ANSWER, beam_width=2).verdict == CORRECT


def test_summary_shares():
    cases = [analyse(FakeTranslator(), "x", y, beam_width=1) for y in (TRUE_ANSWER, "2000-01-01", "?")]
    stats = summary(cases)
    assert (stats["errors"], stats["beam_search"], stats["model"]) == (2, 1, 1)
    assert stats["beam_search_share"] == 0.5


def test_unwritable_answers_are_refused(fake):
    with pytest.raises(DateInputError):
        fake.score("x", "9 may 1998")


def test_parse_pairs_reads_csv_and_tsv_and_skips_a_header():
    assert parse_pairs(b"input,expected\n\"may 9, 1998\",1998-05-09\nhello,?\n") == [
        ("may 9, 1998", "1998-05-09"), ("hello", "?")]
    assert parse_pairs("4/28/90\t1990-04-28\n".encode()) == [("4/28/90", "1990-04-28")]


@pytest.mark.parametrize("raw, message", [
    (b"", "empty"), (b"\xff\xfe\x00bad", "UTF-8"), (b"one column only\n", "two columns"),
    (b"input,expected\n", "no rows"),
])
def test_parse_pairs_explains_bad_files(raw, message):
    with pytest.raises(DateInputError, match=message):
        parse_pairs(raw)
