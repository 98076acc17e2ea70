"""AppTest for the live-training page: start a tiny run, wait for it, replay its attention."""
import json
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core import jobs
from core.dates import live_training as live

PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "watch_learning.py")
TINY = next(name for name in live.PRESETS if name.startswith("tiny"))
TIMEOUT = 180


@pytest.fixture
def page():
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT)
    at.run()
    assert not at.exception
    yield at
    job = at.session_state["watch_job"] if "watch_job" in at.session_state else None
    if job is not None:  # never leave a run holding the shared slot
        job.stop()
        job.join(60)


def wait_until_finished(at, timeout=240):
    deadline = time.monotonic() + timeout
    while not at.session_state["watch_job"].finished:
        assert time.monotonic() < deadline, "the tiny run did not finish"
        time.sleep(1)
        at.run()
        assert not at.exception
    at.run()  # the full run after the end draws the replay
    assert not at.exception


def test_page_starts_idle_with_the_course_example(page):
    assert page.text_input(key="watch_text").value == "tuesday 09 oct 1993"
    assert page.selectbox(key="watch_preset").value == live.DEFAULT_PRESET
    assert "Start training" in page.info[0].value
    assert page.button(key="watch_stop").disabled


def test_a_tiny_run_draws_curves_and_a_replay_slider(page):
    page.selectbox(key="watch_preset").select(TINY).run()
    page.button(key="watch_start").click().run()
    assert not page.exception
    job = page.session_state["watch_job"]
    assert job.settings.pairs == live.PRESETS[TINY].pairs
    wait_until_finished(page)
    assert job.view().state == "done"
    assert page.success and "Done" in page.success[0].value
    charts = [json.loads(c.proto.spec) for c in page.get("plotly_chart")]
    kinds = [[trace["type"] for trace in c["data"]] for c in charts]
    assert any("scatter" in k for k in kinds) and any(k == ["heatmap"] for k in kinds)
    replay = page.slider(key=f"watch_replay_{id(job)}")
    assert (replay.min, replay.max, replay.value) == (0, job.settings.epochs, job.settings.epochs)
    replay.set_value(0).run()
    assert not page.exception
    assert "before training" in page.markdown[-1].value or any(
        "before training" in m.value for m in page.markdown)
    heat = next(c for c in (json.loads(c.proto.spec) for c in page.get("plotly_chart"))
                if c["data"][0]["type"] == "heatmap")
    assert len(heat["data"][0]["z"][0]) == len("tuesday 09 oct 1993")


def test_stop_button_stops_a_run(page):
    page.selectbox(key="watch_preset").select(TINY).run()
    page.slider[0].set_value(30).run()  # epochs
    page.button(key="watch_start").click().run()
    job = page.session_state["watch_job"]
    assert job.settings.epochs == 30
    page.button(key="watch_stop").click().run()
    assert not page.exception
    job.join(120)
    wait_until_finished(page)
    assert job.view().state == "stopped"
    assert "stopped by you" in page.warning[0].value


@pytest.mark.parametrize("text, message", [("", "Type a date"), ("x" * 60, "at most")])
def test_bad_input_gets_a_warning_and_no_start(page, text, message):
    page.text_input(key="watch_text").input(text).run()
    assert not page.exception
    assert message in page.warning[0].value
    assert page.button(key="watch_start").disabled


def test_a_queued_run_says_how_many_are_ahead(page, monkeypatch):
    queue = jobs.JobQueue(slots=1)
    monkeypatch.setattr(jobs, "QUEUE", queue)
    blocker = live.TrainingJob(live.PRESETS[TINY], queue=queue, idle_timeout=None)
    queue._running.append(blocker)  # a slot taken by someone else's run
    try:
        page.selectbox(key="watch_preset").select(TINY).run()
        page.button(key="watch_start").click().run()
        time.sleep(0.5)
        page.run()
        assert not page.exception
        assert any("1 job ahead of you" in i.value for i in page.info)
    finally:
        queue.release(blocker)
    wait_until_finished(page)
    assert page.session_state["watch_job"].view().state == "done"
