"""Trigger word, part 2: the trained model listens for "activate" and rings a chime."""
import streamlit as st

from ui import charts, loaders
from core.trigger.audio import SAMPLE_RATE, AudioError, read_audio, wav_bytes
from core.trigger.detect import chime_on_activate, features
from core.trigger.training.evaluate import held_out_example

EXAMPLES = {  # name → (seed, activates, negatives): mixes of voices the model never trained on
    "two “activate” and a confusable word": (11, 2, 1),
    "one “activate” among other words": (4, 1, 2),
    "no “activate” at all": (7, 0, 2),
}

st.title("🔔 Trigger word: detect")
st.markdown(
    "The course's model (Conv1D → GRU → GRU → one sigmoid per 7.3 ms step) listens to a "
    "recording and says, step by step, how sure it is that “activate” **just ended**. "
    "Where the probability rises above the threshold a chime rings (`chime_on_activate`), "
    "and not again for 75 steps (0.55 s), so one word rings once."
)
with st.expander("How well does it hear real people? Not well yet."):
    st.markdown(
        "The model learned from synthesized voices only (espeak-ng, flite, festival): on voices of "
        "those engines it never heard it finds 95.6% of the “activate”s. **On real people it does "
        "much worse**: on a hidden set of 120 real recordings (4 people, real rooms) it heard 31% at "
        "the default threshold 0.99 and 55% at 0.5. The same recipe taught the word “computer” "
        "from synthesized voices only hears 49% of 411 real people saying it (at most 1 false alarm "
        "an hour) against 85% of held-out synthesized voices (`benchmarks/real_voice_proxy.py`). "
        "Speak plainly and not too slowly, lower the threshold, or teach it your voice on the "
        "🗣️ page, which helps most."
    )

detector = loaders.trigger_detector_or_stop()

source = st.radio("Audio", ["A bundled example", "Upload a WAV file", "Record in the browser"],
                  horizontal=True, key="detect_source")
samples, truth, name = None, [], "recording"
try:
    if source == "A bundled example":
        choice = st.selectbox("Example", list(EXAMPLES), key="detect_example")
        seed, n_activates, n_negatives = EXAMPLES[choice]
        samples, truth = held_out_example(loaders.trigger_bank(), seed, n_activates, n_negatives)
        name = f"example-{seed}"
        st.caption("Made like a training example, from voices held out of training "
                   "(dashed green lines mark where each “activate” really ends).")
    elif source == "Upload a WAV file":
        upload = st.file_uploader("A WAV file (any rate from 8 to 192 kHz, mono or stereo, up to 15 min)",
                                  type=["wav"], key="detect_upload")
        if upload is not None:
            samples, name = read_audio(upload.getvalue()), upload.name.rsplit(".", 1)[0]
    else:
        recording = st.audio_input("Say “activate” (and other words)", key="detect_record", sample_rate=44100)
        st.caption("If nothing happens, your browser has no microphone or refused permission; "
                   "a page served from another machine needs HTTPS (or localhost) for the microphone.")
        if recording is not None:
            samples = read_audio(recording.getvalue())
except AudioError as err:
    st.error(f"That audio could not be read: {err}")
    st.stop()

if samples is None:
    st.info("Choose an example, upload a WAV file or record one.")
    st.stop()

threshold = st.slider("Threshold", 0.05, 0.99, float(detector.threshold), 0.01, key="detect_threshold",
                      help=f"The model card's default is {detector.threshold:.2f}.")
try:
    result = detector.detect(samples, threshold)
except AudioError as err:
    st.error(str(err))
    st.stop()
for note in result.notes:
    st.warning(note)

found = ", ".join(f"{t:.2f} s" for t in result.detections)
if result.detections:
    st.success(f"🔔 “activate” heard {len(result.detections)}× at {found} (max probability {result.max_probability:.2f}).")
else:
    st.info(f"No “activate” heard (max probability {result.max_probability:.2f}, threshold {threshold:.2f}).")

# --- the probability curve -----------------------------------------------------------------
st.plotly_chart(charts.probability_curve(result.times, result.probabilities, threshold, result.detections, truth),
                key="detect_curve")
st.caption("Red lines: detections. One output step is 10 s / 1375 = 7.3 ms. Audio longer than 10 s "
           "is read in 10 s windows that overlap by half.")

# --- hear it ----------------------------------------------------------------------------
chimed = chime_on_activate(samples, result.detections, loaders.trigger_bank().chime)
left, right = st.columns(2)
left.markdown("**Original**")
left.audio(wav_bytes(samples, SAMPLE_RATE), format="audio/wav")
right.markdown("**With the chime**")
chimed_wav = wav_bytes(chimed, SAMPLE_RATE)
right.audio(chimed_wav, format="audio/wav")
right.download_button("Download the chimed audio", chimed_wav, file_name=f"{name}-chimed.wav",
                      mime="audio/wav", key="detect_download")

# --- the input ----------------------------------------------------------------------------
with st.expander("The spectrogram the model reads"):
    st.plotly_chart(charts.spectrogram_heatmap(features(samples[:SAMPLE_RATE * 60]).T, height=300, in_seconds=True),
                    key="detect_spectrogram")
    st.caption("`graph_spectrogram` with the course's settings (first minute shown).")
