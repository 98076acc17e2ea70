"""AppTest drives the BLEU page: the course's numbers, presets, edits, smoothing and bad input."""
import math

import pytest

from tests.app.apptest import open_page

TIMEOUT = 60


@pytest.fixture
def page():
    return open_page("bleu", TIMEOUT)


def ngram_table(at, n):
    """The dataframe of the candidate's n-grams for order n, indexed by the n-gram."""
    tables = [df.value for df in at.dataframe if "Count_clip" in df.value.columns]
    table = next(t for t in tables if t["n-gram"].str.split().str.len().eq(n).all())
    return table.set_index("n-gram")


def metrics(at):
    return {m.label: m.value for m in at.metric}


def latex(at):
    return "\n".join(element.value for element in at.latex)


def enter(at, candidate=None, references=None):
    if candidate is not None:
        at.text_area(key="bleu_candidate").input(candidate)
    if references is not None:
        at.text_area(key="bleu_references").input(references)
    at.run()
    assert not at.exception
    return at


def test_opens_on_the_course_unigram_example(page):
    assert page.text_area(key="bleu_candidate").value == "the the the the the the the"
    unigrams = ngram_table(page, 1)
    assert list(unigrams.index) == ["the"]
    assert unigrams.loc["the", "Count"] == 7
    assert unigrams.loc["the", "Count_clip"] == 2
    assert unigrams.loc["the", "from"] == "ref 1"
    shown = metrics(page)
    assert shown["p1"] == "2/7"
    assert shown["BP"] == "1.0000"
    assert shown["BLEU-1"] == "0.2857"
    assert r"p_1 = \frac{2}{7} = 0.2857" in latex(page)
    assert not page.warning and not page.error


def test_second_course_example_gives_four_sixths(page):
    page.button(key="bleu_example_1").click().run()
    assert not page.exception
    assert page.text_area(key="bleu_candidate").value == "the cat the cat on the mat"
    assert page.slider(key="bleu_max_n").value == 2
    bigrams = ngram_table(page, 2)
    assert bigrams["Count"].to_dict() == {"the cat": 2, "cat the": 1, "cat on": 1, "on the": 1, "the mat": 1}
    assert bigrams["Count_clip"].to_dict() == {"the cat": 1, "cat the": 0, "cat on": 1, "on the": 1, "the mat": 1}
    assert bigrams.loc["cat the", "from"] == "—"
    assert bigrams.loc["cat on", "from"] == "ref 2"
    assert metrics(page)["p2"] == "4/6"
    page.button(key="bleu_example_0").click().run()
    assert metrics(page)["p1"] == "2/7"


def test_editing_the_text_areas_updates_everything(page):
    enter(page, candidate="there is a cat on the mat")
    page.slider(key="bleu_max_n").set_value(4).run()
    assert not page.exception
    shown = metrics(page)
    assert [shown[f"p{n}"] for n in range(1, 5)] == ["7/7", "6/6", "5/5", "4/4"]
    assert shown["BLEU-4"] == "1.0000"
    enter(page, references="a cat is on the mat")
    assert ngram_table(page, 1).loc["there", "Count_clip"] == 0
    assert "r = 6" in latex(page)  # c = 7 > r = 6: no penalty
    assert metrics(page)["BP"] == "1.0000"


def test_short_candidate_is_penalised(page):
    enter(page, candidate="the cat")
    assert metrics(page)["BP"] == f"{math.exp(1 - 6 / 2):.4f}"  # closest reference has 6 tokens


def test_add_one_smoothing_rescues_a_missing_n_gram(page):
    page.slider(key="bleu_max_n").set_value(4).run()
    assert metrics(page)["BLEU-4"] == "0.0000"
    assert page.info  # explains why a zero precision gives 0
    page.radio(key="bleu_smoothing").set_value("add-one").run()
    assert not page.exception
    assert float(metrics(page)["BLEU-4"]) > 0
    assert r"\frac{0 + 1}{6 + 1}" in latex(page)


def test_candidate_shorter_than_n_has_an_empty_table_not_an_error(page):
    page.slider(key="bleu_max_n").set_value(4).run()
    enter(page, candidate="cat")
    assert any("fewer than 2 tokens" in info.value for info in page.info)
    assert metrics(page)["p4"] == "0/0"


def test_non_ascii_and_emoji_are_tokens_like_any_other(page):
    enter(page, candidate="le chat 🐱 est là", references="le chat 🐱 est là\nder Kätzchen 🐱")
    unigrams = ngram_table(page, 1)
    assert unigrams.loc["🐱", "Count_clip"] == 1
    assert metrics(page)["BLEU-1"] == "1.0000"


@pytest.mark.parametrize("candidate, references, kind, words", [
    ("", None, "warning", "candidate is empty"),
    ("   \n\t ", None, "warning", "candidate is empty"),
    (None, "", "warning", "at least one reference"),
    (None, "  \n \n", "warning", "at least one reference"),
    ("the " * 2_500, None, "error", "at most 2,000"),
    (None, "the cat " * 1_100, "error", "at most 2,000"),
])
def test_bad_input_gets_a_message_not_a_traceback(page, candidate, references, kind, words):
    enter(page, candidate=candidate, references=references)
    messages = [m.value for m in getattr(page, kind)]
    assert any(words in m for m in messages), messages
    assert not [df for df in page.dataframe if "Count_clip" in df.value.columns]


def test_corpus_expander_sums_counts(page):
    shown = metrics(page)
    assert shown["corpus BLEU"] != shown["mean of sentence BLEUs"]
    corpus_orders = next(df.value for df in page.dataframe if "Σ Count" in df.value.columns)
    assert corpus_orders.loc[0, "Σ Count_clip"] == 2 + 5 + 3 and corpus_orders.loc[0, "Σ Count"] == 7 + 7 + 3
    page.text_area(key="bleu_corpus").input("the cat sat ||| the cat sat\nno separator here\n|||").run()
    assert not page.exception
    assert any("2, 3" in w.value for w in page.warning)
    assert metrics(page)["corpus BLEU"] == "1.0000"
