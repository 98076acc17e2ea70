"""AppTest drives the router, the home page, the date page and the beam search page."""
import json
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.apptest import values

TIMEOUT = 180  # loading TensorFlow and the model


@pytest.fixture
def app():
    at = AppTest.from_file("../../app.py", default_timeout=TIMEOUT)
    at.run()
    assert not at.exception
    return at


def test_streamlit_keeps_the_hook_we_turn_off():
    """loaders.keep_keras_between_reruns replaces this private function: it must still exist."""
    from streamlit.runtime.scriptrunner import script_runner

    assert callable(script_runner._clean_problem_modules)


def test_home_links_every_page(app):
    labels = {link.proto.label for link in app.get("page_link")}
    routed = set(re.findall(r'st\.Page\([^)]*title="([^"]+)"', Path("app.py").read_text())) - {"Home"}
    assert len(routed) >= 9 and labels == routed


def heatmap(at):
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    return spec["data"][0]


def test_date_page_translates_and_draws_attention(app):
    app.switch_page("pages/date_translation.py").run()
    assert not app.exception
    assert app.success[0].value.endswith("1993-10-09")
    trace = heatmap(app)
    assert trace["type"] == "heatmap"
    assert values(trace["z"]).shape == (11, len("tuesday 09 oct 1993"))
    app.text_input(key="date_text").input("4/28/90").run()
    assert app.success[0].value.endswith("1990-04-28")
    assert values(heatmap(app)["z"]).shape[1] == len("4/28/90")


def test_date_page_reading_order_and_both_readings(app):
    app.switch_page("pages/date_translation.py").run()
    app.text_input(key="date_text").input("04/07/2019").run()
    assert app.success[0].value.endswith("2019-04-07")  # auto: / reads month first
    app.radio(key="date_order").set_value("dmy").run()
    assert not app.exception
    assert app.success[0].value.endswith("2019-07-04")
    ambiguous = app.info[0].value
    assert "Ambiguous" in ambiguous and "2019-04-07" in ambiguous and "2019-07-04" in ambiguous
    app.text_input(key="date_text").input("28/02/2019").run()
    assert app.success[0].value.endswith("2019-02-28") and not app.info  # only one reading


def test_date_page_long_text_is_read_in_windows(app):
    app.switch_page("pages/date_translation.py").run()
    text = "minutes of the meeting held by the board of the association on 9 may 1998 in the hall"
    app.text_input(key="date_text").input(text).run()
    assert not app.exception
    assert app.success[0].value.endswith("1998-05-09")
    assert any("windows" in c.value for c in app.caption)


def test_date_page_gallery_and_no_date_answers(app):
    app.switch_page("pages/date_translation.py").run()
    gallery = {b.label: b for b in app.button}
    gallery["February 30, 2021"].click().run()
    assert "Impossible date" in app.warning[0].value
    app.text_input(key="date_text").input("hello world").run()
    assert "Not a date" in app.warning[0].value


@pytest.mark.parametrize("text, message", [("", "Type a date"), ("   ", "Type a date"),
                                           ("1" * 10_000, "10,000 characters")])
def test_date_page_bad_input_gets_a_message(app, text, message):
    app.switch_page("pages/date_translation.py").run()
    app.text_input(key="date_text").input(text).run()
    assert not app.exception
    assert message in app.info[0].value


@pytest.mark.parametrize("text", ["😀 9 may 1998", "<b>x</b>; DROP TABLE"])
def test_date_page_odd_text(app, text):
    app.switch_page("pages/date_translation.py").run()
    app.text_input(key="date_text").input(text).run()
    assert not app.exception


def test_beam_page_steps_and_error_analysis(app):
    app.switch_page("pages/beam_search.py").run()
    assert not app.exception
    assert app.metric[0].label.startswith("Greedy") and app.metric[1].label.startswith("Beam")
    # move the step slider to the last output position: some candidates have finished
    step = app.slider[2]
    step.set_value(step.max).run()
    assert not app.exception
    first = app.dataframe[0].value
    assert set(first["status"]) <= {"kept", "pruned", "finished ⏹"}
    assert (first["status"] == "kept").sum() + (first["status"] == "finished ⏹").sum() <= 3
    # error analysis: the default 03/04/2020 with y* = 2020-04-03 (day first) is the model's fault
    texts = [e.value for e in app.error] + [s.value for s in app.success]
    assert any("model (RNN) is at fault" in t for t in texts)


def test_beam_page_batch_mode(app):
    app.switch_page("pages/beam_search.py").run()
    app.slider[3].set_value(50).run() if len(app.slider) > 3 else None
    run = [b for b in app.button if b.label == "Run the analysis"][0]
    run.click().run()
    assert not app.exception
    assert app.metric[2].label == "Errors"
    assert "/ " in app.metric[2].value


def test_beam_page_default_shows_alpha_changing_the_winner(app):
    """On "feb 30 2019" the short "!" wins at α = 0 and the not-a-date "2019-02-30" at α = 1."""
    app.switch_page("pages/beam_search.py").run()
    assert not app.exception
    winners = next(df.value for df in app.dataframe if "winner" in df.value.columns)
    by_alpha = dict(zip(winners["α"], winners["winner"]))
    assert by_alpha[0.0] == "!⏹" and by_alpha[1.0] == "2019-02-30⏹"
