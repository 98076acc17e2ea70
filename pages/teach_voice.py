"""Teach it your voice: record a few takes of "activate", fine-tune a copy of the detector, try both."""
import numpy as np
import plotly.graph_objects as go
import streamlit as st

from ui import charts, loaders
from core.trigger.audio import AudioError, read_audio, wav_bytes
from core.trigger.training import personal
from core.trigger.training.evaluate import held_out_example

loaders.keep_keras_between_reruns()  # a rerun must never clear Keras under a running fine-tune

BATCH_SIZES = (2, 4, 8, 16)
EXAMPLES = {  # name → (seed, activates, negatives): voices neither model trained on
    "other voices: one “activate” among other words": (4, 1, 2),
    "other voices: no “activate” at all": (7, 0, 2),
}

st.title("🗣️ Teach it your voice")
st.markdown(
    "The shipped detector learned “activate” from synthetic voices. Say the word a few times "
    "and the lab **fine-tunes a copy** of it on your takes, made into training examples the "
    "course's way: each take (sped up, pitched, put in a room, through another microphone) "
    "dropped into 10 s backgrounds next to other words, labelled 1 for 50 steps after it "
    "ends. Pieces of your own takes (“acti…”, “…vate”) go in as *negatives*, so the copy "
    "learns your voice saying the whole word, not just your voice. Then try both side by side. "
    "The shipped model is never changed; your copy lives only in this browser tab."
)
with st.expander("Model notes: how much does it help?"):
    st.markdown(
        "Measured by `benchmarks/personalise.py` on four voices the shipped model never heard, "
        "5 takes each, 20 more takes of each voice held out for the test:\n\n"
        "- **recall 96.2% → 99.6%** (455 → 471 of 473 held-out “activate”, at the shipped "
        "threshold 0.99); the Scottish voice went from 86.3% to 100%, the others were already "
        "near 100%;\n"
        "- false alarms on real recordings and other voices: 0 in 1.33 hours, before and after;\n"
        "- false alarms on the *same* voice saying other words (“captivate”, “active”, …): 4 → 8 "
        "in all, all of the rise in the Scottish voice. Record a few of your own other words on the "
        "comparison below to check yours.\n\n"
        "Fine-tuning takes 40–80 s on two CPU cores, plus 30–60 s the first time a server "
        "compiles the training step."
    )

detector = loaders.trigger_detector_or_stop()
bank = loaders.trigger_bank()

state = st.session_state
state.setdefault("teach_takes", [])  # dicts: id, clip (trimmed, 44.1 kHz), wav, seconds, peak, digest
state.setdefault("teach_round", 0)  # bumped after every take, so the recorder comes back empty
state.setdefault("teach_next_id", 0)
state.setdefault("teach_rejects", [])  # (name, problems, wav) of the last takes that need a retake
state.setdefault("teach_notes", [])  # one-run messages ("take 2 accepted")
takes = state.teach_takes


def add_takes(incoming) -> None:
    """Check each (name, bytes); keep good takes; remember the problems of the others."""
    state.teach_notes, state.teach_rejects, state.teach_next_id = personal.take_in(takes, incoming,
                                                                                    state.teach_next_id)
    state.teach_round += 1


# ----------------------------------------------------------------------------- 1. takes
st.subheader(f"1. Say “activate” {personal.MIN_TAKES} to {personal.MAX_TAKES} times")
st.caption("One take per recording: press the microphone, say the word once at your usual "
           "voice and distance, wait a moment, press stop. Each take is checked for silence, "
           "noise, level, clipping and length, and trimmed to the word.")
for kind, note in state.teach_notes:
    (st.success if kind == "success" else st.info)(note)
state.teach_notes = []
for name, problems, wav in state.teach_rejects:
    st.error(f"**{name}**: please record it again. " + " ".join(p[0].upper() + p[1:] + "." for p in problems))
    if wav is not None:
        st.audio(wav, format="audio/wav")

