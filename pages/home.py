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

# (page file, label, icon, hover help, caption), by section
ROOMS = {
    "Sequence to sequence": [
        ("pages/date_translation.py", "Date translation", "📅",
         "Type a date any way you like; watch an attention model write it as ISO 8601.",
         "A Bi-LSTM encoder, `one_step_attention` and a post-attention LSTM turn "
         "“tuesday 09 oct 1993” into 1993-10-09, with a live attention heatmap."),
        ("pages/beam_search.py", "Beam search", "🌳",
         "Step through beam search on the same model; do the course's error analysis.",
         "Candidates, log-probabilities, length normalisation (α), pruning, and who is to "
         "blame for a wrong answer: the beam or the model."),
        ("pages/bleu.py", "BLEU score", "📏",
         "Modified n-gram precision, brevity penalty and BLEU, piece by piece.",
         "The course's “the the the the the the the” example and your own sentences."),
        ("pages/watch_learning.py", "Watch attention learn", "🎬",
         "Train a small date translator from scratch and replay its attention epoch by epoch.",
         "A few minutes on a laptop CPU: attention goes from a blur to a sharp alignment."),
    ],
    "Speech": [
        ("pages/trigger_data.py", "Trigger word: training data", "🎛️",
         "Build training examples as the course does: backgrounds, activates, negatives, labels.",
         "`insert_audio_clip`, `insert_ones` and `create_training_example`, heard and seen."),
        ("pages/trigger_detect.py", "Trigger word: detect", "🔔",
         "Upload, record or pick a clip; see the probability curve and hear the chime.",
         "The embedding spotter (a frozen speech embedding and a small head, built to hear people), the "
         "log-mel spotter and the course's Conv1D + GRU model; `chime_on_activate`."),
        ("pages/trigger_live.py", "Trigger word: live", "🎙️",
         "Say “activate” into your microphone and hear the chime as you speak.",
         "Any of the three detectors on a live stream: a rolling probability curve, one chime per word."),
        ("pages/teach_voice.py", "Trigger word: teach your voice", "🗣️",
         "Record a few takes of “activate”; fine-tune a copy of the course's detector on your voice.",
         "Transfer learning in a minute: freeze the convolution, retrain the GRUs, compare both models."),
        ("pages/ctc.py", "CTC", "🔤",
         "The collapse rule, alignments, the CTC loss and decoding.",
         "Why “ttt_h_eee___ ___qqq__” means “the q”, and how many alignments a word has."),
    ],
}

for section, rooms in ROOMS.items():
    st.subheader(section)
    for page, label, icon, hover, caption in rooms:
        st.page_link(page, label=label, icon=icon, help=hover)
        st.caption(caption)

st.divider()
st.markdown(
    """
**How to use it in class.** Each page reads top to bottom: an explanation, something to
type or move, and the numbers behind what you see. Hover over any chart for exact values.
"""
)
