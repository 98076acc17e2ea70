"""Home: what the lab teaches, and a link to every room."""
import streamlit as st

st.title("🔎 Attention Lab")
st.markdown(
    """
A hands-on lab for **sequence models and attention** (week 3 of *Sequence Models*, the fifth
course of the Deep Learning Specialization). Everything runs on this computer: the models
were trained by the lab's own scripts and nothing is downloaded.
"""
)

st.subheader("Sequence to sequence")
st.page_link("pages/date_translation.py", label="Date translation", icon="📅",
             help="Type a date any way you like; watch an attention model write it as ISO 8601.")
st.caption("A Bi-LSTM encoder, `one_step_attention` and a post-attention LSTM turn "
           "“tuesday 09 oct 1993” into 1993-10-09, with a live attention heatmap.")
st.page_link("pages/beam_search.py", label="Beam search", icon="🌳",
             help="Step through beam search on the same model; do the course's error analysis.")
st.caption("Candidates, log-probabilities, length normalisation (α), pruning, and who is to "
           "blame for a wrong answer: the beam or the model.")
st.page_link("pages/bleu.py", label="BLEU score", icon="📏",
             help="Modified n-gram precision, brevity penalty and BLEU, piece by piece.")
st.caption("The course's “the the the the the the the” example and your own sentences.")
st.page_link("pages/watch_learning.py", label="Watch attention learn", icon="🎬",
             help="Train a small date translator from scratch and replay its attention epoch by epoch.")
st.caption("A few minutes on a laptop CPU: attention goes from a blur to a sharp alignment.")

st.subheader("Speech")
st.page_link("pages/trigger_data.py", label="Trigger word: training data", icon="🎛️",
             help="Build training examples as the course does: backgrounds, activates, negatives, labels.")
st.caption("`insert_audio_clip`, `insert_ones` and `create_training_example`, heard and seen.")
st.page_link("pages/trigger_detect.py", label="Trigger word: detect", icon="🔔",
             help="Upload, record or pick a clip; see the probability curve and hear the chime.")
st.caption("The course's Conv1D + GRU model, trained by the lab on synthesized voices, and `chime_on_activate`.")
st.page_link("pages/ctc.py", label="CTC", icon="🔤",
             help="The collapse rule, alignments, the CTC loss and decoding.")
st.caption("Why “ttt_h_eee___ ___qqq__” means “the q”, and how many alignments a word has.")

st.divider()
st.markdown(
    """
**How to use it in class.** Each page reads top to bottom: an explanation, something to
type or move, and the numbers behind what you see. Hover over any chart for exact values.
"""
)