if len(takes) < personal.MAX_TAKES:
    recording = st.audio_input(f"Take {len(takes) + 1}", key=f"teach_take_{state.teach_round}",
                               sample_rate=44100)
    uploads = st.file_uploader("…or upload takes as WAV files", type=["wav"], accept_multiple_files=True,
                               key=f"teach_upload_{state.teach_round}")
    incoming = [(f"take {len(takes) + 1}", recording.getvalue())] if recording is not None else []
    incoming += [(upload.name, upload.getvalue()) for upload in uploads or []]
    if incoming:
        add_takes(incoming)
        st.rerun()
    st.caption("If nothing happens, your browser has no microphone or refused permission; a page "
               "served from another machine needs HTTPS (or localhost) for the microphone.")
else:
    st.info(f"{personal.MAX_TAKES} takes: that is plenty. Delete one to record it again.")

for i, take in enumerate(takes):
    left, middle, right = st.columns([2, 5, 1], vertical_alignment="center")
    left.markdown(f"**Take {i + 1}** · {take['seconds']:.2f} s · peak {take['peak']:.0f} dBFS")
    middle.audio(take["wav"], format="audio/wav")
    if right.button("🗑️", key=f"teach_delete_{take['id']}", help="Delete this take"):
        takes.remove(take)
        st.rerun()

# ----------------------------------------------------------------------------- 2. fine-tune
st.subheader("2. Fine-tune a copy of the detector")
with st.expander("Training settings"):
    steps = st.slider("Steps", 1, 60, personal.STEPS, key="teach_steps")
    batch_size = st.select_slider("Examples per step", BATCH_SIZES, value=personal.BATCH_SIZE, key="teach_batch")
    st.caption(f"Each step makes {batch_size} fresh 10 s examples and takes one Adam step at learning rate "
               f"{personal.LEARNING_RATE:g} on the two GRU layers and the output layer; the convolution "
               f"and every BatchNorm stay frozen. {personal.STEPS} steps of {personal.BATCH_SIZE} take about "
               "a minute on two CPU cores.")
if takes and not personal.is_compiled(batch_size):
    personal.warm_up(batch_size)  # compile the training step while you record (once per server)

job = state.get("teach_job")
running = job is not None and not job.finished
left, right = st.columns(2)
if left.button("🧠 Fine-tune", key="teach_start", type="primary", width="stretch",
               disabled=len(takes) < personal.MIN_TAKES or running):
    job = personal.FineTuneJob(detector.model, [t["clip"] for t in takes], bank, detector.config,
                               steps=steps, batch_size=batch_size, seed=state.teach_round).start()
    state.teach_job, running = job, True
if right.button("⏹️ Stop", key="teach_stop", disabled=not running, width="stretch"):
    job.stop("stopped by you", timeout=10)
    running = False
if len(takes) < personal.MIN_TAKES:
    st.info(f"Record at least {personal.MIN_TAKES} takes to fine-tune ({len(takes)} so far).")


def done_note(result) -> str:
    if result is None:
        return ""
    return f"Done: {result.steps} step{'s' if result.steps != 1 else ''} in {result.seconds:.0f} s. Try it below."


@st.fragment(run_every=1 if running else None)
def progress_view():
    job = state.teach_job
    job.touch()
    status = job.status()
    charts.job_status(status, "Fine-tuning", queue_reason="one trains at a time on this server, so nobody's run crawls",
                      queue_advice="Keep this page open.", stopped_note=f"after {job.step} steps; nothing was kept.",
                      done_note=done_note(job.result),
                      progress_text=f"step {job.step} of {job.steps} · {status.elapsed:.0f} s")
    if job.losses:
        figure = go.Figure(go.Scatter(x=np.arange(1, len(job.losses) + 1), y=job.losses, mode="lines+markers",
                                      line=dict(color="#888")))
        figure.update_layout(height=180, xaxis_title="step", yaxis_title="loss", margin=dict(l=10, r=10, t=10, b=10))
        st.plotly_chart(figure, key="teach_loss")
    if running and job.finished:
        st.rerun()  # the whole page: show the try-it section


