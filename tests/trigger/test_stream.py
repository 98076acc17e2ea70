"""The live path without a browser: downmixing, the streaming resampler, the 10 s buffer, the
course's chime rule across windows, and a LiveSession's worker (frames in, detections out, shutdown)."""
import threading
import time

import av
import numpy as np
import pytest

from core.trigger.audio import SAMPLE_RATE
from core.trigger.detect import REFRACTORY_STEPS, STEP_SAMPLES, STEP_SECONDS
from core.trigger.stream import ChimeRule, LiveSession, RollingBuffer, StreamResampler, live_threads, to_mono
from core.trigger.synth import Ty

WEBRTC_RATE, FRAME = 48000, 960  # what aiortc hands over: 20 ms of 48 kHz, s16, interleaved stereo


# --- helpers --------------------------------------------------------------------------------

class LoudnessDetector:
    """Stands in for the model: P = 1 at steps whose audio is loud (RMS > 0.05), else 0.
    Same interface as TriggerDetector (clip_probabilities of 10 s → 1375; threshold)."""

    threshold = 0.5

    def __init__(self, delay=0.0):
        self.delay = delay
        self.calls = 0

    def clip_probabilities(self, samples):
        self.calls += 1
        if self.delay:
            time.sleep(self.delay)
        assert len(samples) == 441000
        square = np.concatenate([[0.0], np.cumsum(np.square(samples, dtype=np.float64))])
        starts = np.arange(Ty) * STEP_SAMPLES
        energy = (square[starts + 1320] - square[starts]) / 1320
        return (np.sqrt(energy) > 0.05).astype(np.float32)


def stereo_frames(mono_48k, frame=FRAME):
    """av.AudioFrames as aiortc's Opus decoder gives them: s16, packed stereo, 48 kHz."""
    pcm = np.clip(np.round(mono_48k * 32767), -32768, 32767).astype(np.int16)
    for start in range(0, len(pcm) - frame + 1, frame):
        chunk = pcm[start:start + frame]
        interleaved = np.stack([chunk, chunk], axis=1).reshape(1, -1)
        f = av.AudioFrame.from_ndarray(interleaved, format="s16", layout="stereo")
        f.sample_rate = WEBRTC_RATE
        yield f


def signal_with_words(seconds, words, rate=WEBRTC_RATE, word_seconds=0.3):
    """Quiet noise with loud 440 Hz bursts ("words") starting at the given times."""
    rng = np.random.default_rng(0)
    x = 0.002 * rng.standard_normal(int(seconds * rate))
    t = np.arange(int(word_seconds * rate)) / rate
    for start in words:
        i = int(start * rate)
        x[i:i + len(t)] += 0.5 * np.sin(2 * np.pi * 440 * t)
    return x.astype(np.float32)


# --- downmixing -----------------------------------------------------------------------------

def test_interleaved_s16_stereo_is_averaged():
    left = np.array([1000, -2000, 3000], dtype=np.int16)
    right = np.array([3000, 2000, -3000], dtype=np.int16)
    packed = np.stack([left, right], axis=1).reshape(1, -1)  # L R L R L R
    assert np.allclose(to_mono(packed, "s16", 2), (left + right.astype(float)) / 2 / 32768)


def test_planar_float_and_other_formats():
    planar = np.array([[0.5, -0.5], [0.1, 0.3]], dtype=np.float32)  # (channels, samples)
    assert np.allclose(to_mono(planar, "fltp", 2), [0.3, -0.1])
    assert np.allclose(to_mono(np.array([[0, 128, 255]], dtype=np.uint8), "u8", 1), [-1, 0, 127 / 128])
    assert np.allclose(to_mono(np.array([[2 ** 30]], dtype=np.int32), "s32", 1), [0.5])
    assert np.allclose(to_mono(np.array([[2 ** 14, 0], [0, 2 ** 14]], dtype=np.int16), "s16p", 2), [0.25, 0.25])
    with pytest.raises(ValueError):
        to_mono(np.zeros((1, 2)), "weird", 1)


def test_real_av_frames_are_read_from_their_own_rate_layout_and_format():
    """What a browser sends: the session reads rate, layout and format from each frame."""
    frame = next(stereo_frames(np.full(FRAME, 0.25, dtype=np.float32)))
    assert (frame.sample_rate, frame.layout.name, frame.format.name, frame.samples) == (48000, "stereo", "s16", 960)
    assert np.allclose(to_mono(frame.to_ndarray(), frame.format.name, len(frame.layout.channels)), 0.25, atol=1e-4)


