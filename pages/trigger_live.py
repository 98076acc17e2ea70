"""Trigger word, part 3: the trained model listens to the microphone, live, and rings on "activate"."""
import base64
import json
import time

import streamlit as st
from streamlit import config as st_config
from streamlit_webrtc import WebRtcMode, create_audio_sink_track, webrtc_streamer

from ui import charts, loaders, webrtc
from core.trigger import stream
from core.trigger.audio import resample, wav_bytes

loaders.keep_keras_between_reruns()  # app.py does it too; this keeps the page runnable on its own
# Streamlit runs a full gc.collect(2) after every run, fragment runs included: with TensorFlow
# loaded that is ~0.2 s holding the GIL, which several refreshes a second turn into a stalled
# WebRTC event loop and seconds of delay. Python's own collector still runs.
st_config.set_option("runner.postScriptGC", False)

ALERT_SECONDS = 0.1  # how often the meter, the flash and the chime are refreshed while listening
CURVE_SECONDS = 0.5  # how often the curve and the log are redrawn
FLASH_SECONDS = 1.5
NO_MICROPHONE = ("No microphone: the browser gave none, or permission was refused. Allow the microphone "
                 "for this site (the icon left of the address bar) and press START again. A page served "
                 "from another machine needs HTTPS (or localhost) before a browser offers a microphone.")

st.title("🎙️ Trigger word: live")
st.markdown(
    "Press **START**, allow the microphone and say “activate”. Your browser streams the microphone to "
    "this server (WebRTC); every quarter of a second the model reads what is new (the course's model "
    "and the embedding spotter the **last 10 s**; the spotter only the last ~4.6 s, all that its newest "
    "answers need) and the curve below moves on. When the probability rises above the threshold the page "
    "flashes and a chime rings, then not again for a moment (75 steps, 0.55 s, as in the course; the "
    "spotters wait 1 s), so one word rings once."
)
st.caption("Nothing leaves this server, and nothing is recorded: only the last 10 s are kept in memory, "
           "and they go when you press STOP. " + NO_MICROPHONE)
st.info("The **embedding spotter** (the default) was built to hear people: it learned from neural and "
        "classic synthesized voices in slow, fast, high, excited, quiet and whispered deliveries, rooms, microphones "
        "and noise, heard through a frozen speech embedding that Google trained on real speech. The course's "
        "model learned from classic synthesized voices only and heard about a third of real people's "
        "“activate” at its default threshold (120 real recordings). Taught other words the same way, the "
        "embedding spotter's recipe (two heads, their answers averaged) heard 98% of 384 real people saying "
        "“jarvis”, 90% of 411 saying “computer” and 98% of 315 saying “alexa” within 1 false alarm an hour "
        "(the log-mel spotter's "
        "recipe, on the same takes and real recordings, 73%, 73% and 93%; the course's recipe 49% of "
        "“computer”). Lower the threshold if it misses you. Very high-pitched words are heard least: an ordinary pace and pitch are safest, at a "
        "level that does not clip the microphone. The 🔔 detect page has the figures.")


kind, detector = loaders.choose_trigger_detector("live_detector")
try:
    rtc_configuration = webrtc.rtc_configuration()
except ValueError as err:
    st.error(f"The ICE server setting is wrong: {err}")
    st.stop()
webrtc.allow_loopback_ice()  # only when TRIGGER_LIVE_LOOPBACK_ICE=1 (the end-to-end test)

session = st.session_state.get("live_session")
if session is None or session.detector is not detector:
    session = st.session_state["live_session"] = stream.LiveSession(detector)
session.threshold = st.slider("Threshold", 0.05, 0.99, min(0.99, float(detector.threshold)), 0.01,
                              key=f"live_threshold_{kind}",
                              help=f"The model card's default is {detector.threshold:.2f}.")

ctx = webrtc_streamer(
    key="live_microphone",
    mode=WebRtcMode.SENDONLY,
    rtc_configuration=rtc_configuration,  # no ICE server by default: no request leaves this machine
    media_stream_constraints={"audio": webrtc.MICROPHONE, "video": False},
    # A sink receives every frame in order (no drop-the-oldest queue); it only copies them to the session.
    sink_audio_track=create_audio_sink_track(session.push_frame, key="live_microphone_sink",
                                             on_ended=session.request_stop),
    translations={"media_api_not_available": NO_MICROPHONE, "device_not_available": NO_MICROPHONE,
                  "device_access_denied": NO_MICROPHONE},
)
listening = ctx.state.playing or ctx.state.signalling
if listening:
    session.start()  # a fresh run when START was pressed; nothing while one is going
