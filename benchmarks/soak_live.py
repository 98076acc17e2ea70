"""Soak check of the live path: 10 minutes of streamed audio, in process, without a browser.

    .venv/bin/python benchmarks/soak_live.py                 # 10 min of audio, as fast as it can go
    .venv/bin/python benchmarks/soak_live.py --speed 1       # paced like a real microphone (10 min)
    .venv/bin/python benchmarks/soak_live.py --stub          # a cheap stand-in for the model
    .venv/bin/python benchmarks/soak_live.py --model models/spotter --minutes 1   # the spotter
    .venv/bin/python benchmarks/soak_live.py --model models/spotter --full-window # … on all 10 s each hop

Frames go through exactly what the browser's frames go through (LiveSession.push_frame with
av.AudioFrames as aiortc hands them over: 48 kHz, 960 samples, s16 interleaved stereo), then
the worker: downmix, resample to 44.1 kHz, the rolling 10 s buffer, the model, the chime rule.
The audio is quiet noise with a held-out voice saying "activate" every ~10 s and other words
in between. "As fast as it can go" keeps at most 5 s of audio waiting (the worker runs the
model once per 5 s of backlog), so the max lag printed then measures throughput, not a live
microphone's latency; --speed 1 gives the live figure.

Prints frames in/out, samples, model runs, detections, RSS (start after a 1-minute warm-up,
end, peak) and the max lag; exits 1 if a frame was dropped, a step was never decided, a worker
thread was left behind, or memory grew by more than 50 MB.
"""
import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import av  # noqa: E402

from core.trigger.audio import SAMPLE_RATE, resample  # noqa: E402
from core.trigger.detect import STEP_SAMPLES  # noqa: E402
from core.trigger.stream import LiveSession, live_threads  # noqa: E402
from core.trigger.synth import Ty  # noqa: E402

RATE, FRAME = 48000, 960
SEGMENT_SECONDS = 10  # one "activate" per segment
BACKLOG_FRAMES = 250  # 5 s: "as fast as it can go" waits when this much audio is queued
GROWTH_LIMIT_MB = 50


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


class Stub:
    """A stand-in model: P = 1 where the audio is loud (same interface, ~1 ms a window)."""

    threshold = 0.5

    def clip_probabilities(self, samples):
        square = np.concatenate([[0.0], np.cumsum(np.square(samples, dtype=np.float64))])
        starts = np.arange(Ty) * STEP_SAMPLES
        return (np.sqrt((square[starts + 1320] - square[starts]) / 1320) > 0.02).astype(np.float32)


def segments(bank, rng):
    """Endless 10 s segments at 48 kHz (noise, one 'activate', one other word) and the
    stream time (s) at which each 'activate' ends, relative to the segment."""
    while True:
        audio = (0.003 * rng.standard_normal(SEGMENT_SECONDS * SAMPLE_RATE)).astype(np.float32)
        word = bank.activates[rng.integers(len(bank.activates))]
        other = bank.negatives[rng.integers(len(bank.negatives))]
        end = rng.uniform(6.0, 9.0)
        stop = int(end * SAMPLE_RATE)
        audio[stop - len(word):stop] += word
        other_stop = int(rng.uniform(1.0 + len(other) / SAMPLE_RATE, 4.5) * SAMPLE_RATE)
        audio[other_stop - len(other):other_stop] += other
        yield resample(audio, SAMPLE_RATE, RATE), end


