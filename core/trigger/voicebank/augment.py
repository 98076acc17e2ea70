"""Augmentation with numpy: more speakers, rooms and microphones than the TTS voices give.

Per clip: speed (tape-style: tempo and pitch together), pitch alone (phase vocoder),
vocal-tract length (formants moved by warping each frame's spectrum), room reverb (a
synthetic exponentially decaying impulse response) and gain. Per 10 s recording: the band
of a laptop or phone microphone (an FFT-domain filter). Every random choice comes from the
Generator passed in, so an augmented example is still reproducible from its seed.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.trigger.audio import SAMPLE_RATE

STFT_SIZE = 1024  # 23 ms at 44.1 kHz: fine enough in frequency for formants
STFT_HOP = 256
STFT_WINDOW = np.hanning(STFT_SIZE).astype(np.float32)
MICROPHONES = {  # pass band in Hz: what each microphone roughly keeps
    "studio": (20.0, 20000.0),
    "headset": (100.0, 8000.0),
    "laptop": (200.0, 7000.0),
    "phone": (300.0, 3400.0),  # the narrow-band telephone channel
}


def change_speed(clip: np.ndarray, factor: float) -> np.ndarray:
    """Play faster (factor > 1) or slower, like a tape: pitch moves too. Linear interpolation.

    Linear interpolation is a mild low-pass; for factors near 1 its aliasing is far below
    the speech, which is all augmentation needs.
    """
    positions = np.arange(0.0, len(clip) - 1, factor)
    return np.interp(positions, np.arange(len(clip)), clip).astype(np.float32)


def _stft(x: np.ndarray) -> np.ndarray:
    padded = np.pad(x, (STFT_SIZE, STFT_SIZE))
    frames = np.lib.stride_tricks.sliding_window_view(padded, STFT_SIZE)[::STFT_HOP]
    return np.fft.rfft(frames * STFT_WINDOW, axis=1)  # (frames, bins)


def _istft(spectrum: np.ndarray, length: int) -> np.ndarray:
    """Overlap-add, divided by the summed squared window so an unchanged STFT returns x."""
    parts = STFT_SIZE // STFT_HOP  # the hop divides the window: add it in hop-sized blocks
    frames = (np.fft.irfft(spectrum, STFT_SIZE, axis=1) * STFT_WINDOW).reshape(len(spectrum), parts, STFT_HOP)
    out = np.zeros((len(spectrum) + parts - 1, STFT_HOP))
    norm = np.zeros_like(out)
    squared = (STFT_WINDOW.astype(np.float64) ** 2).reshape(parts, STFT_HOP)
    for b in range(parts):
        out[b:b + len(spectrum)] += frames[:, b]
        norm[b:b + len(spectrum)] += squared[b]
    out = out.reshape(-1) / np.maximum(norm.reshape(-1), 1e-3)
    return out[STFT_SIZE:STFT_SIZE + length].astype(np.float32)


def time_stretch(clip: np.ndarray, rate) -> np.ndarray:
    """Phase vocoder: rate > 1 shortens the clip without changing its pitch. rate may also be one
    rate per STFT frame of the clip (vowels slower than consonants: drawn_out)."""
    spectrum = _stft(clip)
    if np.ndim(rate):
        rates = np.asarray(rate, np.float64)
        if len(rates) != len(spectrum) or np.any(rates <= 0):
            raise ValueError(f"need {len(spectrum)} positive rates, one per frame (frames_of)")
        steps, position = [], 0.0
        while position < len(spectrum) - 1:
            steps.append(position)
            position += rates[int(position)]
        steps = np.asarray(steps)
        length = int(round(len(clip) * len(steps) / (len(spectrum) - 1)))
    else:
        steps = np.arange(0.0, len(spectrum) - 1, rate)
        length = int(round(len(clip) / rate))
    left = steps.astype(int)
    frac = (steps - left)[:, None]
    magnitude = (1 - frac) * np.abs(spectrum[left]) + frac * np.abs(spectrum[left + 1])
    expected = 2 * np.pi * STFT_HOP * np.arange(spectrum.shape[1]) / STFT_SIZE
    advance = np.angle(spectrum[left + 1]) - np.angle(spectrum[left]) - expected
    advance = expected + (advance + np.pi) % (2 * np.pi) - np.pi  # true frequency, per hop
    phase = np.angle(spectrum[0]) + np.concatenate([np.zeros((1, len(expected))), np.cumsum(advance[:-1], axis=0)])
    return _istft(magnitude * np.exp(1j * phase), length)


def frames_of(clip: np.ndarray) -> int:
    """How many STFT frames time_stretch sees in clip (the length of a per-frame rate)."""
    return 1 + (len(clip) + STFT_SIZE) // STFT_HOP


def drawn_out(clip: np.ndarray, slow: float, rng: np.random.Generator) -> np.ndarray:
    """A word drawn out as people draw it out: its loud (voiced, vowel) frames slowed to rate
    slow (0.3: over three times as long), its quiet ones (consonants, gaps) barely, each
    frame's rate jittered. Uniform stretching slows the consonants as much as the vowels."""
    power = np.sum(np.abs(_stft(np.asarray(clip, np.float32))) ** 2, axis=1)  # time_stretch's frames
    level = 10 * np.log10(power + 1e-12)
    loud = level > np.max(level) - 15.0  # within 15 dB of the loudest frame
    rates = np.where(loud, slow, 0.85) * rng.uniform(0.85, 1.15, len(power))
    return time_stretch(clip, np.convolve(np.pad(rates, 2, mode="edge"), np.ones(5) / 5, mode="valid"))  # smooth


