"""AppTest drives the CTC page: the collapse steps, alignment counts, the loss, decoding and bad input."""
import math

import numpy as np
import pytest

from core.ctc import Alphabet, ctc_loss, enumerate_alignments, random_probs
from tests.app.apptest import open_page

TIMEOUT = 120
MANY_PATHS = "many paths beat one (greedy ≠ beam)"


@pytest.fixture
def page():
    return open_page("ctc", TIMEOUT)


def metrics(at):
    """Label → value; labels that repeat ("output") map to the list of their values."""
    shown = {}
    for m in at.metric:
        shown.setdefault(m.label, []).append(m.value)
    return {label: values[0] if len(values) == 1 else values for label, values in shown.items()}


def markdown(at):
    return "\n".join(m.value for m in at.markdown)


def messages(at, kind):
    return [element.value for element in getattr(at, kind)]


def table(at, column):
    """The dataframe that has this column."""
    return next(df.value for df in at.dataframe if column in df.value.columns)


def rerun(at):
    at.run()
    assert not at.exception
    return at


def test_opens_on_the_course_example(page):
    shown = metrics(page)
    assert shown["Transcript"] == "“the q”"
    assert "`t_h_e_␣_q_`" in markdown(page)  # after merging repeats
    assert "`the␣q`" in markdown(page)  # after dropping blanks
    runs = next(df.value for df in page.dataframe if "steps" in df.value.index)
    assert list(runs.loc["steps"]) == ["3", "1", "1", "1", "3", "3", "1", "3", "3", "2"]
    assert shown["Alignments with T = 5"] == "28"
    assert shown["Steps needed at least"] == "3"
    assert not page.error and not page.warning


@pytest.mark.parametrize("frames, transcript", [
    ("aa_a", "“aa”"), ("____", "“”"), ("hh_ee_lll_ll_oo", "“hello”"), ("a  a", "“a a”"),
])
def test_typing_frames_shows_their_transcript(page, frames, transcript):
    page.text_input(key="ctc_frames").input(frames)
    rerun(page)
    assert metrics(page)["Transcript"] == transcript
    assert not page.error and not page.warning


def test_another_blank_symbol(page):
    page.text_input(key="ctc_frames").input("aa-a__")
    page.text_input(key="ctc_blank").input("-")
    rerun(page)
    assert metrics(page)["Transcript"] == "“aa_”"  # runs aa - a __ → a-a_ → aa_


def test_empty_and_overlong_frames_are_refused_clearly(page):
    page.text_input(key="ctc_frames").input("")
    rerun(page)
    assert any("empty" in w for w in messages(page, "warning"))
    assert "Transcript" not in metrics(page)
    page.text_input(key="ctc_frames").input("a_" * 3_000)
    rerun(page)
    assert any("at most 5,000" in e for e in messages(page, "error"))
    page.text_input(key="ctc_frames").input("abc")
    page.text_input(key="ctc_blank").input("")
    rerun(page)
    assert any("blank" in e for e in messages(page, "error"))
    assert metrics(page)["Alignments with T = 5"] == "28"  # the other sections still work


def test_alignment_counts_follow_target_and_steps(page):
    page.text_input(key="ctc_align_target").input("hello")
    page.slider(key="ctc_align_steps").set_value(8)
    rerun(page)
    assert metrics(page)["Alignments with T = 8"] == f"{math.comb(8 + 5 - 1, 10):,}"  # 66
    listed = page.dataframe[0 + 1].value  # after the runs table: the first alignments, then a random sample
    assert listed["alignment"].tolist() == enumerate_alignments("hello", 8)[:20]
    assert len(listed) == 20 and set(listed["collapses to"]) == {"hello"}
    assert all("l_" in a for a in listed["alignment"])  # the double l needs a blank between
    page.slider(key="ctc_align_steps").set_value(40)
    rerun(page)
    assert any("too many to list" in i for i in messages(page, "info"))
    sample = table(page, "collapses to")  # the only alignment table now
    assert len(sample) == 20 and set(sample["collapses to"]) == {"hello"}
    assert all(len(a) == 40 for a in sample["alignment"])


