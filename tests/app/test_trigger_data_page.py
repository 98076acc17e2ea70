"""AppTest drives the trigger-word data page: press, see and hear an example."""
import json

import numpy as np
from streamlit.testing.v1 import AppTest

from tests.app.apptest import values

TIMEOUT = 120


def test_page_makes_an_example_on_request():
    at = AppTest.from_file("../../pages/trigger_data.py", default_timeout=TIMEOUT)
    at.run()
    assert not at.exception
    assert not at.get("plotly_chart") and at.info  # nothing until the button is pressed
    at.slider[0].set_value(3)
    at.slider[1].set_value(1)
    at.button[0].click().run()
    assert not at.exception
    assert len(at.get("audio")) == 1
    figures = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    assert len(figures) == 3  # timeline, labels, spectrogram
    timeline, labels, spectrogram = figures
    kinds = [trace["y"][0] for trace in timeline["data"]]
    assert kinds.count("negative") <= 1 and 1 <= kinds.count("activate") <= 3
    y = values(labels["data"][0]["y"])
    assert len(y) == 1375 and 0 < y.sum() <= 50 * kinds.count("activate")
    assert spectrogram["data"][0]["type"] == "heatmap"
    first_seed = at.number_input[0].value
    at.button[0].click().run()  # a second press moves on to the next seed
    assert not at.exception and at.number_input[0].value == first_seed + 1


def test_page_with_augmentation_and_no_clips():
    at = AppTest.from_file("../../pages/trigger_data.py", default_timeout=TIMEOUT)
    at.run()
    at.slider[0].set_value(0)
    at.slider[1].set_value(0)
    at.toggle[0].set_value(True)
    at.button[0].click().run()
    assert not at.exception
    labels = json.loads(at.get("plotly_chart")[1].proto.spec)["data"][0]
    assert len(at.get("audio")) == 1 and labels["type"] == "scatter"
