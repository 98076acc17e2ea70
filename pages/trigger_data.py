"""Trigger word, part 1: how the course builds one 10 s training example, seen and heard."""
import numpy as np
import plotly.graph_objects as go
import streamlit as st

from ui import charts, loaders
from core.trigger.audio import SAMPLE_RATE, wav_bytes
from core.trigger.synth import BACKGROUND_MS, Ty, make_example
from core.trigger.voicebank.augment import Augmenter


st.title("🎛️ Trigger word: training data")
st.markdown(
    "The detector learns from **synthesized** 10 s recordings: a background with a few "
    "“activate” clips and a few other words laid over it at random times. Because we made "
    "the recording, we know exactly where each “activate” ends, so the labels come for free."
)

clips = loaders.trigger_bank()
names = [f"{row['kind']} ({row['level_dbfs']:.0f} dBFS)" for row in clips.background_info]
left, middle, right, last = st.columns(4)
background_index = left.selectbox("Background", range(len(names)), format_func=lambda i: names[i])
n_activates = middle.slider("“activate” clips", 0, 4, 2)
n_negatives = right.slider("Negative clips", 0, 2, 1)
seed = last.number_input("Seed", 0, 2**31 - 1, 0, step=1, key="trigger_seed")
augment = st.toggle("Augment (speed, pitch, vocal tract, room, microphone)", value=False)


def new_example():
    """The first press shows the chosen seed; each later press moves on to the next seed."""
    if st.session_state.get("trigger_shown"):
        st.session_state.trigger_seed += 1
    st.session_state.trigger_shown = True


st.button("New example", type="primary", on_click=new_example)
if not st.session_state.get("trigger_shown"):
    st.info("Choose a background and the clips, then press **New example**.")
    st.stop()

augmenter = Augmenter() if augment else None
example = make_example(clips.backgrounds[background_index], clips.activates, clips.negatives,
                       rng=np.random.default_rng(int(seed)),
                       n_activates=n_activates, n_negatives=n_negatives,
                       augment_clip=augmenter.augment_clip if augmenter else None,
                       augment_recording=augmenter.augment_recording if augmenter else None)
st.caption(f"Made from seed {seed}: the same seed and settings always give the same example, bit for bit.")

# --- hear it -------------------------------------------------------------------------------
st.subheader("1 · Listen")
st.audio(wav_bytes(example.audio, SAMPLE_RATE), format="audio/wav")
with st.expander("What the course does"):
    st.markdown(
        "`create_training_example` lowers the background by 20 dB, inserts 0–4 random "
        "“activate” clips with `insert_audio_clip`, then 0–2 negatives, and normalises the "
        "result to −20 dBFS with `match_target_amplitude`. Here you pick the counts."
    )

# --- where each clip went ------------------------------------------------------------------
st.subheader("2 · Where each clip went")
timeline = go.Figure()
for segment in example.segments:
    info = (clips.activate_info if segment["kind"] == "activate" else clips.negative_info)[segment["index"]]
    if not segment["placed"]:
        continue
    timeline.add_trace(go.Bar(
        x=[segment["end_ms"] - segment["start_ms"] + 1], base=[segment["start_ms"]], y=[segment["kind"]],
        orientation="h", marker_color="#d62728" if segment["kind"] == "activate" else "#7f7f7f",
        text=f"“{info['text']}” · {info['voice_id']}", textposition="inside", showlegend=False,
        hovertemplate=f"“{info['text']}”<br>{info['voice_id']}<br>%{{base}}–{segment['end_ms']} ms<extra></extra>"))
timeline.update_layout(height=220, xaxis=dict(range=[0, BACKGROUND_MS], title="time (ms)"),
                       margin=dict(l=10, r=10, t=10, b=10))
st.plotly_chart(timeline, key="timeline")
skipped = sum(not s["placed"] for s in example.segments)
st.caption("`get_random_time_segment` draws a start in 0…10000 − clip length; `is_overlapping` "
           "rejects a segment that touches an earlier one, and after 6 tries "
           "`insert_audio_clip` gives up on that clip"
           + (f" — as it did here for {skipped} clip(s)." if skipped else "."))

# --- the labels ----------------------------------------------------------------------------
st.subheader("3 · The labels y")
labels = go.Figure(go.Scatter(x=np.arange(Ty), y=example.y[0], mode="lines", line=dict(color="#d62728")))
labels.update_layout(height=200, xaxis_title="output step (Ty = 1375)", yaxis=dict(range=[-0.1, 1.1]),
                     margin=dict(l=10, r=10, t=10, b=10))
st.plotly_chart(labels, key="labels")
st.caption("`insert_ones` sets the 50 steps right after each “activate” ends to 1 — the model "
           "should say “I just heard it” for about 0.36 s. Negatives leave y at 0.")

# --- the input x ---------------------------------------------------------------------------
st.subheader("4 · The input x: a spectrogram")
st.plotly_chart(charts.spectrogram_heatmap(example.x, height=320), key="spectrogram")
st.caption("`graph_spectrogram`: windows of 200 samples, 80 apart, at 44.1 kHz → 5511 steps of 101 "
           "frequencies. The model reads it transposed, as a sequence of 5511 vectors. "
           f"Every {charts.column_step(example.x.shape[1])}th column is drawn here.")
