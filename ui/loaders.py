"""Cached loaders: every page gets its models from here, so a model is loaded (and warmed up)
once per process, never once per rerun.
"""
from __future__ import annotations

import streamlit as st


def keep_keras_between_reruns() -> None:
    """Stop Streamlit from calling keras.backend.clear_session() after every rerun.

    Streamlit's script runner "cleans problem modules" at the end of each run, which for
    Keras means clear_session(): compiled tf.functions are thrown away and every keystroke
    pays the compile again (~0.5 s). The hook is a private name, so we guard it and a test
    checks that it still exists.
    """
    try:
        from streamlit.runtime.scriptrunner import script_runner
    except ImportError:  # pragma: no cover - Streamlit moved things around
        return
    if hasattr(script_runner, "_clean_problem_modules"):
        script_runner._clean_problem_modules = lambda: None


@st.cache_resource(show_spinner="Loading the date translator…")
def date_translator():
    """The trained date translator (core.dates), warmed up."""
    from core.dates.decode import DateTranslator

    translator = DateTranslator.load()
    translator.translate("9 may 1998")  # compile the step once, here
    return translator


@st.cache_resource(show_spinner="Loading the voice bank…")
def trigger_bank():
    """The small voice bank bundled in assets/trigger/ (clips, backgrounds, chime)."""
    from core.trigger.voicebank.bank import load_bundled_bank

    return load_bundled_bank()


DETECTORS = {  # kind → what the pages call it
    "spotter": "Spotter (built to hear people; the default)",
    "course": "The course's model (Conv1D → GRU → GRU)",
}


@st.cache_resource(show_spinner="Loading the trigger-word detector…")
def trigger_detector(kind: str = "course"):
    """A trained trigger-word detector, warmed up on 10 s of silence (and, for the spotter, on the
    few windows a live hop runs): "course" is the course's
    model (core.trigger.model), "spotter" the detector built to hear people (core.trigger.spotter)."""
    import numpy as np

    from core.trigger.detect import CLIP_SAMPLES, TriggerDetector

    if kind == "spotter":
        from core.trigger.spotter import SpotterDetector

        detector = SpotterDetector.load()
    else:
        detector = TriggerDetector.load()
    detector.clip_probabilities(np.zeros(CLIP_SAMPLES, dtype=np.float32))
    if detector.context_seconds is not None:  # the live stream's short slices: their small batch too
        detector.probabilities(np.zeros(CLIP_SAMPLES, dtype=np.float32), from_step=1370)
    return detector


def trigger_detector_or_stop(kind: str = "course"):
    """The trained trigger-word detector; without one, a plain error on the page, which ends there."""
    try:
        return trigger_detector(kind)
    except FileNotFoundError as err:
        st.error(f"The trained model is missing: {err}")
        st.stop()


def choose_trigger_detector(key: str):
    """A choice of detector (the spotter first) and the chosen one, loaded; (kind, detector)."""
    kind = st.radio("Detector", list(DETECTORS), format_func=DETECTORS.get, horizontal=True, key=key,
                    help="The spotter was trained to hear real people (log-mel windows, neural TTS voices, heavy "
                         "augmentation); the course's model is the one the course builds, trained here on "
                         "synthesized voices.")
    return kind, trigger_detector_or_stop(kind)
