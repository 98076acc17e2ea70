"""Real room sound around a recorded word: the word's bounds, the stretch of room beside it, loops."""
import numpy as np

from core.trigger.voicebank import roomtone

RATE = roomtone.RATE


def recording(rng):
    """3 s: a quiet room, a fan from 0.2 s to 2.5 s, a 220 Hz "word" from 1.0 s to 1.6 s, then
    digital silence from 2.8 s, as some real recordings end."""
    audio = rng.standard_normal(3 * RATE) * 10 ** (-75 / 20)
    audio[int(0.2 * RATE):int(2.5 * RATE)] += rng.standard_normal(int(2.3 * RATE)) * 10 ** (-47 / 20)
    t = np.arange(int(0.6 * RATE)) / RATE
    word = np.sin(2 * np.pi * 220 * t) * np.sin(np.pi * t / 0.6) ** 0.3 * 10 ** (-22 / 20) * 1.4
    audio[RATE:RATE + len(word)] += word
    audio[int(2.8 * RATE):] = 0.0
    return audio.astype(np.float32)


def test_word_bounds_ends_at_the_word_not_at_the_fan_after_it():
    start, stop = roomtone.word_bounds(recording(np.random.default_rng(0)), RATE)
    assert abs(start / RATE - 1.0) < 0.08 and abs(stop / RATE - 1.6) < 0.08


def test_the_quiet_stretch_is_the_longer_side_of_the_room_without_the_word_or_digital_silence():
    audio = recording(np.random.default_rng(1))
    stretch = roomtone.quiet_stretch(audio, RATE)
    # after the word: 1.6 s + 0.1 s margin (+ word_bounds' 30 ms pad) to 2.8 s, where the silence starts
    assert 1.0 < len(stretch) / RATE < 1.15
    assert np.all(np.abs(stretch) < 0.05)  # none of the word (its peak is ~0.1)
    tail = audio[int(1.75 * RATE):int(2.8 * RATE)]
    assert np.array_equal(stretch[-len(tail):], tail)  # as recorded, contiguous: not the quietest frames picked
    assert roomtone.quiet_stretch(audio[:int(1.7 * RATE)], RATE, min_seconds=1.0) is None  # too short


def test_a_loop_repeats_the_piece_to_any_length_with_crossfaded_joints():
    piece = np.linspace(-1.0, 1.0, RATE // 2, dtype=np.float32)
    out = roomtone.loop_to(piece, 3 * RATE, RATE)
    assert len(out) == 3 * RATE and out.dtype == np.float32
    fade = int(0.02 * RATE)
    assert np.array_equal(out[:len(piece) - fade], piece[:-fade])
    assert np.max(np.abs(np.diff(out))) < 0.15  # no jump from +1 back to -1 at a joint
    assert np.array_equal(roomtone.loop_to(piece, 100, RATE), piece[:100])


def test_quiet_frames_are_the_room_alone_without_the_word_or_digital_silence():
    audio = recording(np.random.default_rng(2))
    tone = roomtone.quiet_frames(audio, RATE)
    assert tone.dtype == np.float32 and len(tone) % (RATE // 100) == 0
    assert np.max(np.abs(tone)) < 0.02  # quiet room and fan only: the word peaks near 0.1
    assert np.all(np.sqrt(np.mean(tone.reshape(-1, RATE // 100) ** 2, axis=1)) > 1e-5)  # no digital silence
    assert roomtone.quiet_frames(audio[:RATE // 20], RATE) is None  # under 10 frames