# --- resampling -----------------------------------------------------------------------------

def test_resampler_output_does_not_depend_on_chunking():
    x = np.random.default_rng(1).standard_normal(48000).astype(np.float32)
    whole = StreamResampler(48000, 44100).process(x)
    r = StreamResampler(48000, 44100)
    cuts = np.sort(np.random.default_rng(2).choice(48000, 60, replace=False))
    parts = [r.process(p) for p in np.split(x, cuts)]
    assert np.array_equal(np.concatenate(parts), whole)
    assert len(whole) == 44100


@pytest.mark.parametrize("rate_in", [48000, 16000, 32000])
def test_resampler_keeps_a_tone_in_tune_and_in_time(rate_in):
    f = 1000.0
    x = np.sin(2 * np.pi * f * np.arange(rate_in) / rate_in).astype(np.float32)
    r = StreamResampler(rate_in, SAMPLE_RATE)
    y = np.concatenate([r.process(x[i:i + 960]) for i in range(0, len(x), 960)])
    assert abs(len(y) - SAMPLE_RATE) <= 1
    t = np.arange(len(y)) / SAMPLE_RATE - r.delay_seconds
    assert r.delay_seconds < 0.002
    assert np.max(np.abs(y - np.sin(2 * np.pi * f * t))[200:]) < 1e-3


def test_resampler_removes_what_would_alias():
    """48 kHz audio at 23 kHz cannot exist at 44.1 kHz; it must not fold back to 21.1 kHz."""
    x = np.sin(2 * np.pi * 23000 * np.arange(48000) / 48000)
    y = StreamResampler(48000, 44100).process(x)
    assert np.sqrt(np.mean(y[500:] ** 2)) < 1e-3


def test_same_rate_passes_through():
    x = np.arange(10, dtype=np.float32)
    assert np.array_equal(StreamResampler(44100, 44100).process(x), x)


# --- the rolling buffer ---------------------------------------------------------------------

def test_rolling_buffer_keeps_the_newest_samples_across_the_wrap():
    b = RollingBuffer(10)
    b.write(np.arange(7))
    b.write(np.arange(7, 15))
    assert b.total == 15 and b.oldest == 5
    assert b.last(10).tolist() == list(range(5, 15))
    assert b.window(8, 12).tolist() == [8, 9, 10, 11]
    with pytest.raises(ValueError):
        b.window(4, 8)  # overwritten
    with pytest.raises(ValueError):
        b.window(10, 16)  # not written yet


def test_rolling_buffer_pads_the_start_of_the_stream_with_silence():
    b = RollingBuffer(10)
    b.write(np.ones(3))
    assert b.window(-4, 3).tolist() == [0, 0, 0, 0, 1, 1, 1]
    b.write(np.arange(25))  # longer than the buffer: the newest 10 stay
    assert b.total == 28 and b.last(10).tolist() == list(range(15, 25))


# --- the course's rule across windows -------------------------------------------------------

def test_a_word_seen_by_two_overlapping_windows_rings_once():
    rule = ChimeRule()
    word = np.zeros(2000)
    word[1300:1360] = 0.9  # one word, steps 1300–1359
    first = rule.feed(word[:Ty], 0, 0.5)[0]  # window 1: steps 0–1374
    second = rule.feed(word[100:100 + Ty], 100, 0.5)[0]  # window 2 overlaps it
    assert first == [1300] and second == []


def test_the_75_step_rule_counts_across_the_window_boundary():
    rule = ChimeRule()
    p = np.zeros(Ty)
    p[-5:] = 0.9  # rings at step 1370, the end of window 1
    assert rule.feed(p, 0, 0.5)[0] == [Ty - 5]
    later = np.zeros(Ty)
    later[-200:] = 0.9  # window 2 (200 new steps) is above threshold from its first new step
    events = rule.feed(later, 200, 0.5)[0]
    assert events[0] == Ty - 5 + REFRACTORY_STEPS + 1  # not before 75 steps have passed
    assert np.all(np.diff(events) == REFRACTORY_STEPS + 1)


def test_steps_before_the_stream_began_and_gaps_are_accounted():
    rule = ChimeRule()
    p = np.full(Ty, 0.9)
    events, new, start = rule.feed(p, -1000, 0.5)  # the first window is mostly padding
    assert start == 0 and len(new) == Ty - 1000 and events[0] == 0
    rule.feed(p, 5000, 0.5)  # a worker that stalled for over 10 s: steps 375–4999 were never decided
    assert rule.steps_skipped == 5000 - 375


