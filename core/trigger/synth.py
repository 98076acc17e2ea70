"""The course's recipe for one training example: insert clips into a 10 s background, label y.

Same names and meaning as the assignment, on numpy float32 arrays at 44.1 kHz instead of
pydub AudioSegments (about 20× faster), with times still in milliseconds. Randomness comes
from a numpy Generator passed in, so the same seed gives the same example, bit for bit.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from core.trigger.audio import SAMPLE_RATE, dbfs, to_int16
from core.trigger.spectrogram import N_FREQ, PCM_SCALE, graph_spectrogram, n_frames

BACKGROUND_MS = 10000  # every training example is 10 s
Tx = n_frames(BACKGROUND_MS * SAMPLE_RATE // 1000)  # 5511 spectrogram time steps
Ty = 1375  # the GRU model's output steps (after the stride-4 Conv1D)
n_freq = N_FREQ  # 101
ONES_AFTER = 50  # y is 1 for 50 steps (≈ 0.36 s) right after an "activate" ends
BACKGROUND_GAIN_DB = -20.0  # the course lowers the background by 20 dB
TARGET_DBFS = -20.0  # and normalises the finished example to −20 dBFS
MAX_ACTIVATES = 4  # np.random.randint(0, 5): 0 to 4
MAX_NEGATIVES = 2  # np.random.randint(0, 3): 0 to 2
RETRIES = 5  # insert_audio_clip tries 1 + 6 placements before it gives up


def _rng(rng):
    return rng if rng is not None else np.random.default_rng()


def ms_to_samples(ms: float) -> int:
    return int(round(ms * SAMPLE_RATE / 1000))


def length_ms(clip: np.ndarray) -> int:
    """Clip length in whole milliseconds, as len(AudioSegment) gives it."""
    return int(len(clip) * 1000 // SAMPLE_RATE)


def get_random_time_segment(segment_ms: int, rng: np.random.Generator | None = None) -> tuple[int, int]:
    """A random (start, end) in ms for a clip of segment_ms inside the 10 s background.

    The course's np.random.randint(low=0, high=10000-segment_ms): high is exclusive, and the
    end is inclusive (start + segment_ms - 1).
    """
    if segment_ms >= BACKGROUND_MS:
        raise ValueError(f"a {segment_ms} ms clip does not fit in a {BACKGROUND_MS} ms background")
    segment_start = int(_rng(rng).integers(low=0, high=BACKGROUND_MS - segment_ms))
    segment_end = segment_start + segment_ms - 1
    return segment_start, segment_end


def is_overlapping(segment_time: tuple[int, int], previous_segments) -> bool:
    """True if segment_time overlaps any of previous_segments (both ends inclusive)."""
    segment_start, segment_end = segment_time
    overlap = False
    for previous_start, previous_end in previous_segments:
        if segment_start <= previous_end and segment_end >= previous_start:
            overlap = True
            break
    return overlap


def overlay(background: np.ndarray, clip: np.ndarray, position_ms: int) -> np.ndarray:
    """pydub's background.overlay(clip, position): add, cut at the end, saturate at full scale."""
    out = background.copy()
    start = ms_to_samples(position_ms)
    stop = min(len(out), start + len(clip))
    out[start:stop] += clip[:stop - start]
    np.clip(out, -1.0, 1.0, out=out)
    return out


def insert_audio_clip(background: np.ndarray, audio_clip: np.ndarray, previous_segments: list,
                      rng: np.random.Generator | None = None) -> tuple[np.ndarray, tuple[int, int]]:
    """Overlay audio_clip at a random time that overlaps no previous segment.

    Tries a fresh segment up to RETRIES + 1 more times; if all overlap, the background is
    returned unchanged with segment (10000, 10000), which insert_ones ignores. Appends the
    segment used to previous_segments (the course relies on this side effect).
    """
    rng = _rng(rng)
    segment_ms = length_ms(audio_clip)
    segment_time = get_random_time_segment(segment_ms, rng)
    retry = RETRIES
    while is_overlapping(segment_time, previous_segments) and retry >= 0:
        segment_time = get_random_time_segment(segment_ms, rng)
        retry = retry - 1
    if not is_overlapping(segment_time, previous_segments):
        previous_segments.append(segment_time)
        new_background = overlay(background, audio_clip, segment_time[0])
    else:
        new_background = background
        segment_time = (BACKGROUND_MS, BACKGROUND_MS)
    return new_background, segment_time