def frames_of(x):
    pcm = np.clip(np.round(x * 32767), -32768, 32767).astype(np.int16)
    for start in range(0, len(pcm) - FRAME + 1, FRAME):
        chunk = pcm[start:start + FRAME]
        frame = av.AudioFrame.from_ndarray(np.stack([chunk, chunk], axis=1).reshape(1, -1),
                                           format="s16", layout="stereo")
        frame.sample_rate = RATE
        yield frame


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--speed", type=float, default=0.0, help="× real time; 0: as fast as it can go")
    parser.add_argument("--stub", action="store_true", help="a loudness stand-in instead of the trained model")
    parser.add_argument("--model", help="a model folder (models/spotter, models/trigger); default: the course's")
    parser.add_argument("--full-window", action="store_true",
                        help="give the model all 10 s every hop even if it needs less (the spotter)")
    args = parser.parse_args()

    from core.trigger.voicebank.bank import load_bundled_bank, split_bank

    if args.stub:
        detector, model = Stub(), "stand-in (loudness)"
    else:
        from core.trigger.detect import TriggerDetector
        from core.trigger.spotter import load_detector

        detector = load_detector(args.model) if args.model else TriggerDetector.load()
        detector.clip_probabilities(np.zeros(441000, dtype=np.float32))
        model = f"trained model ({args.model or 'the course'})"
        if args.full_window:
            detector.context_seconds = None
        if getattr(detector, "context_seconds", None) is not None:  # the short path's graph, too
            detector.probabilities(np.zeros(3 * SAMPLE_RATE, dtype=np.float32), from_step=300)
            model += f", the newest {detector.context_seconds:.2f}+ s of each window"
        else:
            model += ", all 10 s of each window"
    bank = split_bank(load_bundled_bank())[1]  # held-out voices
    session = LiveSession(detector)
    threads_before = set(live_threads())
    total_frames = int(args.minutes * 60 * RATE / FRAME)
    segment_frames = SEGMENT_SECONDS * RATE // FRAME
    print(f"soak: {args.minutes:g} min of 48 kHz stereo s16 frames ({total_frames}), {model}, "
          f"{'as fast as it can go' if args.speed <= 0 else f'{args.speed:g}× real time'}")

    rss = {"start": None, "peak": rss_mb()}
    placed = []
    sent = 0
    started = time.monotonic()
    source = segments(bank, np.random.default_rng(0))
    while sent < total_frames:
        audio, end = next(source)
        placed.append(sent * FRAME / RATE + end)
        for frame in frames_of(audio):
            if sent >= total_frames:
                break
            if args.speed > 0:
                due = started + sent * FRAME / RATE / args.speed
                delay = due - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
            else:
                while True:
                    s = session.stats
                    if s["frames_in"] - s["frames_processed"] < BACKLOG_FRAMES:
                        break
                    time.sleep(0.002)
            session.push_frame(frame)
            sent += 1
            if sent % (segment_frames * 6) == 0:  # every minute of audio
                rss["peak"] = max(rss["peak"], rss_mb())
                if rss["start"] is None:
                    rss["start"] = rss_mb()  # after a minute: TensorFlow's caches are warm
                print(f"  {sent * FRAME / RATE / 60:4.1f} min of audio in {time.monotonic() - started:6.1f} s, "
                      f"RSS {rss_mb():.0f} MB, detections {len(session.detections)}", flush=True)
    placed = [t for t in placed if t < sent * FRAME / RATE]
    session.wait_idle(120)
    snap = session.snapshot()
    rss["end"] = rss_mb()
    if rss["start"] is None:
        rss["start"] = rss["end"]
    stopped = session.stop()
    wall = time.monotonic() - started
    leftover = set(live_threads()) - threads_before
    s = snap.stats

    heard = [d.seconds for d in snap.detections]
    hits = sum(any(-0.3 <= h - t <= 1.0 for h in heard) for t in placed)
    false = sum(not any(-0.3 <= h - t <= 1.0 for t in placed) for h in heard)
    print(f"frames: sent {sent}, in {s['frames_in']}, processed {s['frames_processed']}, "
          f"dropped {s['frames_dropped']}, rejected {s['frames_rejected']}")
    print(f"samples: in {s['samples_in']} at 48 kHz, out {s['samples_out']} at 44.1 kHz "
          f"(expected {s['samples_in'] * SAMPLE_RATE / RATE:.0f})")
    print(f"model: {s['model_runs']} runs, {s['model_seconds'] / max(1, s['model_runs']) * 1000:.0f} ms mean, "
          f"{s['max_model_seconds'] * 1000:.0f} ms max, {s['model_audio_seconds'] / max(1, s['model_runs']):.2f} s "
          f"of audio per run; steps decided {s['steps_decided']}, never decided "
          f"{s['steps_skipped']}")
    print(f"detections: {len(heard)} for {len(placed)} spoken 'activate' ({hits} heard, {false} elsewhere)")
    print(f"RSS: start {rss['start']:.0f} MB (after 1 min of audio), end {rss['end']:.0f} MB, "
          f"peak {max(rss['peak'], rss['end']):.0f} MB, growth {rss['end'] - rss['start']:+.1f} MB")
    print(f"max lag (audio pushed → through the model): {s['max_lag']:.2f} s; wall time {wall:.0f} s "
          f"({sent * FRAME / RATE / wall:.1f}× real time); worker stopped: {stopped}, "
          f"threads left: {len(leftover)}")

    problems = []
    if not (s["frames_in"] == s["frames_processed"] == sent) or s["frames_dropped"] or s["frames_rejected"]:
        problems.append("frames were lost")
    if s["steps_skipped"]:
        problems.append("steps were never decided")
    if leftover or not stopped:
        problems.append("a worker thread was left behind")
    if rss["end"] - rss["start"] > GROWTH_LIMIT_MB:
        problems.append(f"memory grew by more than {GROWTH_LIMIT_MB} MB")
    print("OK: no frame dropped, memory flat" if not problems else "PROBLEM: " + "; ".join(problems))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