# --- a live session -------------------------------------------------------------------------

def run_session(x, detector=None, **options):
    session = LiveSession(detector or LoudnessDetector(), **options)
    n = 0
    for frame in stereo_frames(x):
        session.push_frame(frame)
        n += 1
    assert session.wait_idle(60)
    return session, n


def test_every_frame_reaches_the_buffer_and_each_word_rings_once_at_its_time():
    words = [2.0, 6.5, 11.0, 17.25]  # 25 s: the last two need the buffer to have wrapped
    session, n = run_session(signal_with_words(25, words), hop_seconds=0.25)
    try:
        snap = session.snapshot()
        s = snap.stats
        assert s["frames_in"] == s["frames_processed"] == n and s["frames_dropped"] == 0
        assert s["samples_in"] == n * FRAME
        assert abs(s["samples_out"] - n * FRAME * 44100 / 48000) <= 1
        assert s["steps_skipped"] == 0 and s["format"].startswith("48000 Hz, 2 channels, s16, 960")
        heard = [d.seconds for d in snap.detections]
        assert len(heard) == len(words), heard
        for t, w in zip(heard, words):
            assert abs(t - w) < 0.05  # the loudness stand-in fires as the burst begins
        assert [d.number for d in snap.detections] == [1, 2, 3, 4]
        assert len(snap.probabilities) == Ty and snap.times[-1] == pytest.approx(snap.seconds, abs=0.3)
    finally:
        assert session.stop()


def test_a_burst_longer_than_the_refractory_period_rings_again_like_the_course():
    """The rule is the course's, not "once per burst": 1.5 s of loudness is 206 steps → 3 chimes."""
    session, _ = run_session(signal_with_words(6, [2.0], word_seconds=1.5))
    try:
        steps = [d.step for d in session.snapshot().detections]
        assert np.all(np.diff(steps) == REFRACTORY_STEPS + 1) and len(steps) == 3
    finally:
        session.stop()


def test_silence_rings_nothing_and_the_level_meter_reads_the_input():
    session, _ = run_session(0.1 * np.sin(2 * np.pi * 300 * np.arange(3 * 48000) / 48000) * 0.3)
    try:
        snap = session.snapshot()
        assert snap.detections == []
        assert snap.level_dbfs == pytest.approx(20 * np.log10(0.03 / np.sqrt(2)), abs=0.5)
    finally:
        session.stop()


def test_a_lagging_model_still_decides_every_step():
    """A model slower than the audio: the worker runs it at least once per 5 s of audio."""
    session, n = run_session(signal_with_words(30, [3.0, 14.0, 26.0]), LoudnessDetector(delay=0.02))
    try:
        snap = session.snapshot()
        assert snap.stats["steps_skipped"] == 0
        assert snap.stats["steps_decided"] >= int(29.7 / STEP_SECONDS)
        assert len(snap.detections) == 3
    finally:
        session.stop()


def test_sessions_are_independent():
    a, _ = run_session(signal_with_words(4, [1.0]))
    b, _ = run_session(signal_with_words(4, []))
    try:
        assert len(a.snapshot().detections) == 1 and b.snapshot().detections == []
    finally:
        a.stop(), b.stop()


# --- the worker's shutdown ------------------------------------------------------------------

def test_stop_leaves_no_thread_and_no_buffer_and_a_restart_is_fresh():
    before = set(live_threads())
    session, _ = run_session(signal_with_words(3, [1.0]))
    assert session.running and len(set(live_threads()) - before) == 1
    assert session.stop(timeout=5)
    assert set(live_threads()) == before
    assert session._buffer is None and session._resampler is None
    assert session.snapshot().detections  # the log stays readable after stop
    assert session.snapshot().stats["stopped_because"] == "stopped"
    session.start()
    assert session.snapshot().detections == [] and session.snapshot().stats["frames_in"] == 0
    assert session.stop()
    assert set(live_threads()) == before


def test_stop_while_the_model_runs_waits_for_it():
    session = LiveSession(LoudnessDetector(delay=0.3), hop_seconds=0.02)
    for frame in stereo_frames(signal_with_words(1, [])):
        session.push_frame(frame)
    time.sleep(0.1)
    assert session.stop(timeout=5)
    assert not session.running