def change_pitch(clip: np.ndarray, semitones: float) -> np.ndarray:
    """Raise (or lower) the pitch by semitones, same duration: stretch, then speed back up."""
    factor = 2.0 ** (semitones / 12.0)
    return change_speed(time_stretch(clip, 1.0 / factor), factor)[:len(clip)]


def _envelope(spectrum: np.ndarray, sample_rate: int) -> np.ndarray:
    """Each frame's log spectral envelope from linear prediction (LPC of order ~1 per kHz + 4, by
    Levinson-Durbin over all frames at once): the vocal tract's formants, without the harmonics."""
    order = min(48, sample_rate // 1000 + 4)
    r = np.fft.irfft(np.abs(spectrum) ** 2, STFT_SIZE, axis=1)[:, :order + 1]
    r[:, 0] *= 1.0 + 1e-6  # a little white noise: a stable solution for near-silent frames
    r[:, 0] += 1e-12
    a = np.zeros((len(r), order + 1))
    a[:, 0] = 1.0
    error = r[:, 0].copy()
    for i in range(1, order + 1):
        k = -np.sum(a[:, :i] * r[:, i:0:-1], axis=1) / error
        a[:, 1:i + 1] = a[:, 1:i + 1] + k[:, None] * a[:, i - 1::-1][:, :i]
        error *= 1.0 - k ** 2
    response = np.abs(np.fft.rfft(a, STFT_SIZE, axis=1)) ** 2
    return 0.5 * np.log(np.maximum(error, 1e-12)[:, None] / np.maximum(response, 1e-12))


def change_f0(clip: np.ndarray, semitones: float, sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """Raise (or lower) the voice's pitch by semitones and keep its formants where they were, as
    an excited person's voice rises: change_pitch moves the whole spectrum (a smaller, chipmunk
    voice), then each frame is reshaped from its new envelope back to the original's (capped at
    ±20 dB)."""
    x = np.asarray(clip, np.float32)
    if not semitones or len(x) == 0:
        return x.copy()
    shifted = change_pitch(x, semitones)
    factor = 2.0 ** (semitones / 12.0)
    envelope = _envelope(_stft(x[:len(shifted)]), sample_rate)  # the original's, frame by frame
    bins = np.arange(envelope.shape[1], dtype=np.float64)
    moved = np.stack([np.interp(bins / factor, bins, frame) for frame in envelope])  # where change_pitch took it
    gain = np.clip(envelope - moved, -2.3, 2.3)  # e^2.3 ≈ 20 dB
    return _istft(_stft(shifted) * np.exp(gain), len(shifted))


def delivered(clip: np.ndarray, stretch: float = 1.0, semitones: float = 0.0, vowel_rate: float | None = None,
              rng: np.random.Generator | None = None, f0: float = 0.0, sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """A recorded word said otherwise, as the real-voice proxy and the recipe's hard-delivery
    judge ask: its vowels alone slowed to vowel_rate (drawn_out), the whole drawn out by stretch
    (> 1: longer, same pitch), then pitched by semitones (formants too) and by f0 semitones
    (formants kept: change_f0)."""
    x = np.asarray(clip, np.float32)
    if vowel_rate:
        x = drawn_out(x, vowel_rate, rng if rng is not None else np.random.default_rng(len(x)))
    if stretch != 1.0:
        x = time_stretch(x, 1.0 / stretch)
    if semitones:
        x = change_pitch(x, semitones)
    if f0:
        x = change_f0(x, f0, sample_rate)
    return x


def change_vocal_tract(clip: np.ndarray, alpha: float) -> np.ndarray:
    """Vocal-tract length perturbation: move the spectral envelope (formants) by alpha.

    Each frame's magnitude is read at frequency f/alpha (alpha > 1: a shorter tract, as a
    child's or a smaller speaker's); the phase is kept, so timing and pitch stay.
    """
    spectrum = _stft(clip)
    bins = np.arange(spectrum.shape[1], dtype=np.float64)
    source = bins / alpha
    lo = np.minimum(source.astype(int), len(bins) - 1)
    hi = np.minimum(lo + 1, len(bins) - 1)
    w = np.clip(source - lo, 0.0, 1.0)
    magnitude = np.abs(spectrum)
    warped = (1 - w) * magnitude[:, lo] + w * magnitude[:, hi]
    warped[:, source > len(bins) - 1] = 0.0
    return _istft(warped * np.exp(1j * np.angle(spectrum)), len(clip))


def room_impulse_response(rng: np.random.Generator, rt60: float, sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """A synthetic room: the direct sound, then noise decaying by 60 dB in rt60 seconds."""
    n = max(2, int(rt60 * sample_rate))
    t = np.arange(n) / sample_rate
    tail = rng.standard_normal(n) * np.exp(-6.908 * t / rt60)  # ln(1000) = 6.908: −60 dB
    tail[: int(0.002 * sample_rate)] = 0.0  # first reflections arrive a few ms after the direct sound
    tail[0] = 0.0
    response = tail / (np.sqrt(np.sum(tail ** 2)) + 1e-12)
    response[0] = 1.0
    return response.astype(np.float32)


def reverb(clip: np.ndarray, rng: np.random.Generator, rt60: float, wet: float,
           sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """Convolve with room_impulse_response (FFT), mix wet:dry, keep the dry clip's length."""
    response = room_impulse_response(rng, rt60, sample_rate)
    n = len(clip) + len(response) - 1
    size = 1 << (n - 1).bit_length()
    wet_signal = np.fft.irfft(np.fft.rfft(clip, size) * np.fft.rfft(response, size), size)[:len(clip)]
    return ((1 - wet) * clip + wet * wet_signal).astype(np.float32)


def breathy(clip: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Whisper-like: keep each frame's magnitude spectrum, randomise its phase (no voicing left)."""
    spectrum = _stft(clip)
    phase = np.exp(1j * rng.uniform(-np.pi, np.pi, spectrum.shape))
    return _istft(np.abs(spectrum) * phase, len(clip))


def band_limit(audio: np.ndarray, low_hz: float, high_hz: float, sample_rate: int = SAMPLE_RATE,
               transition_hz: float = 100.0) -> np.ndarray:
    """Keep low_hz..high_hz with raised-cosine edges, in the FFT domain."""
    spectrum = np.fft.rfft(audio)
    freqs = np.fft.rfftfreq(len(audio), 1.0 / sample_rate)
    low_edge = np.clip((freqs - (low_hz - transition_hz)) / transition_hz, 0.0, 1.0)
    high_edge = np.clip(((high_hz + transition_hz) - freqs) / transition_hz, 0.0, 1.0)
    gain = np.sin(0.5 * np.pi * low_edge) ** 2 * np.sin(0.5 * np.pi * high_edge) ** 2
    return np.fft.irfft(spectrum * gain, len(audio)).astype(np.float32)


def gain(audio: np.ndarray, db: float) -> np.ndarray:
    return (audio * np.float32(10.0 ** (db / 20.0))).astype(np.float32)


@dataclass
class Augmenter:
    """Random ranges and how often each change happens. augment_clip and augment_recording
    plug straight into synth.make_example."""

    speed: tuple = (0.88, 1.12)
    p_speed: float = 0.5
    semitones: tuple = (-3.0, 3.0)
    p_pitch: float = 0.3
    vocal_tract: tuple = (0.88, 1.12)
    p_vocal_tract: float = 0.3
    rt60: tuple = (0.15, 0.7)
    wet: tuple = (0.1, 0.4)
    p_reverb: float = 0.3
    gain_db: tuple = (-6.0, 3.0)
    p_microphone: float = 0.3

    def augment_clip(self, clip: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        if rng.random() < self.p_speed:
            clip = change_speed(clip, rng.uniform(*self.speed))
        if rng.random() < self.p_pitch:
            clip = change_pitch(clip, rng.uniform(*self.semitones))
        if rng.random() < self.p_vocal_tract:
            clip = change_vocal_tract(clip, rng.uniform(*self.vocal_tract))
        if rng.random() < self.p_reverb:
            clip = reverb(clip, rng, rng.uniform(*self.rt60), rng.uniform(*self.wet))
        return gain(clip, rng.uniform(*self.gain_db))

    def augment_recording(self, audio: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        if rng.random() < self.p_microphone:
            names = sorted(MICROPHONES)
            low, high = MICROPHONES[names[int(rng.integers(len(names)))]]
            audio = band_limit(audio, low, high)
        return audio
