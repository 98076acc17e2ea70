"""AppTest renders the live page (it cannot run WebRTC: the browser test in tests/e2e does)."""
import pytest

from tests.app.apptest import figures, open_page

TIMEOUT = 180


@pytest.fixture(autouse=True)
def no_live_session_lookup(monkeypatch):
    """AppTest's Runtime is a mock in which streamlit-webrtc cannot look its session up; make
    that lookup answer "no live session", as it does outside a running server."""
    import streamlit_webrtc.session_info as session_info

    def no_session():
        raise session_info.NoSessionError("AppTest")

    monkeypatch.setattr(session_info, "get_session_id", no_session)


def test_page_renders_its_instructions_and_controls():
    at = open_page("trigger_live", TIMEOUT)
    text = " ".join(m.value for m in at.markdown) + " ".join(c.value for c in at.caption)
    assert "START" in text and "activate" in text
    assert "HTTPS" in text and "permission" in text  # what to do without a microphone
    assert at.slider(key="live_threshold_embedding_spotter").value > 0
    assert "not listening" in at.get("progress")[0].proto.text
    assert "none yet" in text
    curve = figures(at)[0]
    assert any(shape["y0"] == shape["y1"] for shape in curve["layout"]["shapes"])  # the threshold line


def test_threshold_reaches_the_session():
    at = open_page("trigger_live", TIMEOUT)
    at.slider(key="live_threshold_embedding_spotter").set_value(0.8).run()
    assert not at.exception
    assert at.session_state["live_session"].threshold == 0.8
    assert not at.session_state["live_session"].running  # nothing listens until START


def test_choosing_the_course_model_gives_the_session_its_detector_and_chime_rule():
    at = open_page("trigger_live", TIMEOUT)
    spotter_session = at.session_state["live_session"]
    assert spotter_session.detector.kind == "embedding_spotter" and spotter_session.refractory_steps == 138  # 1 s
    at.radio(key="live_detector").set_value("course").run()
    assert not at.exception
    session = at.session_state["live_session"]
    from core.trigger.detect import TriggerDetector

    assert session is not spotter_session and type(session.detector) is TriggerDetector
    assert session.refractory_steps == 75  # the course's rule
    assert at.slider(key="live_threshold_course").value == session.threshold