def test_request_stop_from_another_thread_and_frames_arriving_while_stopping_are_counted():
    session = LiveSession(LoudnessDetector(delay=0.2), hop_seconds=0.02)
    frames = list(stereo_frames(signal_with_words(1, [])))
    session.push_frame(frames[0])
    time.sleep(0.05)
    threading.Thread(target=session.request_stop).start()
    time.sleep(0.01)
    for f in frames[1:5]:
        session.push_frame(f)
    assert session.stop(timeout=5)
    s = session.snapshot().stats
    assert s["frames_in"] + s["frames_rejected"] == 5
    assert s["frames_in"] == s["frames_processed"] + s["frames_dropped"]


def test_an_idle_worker_stops_itself():
    session = LiveSession(LoudnessDetector(), idle_timeout=0.2)
    session.push_frame(next(stereo_frames(np.zeros(FRAME, dtype=np.float32))))
    deadline = time.monotonic() + 5
    while session.running and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not session.running and session._buffer is None
    assert "no audio" in session.snapshot().stats["stopped_because"]


def test_a_failing_model_ends_the_worker_with_a_message():
    class Broken(LoudnessDetector):
        def clip_probabilities(self, samples):
            raise RuntimeError("out of memory")

    session = LiveSession(Broken(), hop_seconds=0.02)
    for frame in stereo_frames(np.zeros(4800, dtype=np.float32)):
        session.push_frame(frame)
    deadline = time.monotonic() + 5
    while session.running and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not session.running and "out of memory" in session.snapshot().error


def test_frames_after_stop_are_counted_and_start_no_new_run_until_start():
    """A frame WebRTC delivers after STOP must neither vanish nor wipe the log with a new run."""
    session, _ = run_session(signal_with_words(3, [1.0]))
    assert session.stop()
    frame = next(stereo_frames(np.zeros(FRAME, dtype=np.float32)))
    session.push_frame(frame)
    assert not session.running and len(session.snapshot().detections) == 1
    assert session.snapshot().stats["frames_rejected"] == 1
    session.start()  # START again: a fresh run that shows the late frame among its rejected ones
    assert session.snapshot().stats["frames_rejected"] == 1 and session.snapshot().detections == []
    session.push_frame(frame)
    assert session.wait_idle(10) and session.snapshot().stats["frames_processed"] == 1
    assert session.stop()


# --- the spotter: only the audio the new steps need -------------------------------------------

def counting_spotter(model, config):
    """The real spotter, noting the audio and the windows each model run gets (a subclass that
    only counts; keras is imported here, not when the stream's other tests load)."""
    from core.trigger import spotter

    class CountingSpotter(spotter.SpotterDetector):
        def __init__(self, *args):
            super().__init__(*args)
            self.lengths, self.windows_run = [], []

        def probabilities(self, samples, from_step=0):
            self.lengths.append(len(samples))
            return super().probabilities(samples, from_step)

        def window_probabilities(self, batch):
            self.windows_run.append(len(batch))
            return super().window_probabilities(batch)

    return CountingSpotter(model, config)


@pytest.fixture(scope="module")
def small_spotter_model():
    """An untrained small spotter (fixed seed): the code path, not the answers."""
    import keras

    from core.trigger import spotter

    keras.utils.set_random_seed(0)
    return spotter.build_model(filters=(8, 8, 8, 8))