if job is not None:
    progress_view()

# ----------------------------------------------------------------------------- 3. try it
candidate = job.result if job is not None and job.state == "done" else None
kept = state.get("teach_personal")
mine = candidate or kept
st.subheader("3. Try it: the shipped model and yours, side by side")
if mine is None:
    st.info("Fine-tune first; then record a test here and compare.")
    st.stop()
if candidate is not None:
    st.caption("This is a new copy: try it, then **Keep** it for this tab or **Discard** it.")
else:
    st.caption(f"Your kept copy ({mine.takes} takes, {mine.steps} step{'s' if mine.steps != 1 else ''}), "
               "for this browser tab only.")

source = st.radio("Test audio", ["Record a test", "Upload a WAV file", *EXAMPLES], horizontal=True,
                  key="teach_test_source")
samples, truth = None, []
try:
    if source == "Record a test":
        recording = st.audio_input("Say “activate” and some other words", key="teach_test_record",
                                   sample_rate=44100)
        if recording is not None:
            samples = read_audio(recording.getvalue())
    elif source == "Upload a WAV file":
        upload = st.file_uploader("A WAV file (up to 15 min)", type=["wav"], key="teach_test_upload")
        if upload is not None:
            samples = read_audio(upload.getvalue())
    else:
        samples, truth = held_out_example(bank, *EXAMPLES[source])
        st.caption("Voices neither model trained on: your copy should still hear their “activate” "
                   "and ring at nothing else (dashed green: where each “activate” ends).")
except AudioError as err:
    st.error(f"That audio could not be read: {err}")
    samples = None

if samples is not None:
    threshold = st.slider("Threshold", 0.05, 0.99, float(detector.threshold), 0.01, key="teach_threshold",
                          help=f"The shipped model's card chose {detector.threshold:.2f}; both use the same.")
    st.audio(wav_bytes(samples), format="audio/wav")
    columns = st.columns(2)
    for column, (name, model) in zip(columns, [("Shipped model", detector), ("Your copy", mine.detector)]):
        try:
            result = model.detect(samples, threshold)
        except AudioError as err:
            column.error(str(err))
            continue
        column.markdown(f"**{name}**")
        for note in result.notes:
            column.warning(note)
        if result.detections:
            column.success(f"🔔 heard {len(result.detections)}× at "
                           f"{', '.join(f'{t:.2f} s' for t in result.detections)} "
                           f"(max {result.max_probability:.2f})")
        else:
            column.info(f"No “activate” heard (max probability {result.max_probability:.2f})")
        shipped = name.startswith("Shipped")
        column.plotly_chart(charts.probability_curve(result.times, result.probabilities, threshold, result.detections,
                                                     truth, height=240, color="#1f77b4" if shipped else "#ff7f0e",
                                                     name=None, threshold_label=None),
                            key=f"teach_curve_{'shipped' if shipped else 'mine'}")
    st.caption("Red lines: detections at the threshold (dotted). Try saying “activate” and also "
               "“active”, “motivate” or a sentence: a good copy rings for the word and nothing else.")
else:
    st.info("Record, upload or pick a test to compare the two models.")

left, right = st.columns(2)
if candidate is not None:
    if left.button("✅ Keep my copy", key="teach_keep", type="primary", width="stretch"):
        state.teach_personal, state.teach_job = candidate, None
        st.rerun()
    if right.button("🗑️ Discard it", key="teach_discard", width="stretch"):
        state.teach_job = None
        st.rerun()
elif right.button("🗑️ Forget my copy", key="teach_forget", width="stretch"):
    state.teach_personal = None
    st.rerun()