@pytest.mark.parametrize("target, steps, message", [
    ("hello", 5, "needs at least 6 steps (5 symbols + 1 blank"),
    ("cat", 2, "needs at least 3 steps"),
    ("c_t", 5, "is the blank"),
    ("x" * 41, 60, "at most 40"),
])
def test_targets_that_cannot_fit_get_an_error(page, target, steps, message):
    page.text_input(key="ctc_align_target").input(target)
    page.slider(key="ctc_align_steps").set_value(steps)
    rerun(page)
    assert any(message in e for e in messages(page, "error"))
    assert not any(label.startswith("Alignments with") for label in metrics(page))


def test_loss_matches_the_core_and_the_brute_force_check(page):
    probs = random_probs(8, 4, seed=0, sharpness=1.5)  # the page's default matrix
    expected = ctc_loss(probs, Alphabet("cat").encode("cat"))
    assert metrics(page)["CTC loss −log P"] == f"{expected:.4f}"
    assert any(f"−log P = {expected:.6f}" in c.value for c in page.caption)


@pytest.mark.parametrize("source", ["random (seeded)", "peaked around a word", MANY_PATHS])
def test_moving_the_blank_last_only_moves_its_column(page, source):
    page.radio(key="ctc_source").set_value(source)
    rerun(page)
    first, first_matrix = metrics(page), table(page, "_")
    page.radio(key="ctc_blank_position").set_value("last (index C − 1, older TensorFlow)")
    rerun(page)
    last, last_matrix = metrics(page), table(page, "_")
    assert list(first_matrix.columns) == ["_", "c", "a", "t"]
    assert list(last_matrix.columns) == ["c", "a", "t", "_"]
    assert last_matrix[list(first_matrix.columns)].equals(first_matrix)
    for label in ("CTC loss −log P", "P(“cat” | x)", "output"):
        assert first[label] == last[label]


def test_the_many_paths_preset_shows_greedy_and_beam_disagreeing(page):
    page.radio(key="ctc_source").set_value(MANY_PATHS)
    rerun(page)
    greedy_output, beam_output = metrics(page)["output"]
    assert greedy_output == "“”"  # the blank is the most likely symbol at every step
    assert beam_output.startswith("“c") and beam_output != "“”"
    assert any("They disagree" in i for i in messages(page, "info"))
    beams = table(page, "exact log P")
    assert np.allclose(beams["log P in the beam"].iloc[0], beams["exact log P"].iloc[0], atol=0.5)
    page.slider(key="ctc_steps").set_value(1)  # one step: the best path is the best output
    page.text_input(key="ctc_target").input("c")
    rerun(page)
    assert any("agree" in s for s in messages(page, "success"))


def test_peaked_matrix_decodes_to_its_word(page):
    page.radio(key="ctc_source").set_value("peaked around a word")
    rerun(page)
    greedy_output, beam_output = metrics(page)["output"]
    assert greedy_output == beam_output == "“cat”"
    assert float(metrics(page)["CTC loss −log P"]) < 2.0  # P("cat") > 0.13, against 0.0007 for the random matrix


@pytest.mark.parametrize("field, value, message", [
    ("ctc_target", "dog", '"d", "o", "g" are not in the symbol set'),
    ("ctc_target", "catcatcat", "needs at least 9 steps"),
    ("ctc_target", "x" * 200, "at most 40"),
    ("ctc_letters", "caa", "only once"),
    ("ctc_letters", "c_t", "blank"),
    ("ctc_letters", "", "at least one letter"),
    ("ctc_letters", "abcdefghijklmn", "At most 12 letters"),
])
def test_bad_matrix_input_gets_an_error_and_no_traceback(page, field, value, message):
    page.text_input(key=field).input(value)
    rerun(page)
    assert any(message in e for e in messages(page, "error"))


def test_a_peaked_word_that_does_not_fit_is_refused(page):
    page.radio(key="ctc_source").set_value("peaked around a word")
    rerun(page)
    page.text_input(key="ctc_peak_word").input("cattt")
    page.slider(key="ctc_steps").set_value(6)
    rerun(page)
    assert any("Peaked word" in e and "needs at least 7 steps" in e for e in messages(page, "error"))
    page.text_input(key="ctc_peak_word").input("dog")
    rerun(page)
    assert any("not in the symbol set" in e for e in messages(page, "error"))


def test_an_empty_target_is_the_all_blank_path(page):
    page.text_input(key="ctc_target").input("")
    rerun(page)
    probs = random_probs(8, 4, seed=0, sharpness=1.5)
    assert metrics(page)["CTC loss −log P"] == f"{-np.log(probs[:, 0]).sum():.4f}"
    assert metrics(page)["alignments summed"] == "1"
    assert not page.error