def insert_ones(y: np.ndarray, segment_end_ms: int) -> np.ndarray:
    """Set the 50 labels after segment_end_ms to 1 (cut at Ty). y is (1, Ty) or (Ty,); in place."""
    flat = y.reshape(-1)
    total = flat.shape[0]
    segment_end_y = int(segment_end_ms * total / float(BACKGROUND_MS))
    for i in range(segment_end_y + 1, segment_end_y + ONES_AFTER + 1):
        if i < total:
            flat[i] = 1
    return y


def match_target_amplitude(sound: np.ndarray, target_dBFS: float) -> np.ndarray:
    """Scale sound so its RMS is target_dBFS (pydub's apply_gain; silence stays silent)."""
    level = dbfs(sound)
    if not np.isfinite(level):
        return sound.copy()
    change_in_dBFS = target_dBFS - level
    return np.clip(sound * np.float32(10.0 ** (change_in_dBFS / 20.0)), -1.0, 1.0).astype(np.float32)


@dataclass
class TrainingExample:
    """One example and how it was made (the page draws the timeline from `segments`)."""

    audio: np.ndarray  # float32, 441000 samples, normalised to −20 dBFS
    x: np.ndarray  # (n_freq, Tx) = (101, 5511): the spectrogram, as graph_spectrogram returns it
    y: np.ndarray  # (1, Ty) = (1, 1375), as the course returns it
    segments: list = field(default_factory=list)  # dicts: kind, index, start_ms, end_ms, placed


def make_example(background, activates, negatives, rng=None, n_activates=None, n_negatives=None,
                 augment_clip=None, augment_recording=None, Ty: int = Ty) -> TrainingExample:
    """The course's create_training_example, keeping the audio and where each clip went.

    n_activates / n_negatives: None draws them as the course does (0–4 and 0–2). The
    optional augment_clip(clip, rng) changes each clip before it is inserted;
    augment_recording(audio, rng) changes the mixed 10 s (a room, a microphone) before the
    level is normalised, and so before the spectrogram.
    """
    rng = _rng(rng)
    background = np.asarray(background, dtype=np.float32)[:ms_to_samples(BACKGROUND_MS)]
    # Make background quieter
    background = background * np.float32(10.0 ** (BACKGROUND_GAIN_DB / 20.0))
    y = np.zeros((1, Ty), dtype=np.float32)
    previous_segments: list = []
    segments = []
    number_of_activates = int(rng.integers(0, MAX_ACTIVATES + 1)) if n_activates is None else n_activates
    number_of_negatives = int(rng.integers(0, MAX_NEGATIVES + 1)) if n_negatives is None else n_negatives
    random_indices = rng.integers(len(activates), size=number_of_activates) if len(activates) else []
    for i in random_indices:
        clip = augment_clip(activates[i], rng) if augment_clip else activates[i]
        background, segment_time = insert_audio_clip(background, clip, previous_segments, rng)
        segment_start, segment_end = segment_time
        y = insert_ones(y, segment_end)
        segments.append(dict(kind="activate", index=int(i), start_ms=segment_start, end_ms=segment_end,
                             placed=segment_start < BACKGROUND_MS))
    random_indices = rng.integers(len(negatives), size=number_of_negatives) if len(negatives) else []
    for i in random_indices:
        clip = augment_clip(negatives[i], rng) if augment_clip else negatives[i]
        background, segment_time = insert_audio_clip(background, clip, previous_segments, rng)
        segments.append(dict(kind="negative", index=int(i), start_ms=segment_time[0], end_ms=segment_time[1],
                             placed=segment_time[0] < BACKGROUND_MS))
    if augment_recording is not None:
        background = augment_recording(background, rng)
    background = match_target_amplitude(background, TARGET_DBFS)
    # the course exports to 16-bit WAV and reads it back: the same int16 rounding, in memory
    pcm = to_int16(background)
    x = graph_spectrogram(pcm)
    return TrainingExample(audio=(pcm / PCM_SCALE).astype(np.float32), x=x, y=y, segments=segments)


def create_training_example(background, activates, negatives, Ty: int = Ty, rng=None, **options):
    """The course's function: returns x (n_freq, Tx) = (101, 5511) and y (1, Ty) = (1, 1375).

    The model wants x transposed, (Tx, n_freq), and y as (Ty, 1): see training/dataset.py.
    options go to make_example (n_activates, n_negatives, augment_clip, augment_recording).
    """
    example = make_example(background, activates, negatives, rng=rng, Ty=Ty, **options)
    return example.x, example.y