else:
    session.stop()  # joins the worker and frees the buffer; late frames are only counted

# The chime's sound, handed to the browser once; each detection below plays a copy of it.
chime = loaders.trigger_bank().chime
chime_url = "data:audio/wav;base64," + base64.b64encode(wav_bytes(resample(chime, 44100, 22050), 22050)).decode()
st.html(f"<script>window.triggerChime = window.triggerChime || new Audio({json.dumps(chime_url)});"
        "window.triggerChimed = window.triggerChimed || new Set();</script>", unsafe_allow_javascript=True)


def announce(detection, run: int, stream_start: float | None) -> None:
    """Flash, and ring the chime once in this browser tab for this detection."""
    chime_id = f"{run}-{detection.number}"
    st.html(
        f'<div class="trigger-flash" data-detection="{chime_id}" data-seconds="{detection.seconds:.3f}" '
        f'data-found-at="{detection.wall_time * 1000:.0f}" data-stream-start="{(stream_start or 0) * 1000:.0f}" '
        f'data-latency="{detection.latency:.3f}">'
        f'🔔 “activate” at {detection.seconds:.2f} s</div>'
        "<style>.trigger-flash{padding:.6rem 1rem;border-radius:.5rem;font-size:1.4rem;font-weight:600;"
        "background:#fff3c4;animation:trigger-flash 1.2s ease-out}"
        "@keyframes trigger-flash{0%{background:#ffb300;transform:scale(1.04)}100%{background:#fff3c4}}</style>"
        f"<script>(function(){{const id={json.dumps(chime_id)};"
        "if(!window.triggerChime||window.triggerChimed.has(id))return;window.triggerChimed.add(id);"
        "window.triggerChime.cloneNode().play().catch(function(e){console.warn('chime blocked',e)});"
        "})();</script>",
        unsafe_allow_javascript=True)


@st.fragment(run_every=ALERT_SECONDS if listening else None)
def alerts():
    """The meter, and the flash and chime: cheap, so refreshed often (the chime waits for it)."""
    snap = session.snapshot()
    if snap.error:
        st.error(f"The detector stopped: {snap.error}")
    level = min(1.0, max(0.0, (snap.level_dbfs + 60) / 60)) if snap.running else 0.0
    st.progress(level, text=f"Microphone level: {snap.level_dbfs:.0f} dBFS" if snap.running
                else "Microphone level: not listening")
    latest = snap.detections[-1] if snap.detections else None
    if latest is not None and time.time() - latest.wall_time < FLASH_SECONDS:
        announce(latest, session.runs, snap.stats["first_frame_time"])


@st.fragment(run_every=CURVE_SECONDS if listening else None)
def live_panel():
    """The curve over the last 10 s, the detection log and the counters."""
    snap = session.snapshot()
    now = max(snap.seconds, 10.0)  # the last 10 s
    st.plotly_chart(charts.probability_curve(snap.times, snap.probabilities, snap.threshold,
                                             [d.seconds for d in snap.detections if d.seconds > now - 10],
                                             height=240, x_title="seconds since START", x_range=[now - 10, now]),
                    key="live_curve")
    st.markdown(f"**Detections** ({len(snap.detections)})" if snap.detections else
                "**Detections**: none yet" + (" — say “activate”" if snap.running else ""))
    if snap.detections:
        st.markdown("\n".join(
            f"{d.number}. **{d.seconds:.2f} s** — P crossed the threshold at {d.probability:.2f} — at "
            f"{time.strftime('%H:%M:%S', time.localtime(d.wall_time))} — found {d.latency:.2f} s after "
            "its audio arrived" for d in reversed(snap.detections[-20:])))
    s = snap.stats
    if s["frames_in"]:
        st.caption(
            f"{s['format']} · frames received {s['frames_in']}, processed {s['frames_processed']}, "
            f"dropped {s['frames_dropped'] + s['frames_rejected']} · model runs {s['model_runs']} "
            f"({s['model_seconds'] / max(1, s['model_runs']):.2f} s each) · longest wait for the model "
            f"{s['max_lag']:.2f} s" + (f" · {s['steps_skipped']} steps never heard" if s["steps_skipped"] else ""))


alerts()
live_panel()
