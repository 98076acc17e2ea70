"""Attention Lab: the router. Each page lives in pages/; models load once in ui/loaders.py."""
import streamlit as st

from ui import loaders

loaders.keep_keras_between_reruns()

st.set_page_config(page_title="Attention Lab", page_icon="🔎", layout="wide")

PAGES = {
    "Attention Lab": [
        st.Page("pages/home.py", title="Home", icon="🏠", default=True),
    ],
    "Sequence to sequence": [
        st.Page("pages/date_translation.py", title="Date translation", icon="📅"),
        st.Page("pages/beam_search.py", title="Beam search", icon="🌳"),
        st.Page("pages/bleu.py", title="BLEU score", icon="📏"),
        st.Page("pages/watch_learning.py", title="Watch attention learn", icon="🎬"),
    ],
    "Speech": [
        st.Page("pages/trigger_data.py", title="Trigger word: training data", icon="🎛️"),
        st.Page("pages/trigger_detect.py", title="Trigger word: detect", icon="🔔"),
        st.Page("pages/trigger_live.py", title="Trigger word: live", icon="🎙️"),
        st.Page("pages/teach_voice.py", title="Trigger word: teach your voice", icon="🗣️"),
        st.Page("pages/ctc.py", title="CTC", icon="🔤"),
    ],
}

st.navigation(PAGES).run()
