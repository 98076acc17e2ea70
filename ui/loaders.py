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
    "embedding_spotter": "Embedding spotter (hears people best; the default)",
    "spotter": "Spotter (log-mel windows)",
    "course": "The course's model (Conv1D → GRU → GRU)",
}


@st.cache_resource(show_spinner="Loading the trigger-word detector…")
def trigger_detector(kind: str = "course"):
    """A trained trigger-word detector, warmed up on 10 s of silence (and, for the spotter, on the
    few windows a live hop runs): "course" is the course's
    model (core.trigger.model), "spotter" the log-mel detector built to hear people (core.trigger.spotter),
    "embedding_spotter" its question asked of a frozen speech embedding (core.trigger.embedding_spotter)."""
    import numpy as np

    from core.trigger.detect import CLIP_SAMPLES, TriggerDetector

    if kind == "spotter":
        from core.trigger.spotter import SpotterDetector

        detector = SpotterDetector.load()
    elif kind == "embedding_spotter":
        from core.trigger.embedding_spotter import EmbeddingSpotterDetector

        detector = EmbeddingSpotterDetector.load()
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
    """A choice of detector (the embedding spotter first) and the chosen one, loaded; (kind, detector)."""
    kind = st.radio("Detector", list(DETECTORS), format_func=DETECTORS.get, horizontal=True, key=key,
                    help="Both spotters learned from synthesized voices (neural and classic TTS, heavy "
                         "augmentation) to hear real people: the embedding spotter hears 2 s as a frozen "
                         "speech embedding learned by Google from real speech, the spotter as log-mel bands. "
                         "The course's model is the one the course builds, trained here on synthesized voices.")
    return kind, trigger_detector_or_stop(kind)