def stream_paced(detector, x, threshold=None, frame=2400):
    """Push 50 ms frames one at a time and wait for the worker after each, so the model runs at
    the same points of the audio (every 0.25 s) in every run; → (the last snapshot, every
    decided step's probability from the stream's start)."""
    session = LiveSession(detector, threshold=threshold)
    curve = np.full(int(len(x) * SAMPLE_RATE / WEBRTC_RATE) // STEP_SAMPLES + 1, np.nan, np.float32)
    try:
        for f in stereo_frames(x, frame):
            session.push_frame(f)
            assert session.wait_idle(60)
            snap = session.snapshot()
            curve[snap.first_step:snap.first_step + len(snap.probabilities)] = snap.probabilities
    finally:
        assert session.stop()
    decided = snap.first_step + len(snap.probabilities)
    assert decided == snap.stats["steps_decided"] and not np.isnan(curve[:decided]).any()
    return snap, curve[:decided]


def test_the_spotter_is_given_a_few_seconds_and_runs_a_few_windows_not_the_whole_10_s(small_spotter_model):
    x = signal_with_words(12, [3.0, 8.0])
    short = counting_spotter(small_spotter_model, {"threshold": 0.5})
    snap, _ = stream_paced(short, x)
    s = snap.stats
    assert s["model_runs"] == len(short.lengths) >= 40 and s["steps_skipped"] == 0
    seconds = np.array(short.lengths) / SAMPLE_RATE
    assert seconds.min() >= short.context_seconds and seconds.max() < 6.5  # 3.6 s here, not 10
    assert s["model_audio_seconds"] == pytest.approx(seconds.sum()) and s["last_window_seconds"] == seconds[-1]
    assert max(short.windows_run) <= 8  # 0.25 s of new steps: 3 windows and the 2 before them, not 100

    full = counting_spotter(small_spotter_model, {"threshold": 0.5})
    full.context_seconds = None  # the old path: the whole 10 s, as the course's model gets it
    snap, _ = stream_paced(full, x[:WEBRTC_RATE])
    assert set(full.lengths) == {441000} and set(full.windows_run) == {100}
    assert snap.stats["last_window_seconds"] == pytest.approx(10.0)


@pytest.mark.parametrize("views", [(), (1.5,)], ids=["plain", "slow_views"])
def test_the_spotter_decides_each_step_as_the_10_s_window_would(small_spotter_model, monkeypatch, views):
    """Without the front end's dither (seeded by the audio's length, so a 3.6 s slice and a 10 s
    window get different −90 dBFS noise) the answers are the 10 s window's to float rounding:
    the slice's windows fall exactly where the 10 s window's do (with slow views, the slice
    reaches back as far as the longest view needs)."""
    from core.trigger import logmel, spotter
    from core.trigger.audio import resample

    monkeypatch.setattr(logmel, "_DITHER", 0.0)
    x = signal_with_words(20, [1.5, 4.0, 7.2, 11.0, 14.3, 17.6], word_seconds=0.4)
    detector = spotter.SpotterDetector(small_spotter_model, {"threshold": 0.5, "slow_views": list(views)})
    threshold = float(np.percentile(detector.probabilities(resample(x, WEBRTC_RATE, SAMPLE_RATE)), 97))
    short, short_curve = stream_paced(detector, x, threshold)
    detector.context_seconds = None  # the old path, on the same detector
    full, full_curve = stream_paced(detector, x, threshold)
    assert short.stats["model_audio_seconds"] < (0.75 if views else 0.45) * full.stats["model_audio_seconds"]
    assert len(short_curve) == len(full_curve) > 2700
    tolerance = 5e-5 if views else 1e-5  # float rounding: twice the windows, other batch shapes
    assert np.abs(short_curve - full_curve).max() < tolerance
    assert [d.step for d in short.detections] == [d.step for d in full.detections] and len(full.detections) >= 3
    for d, e in zip(short.detections, full.detections):
        assert d.probability == pytest.approx(e.probability, abs=tolerance)
        assert d.probability == short_curve[d.step] and d.probability > threshold  # looked up in the slice


@pytest.mark.slow
def test_the_shipped_spotter_hears_the_same_words_from_the_slices_as_from_the_10_s_windows():
    """The real thing, dither and all: the held-out voices ring at the same steps either way, and
    the curves differ only by the dither's noise (measured: median 7e-7; 99th percentile 4e-4 for
    v7's weights, 2.8e-3 for v8's, whose largest difference is 3.4e-3)."""
    from core.trigger import spotter
    from core.trigger.audio import resample
    from core.trigger.voicebank.bank import load_bundled_bank, split_bank

    dev = split_bank(load_bundled_bank())[1]
    rng = np.random.default_rng(0)
    x = (0.003 * rng.standard_normal(20 * SAMPLE_RATE)).astype(np.float32)
    for word, end in zip(dev.activates, [4.0, 9.5, 15.0]):
        stop = int(end * SAMPLE_RATE)
        x[stop - len(word):stop] += word
    other = dev.negatives[0]
    x[6 * SAMPLE_RATE:6 * SAMPLE_RATE + len(other)] += other
    detector = spotter.SpotterDetector.load()
    short, short_curve = stream_paced(detector, resample(x, SAMPLE_RATE, WEBRTC_RATE))
    detector.context_seconds = None
    full, full_curve = stream_paced(detector, resample(x, SAMPLE_RATE, WEBRTC_RATE))
    diff = np.abs(short_curve - full_curve)
    assert np.median(diff) < 1e-5 and np.percentile(diff, 99) < 5e-3 and diff.max() < 0.02
    assert [d.step for d in short.detections] == [d.step for d in full.detections]
    assert len(full.detections) == min(3, len(dev.activates))
