"""Reading and writing audio with numpy only, so a machine without ffmpeg or libsndfile works.

Everything inside core.trigger is float32 mono at SAMPLE_RATE (44.1 kHz, the course's rate),
in [-1, 1]. read_audio turns whatever a person uploads into that, or raises AudioError with
a sentence a person can act on; it never lets a traceback through.
"""
from __future__ import annotations

import io
import os
import struct
from pathlib import Path

import numpy as np

SAMPLE_RATE = 44100  # the course's rate: 10 s → 441000 samples → Tx = 5511 spectrogram columns
MIN_RATE, MAX_RATE = 8000, 192000
MAX_BYTES = 200 * 1024 * 1024  # Streamlit's upload limit; 10 min of 44.1 kHz stereo is 106 MB
PCM = 1
IEEE_FLOAT = 3
EXTENSIBLE = 0xFFFE


class AudioError(ValueError):
    """The input is not audio we can read; the message says why in plain words."""


# --- reading --------------------------------------------------------------------------------

def _as_bytes(source, max_bytes: int) -> bytes:
    """Bytes from bytes, a path, or a file-like object (e.g. Streamlit's UploadedFile)."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
    elif isinstance(source, (str, os.PathLike)):
        path = Path(source)
        try:
            size = path.stat().st_size
        except OSError:
            raise AudioError(f"cannot open {path.name}: no such file") from None
        if size > max_bytes:
            raise AudioError(f"{path.name} is {size / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.0f} MB")
        try:
            data = path.read_bytes()
        except OSError as err:
            raise AudioError(f"cannot read {path.name}: {err.strerror}") from None
    elif hasattr(source, "getvalue"):
        data = bytes(source.getvalue())
    elif hasattr(source, "read"):
        data = source.read(max_bytes + 1)
    else:
        raise AudioError("expected WAV bytes, a file path or an open file")
    if len(data) > max_bytes:
        raise AudioError(f"the file is {len(data) / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.0f} MB")
    if not data:
        raise AudioError("the file is empty")
    return data


def _chunks(data: bytes):
    """Yield (chunk id, payload) from a RIFF/WAVE file; a short last chunk is cut, not fatal."""
    position = 12
    while position + 8 <= len(data):
        chunk_id, size = struct.unpack_from("<4sI", data, position)
        start = position + 8
        yield chunk_id, data[start:start + size]  # streaming writers put 0xFFFFFFFF here
        position = start + size + (size & 1)


def _decode(payload: bytes, tag: int, bits: int, channels: int) -> np.ndarray:
    """PCM or IEEE float bytes → float32 (frames, channels) in [-1, 1]."""
    width = bits // 8
    frames = len(payload) // (width * channels)
    raw = payload[:frames * width * channels]
    if tag == IEEE_FLOAT:
        if bits not in (32, 64):
            raise AudioError(f"{bits}-bit float WAV is not a real format; expected 32 or 64 bits")
        samples = np.frombuffer(raw, dtype="<f4" if bits == 32 else "<f8").astype(np.float32)
        samples = np.clip(np.nan_to_num(samples, nan=0.0, posinf=1.0, neginf=-1.0), -1.0, 1.0)
    elif bits == 8:  # 8-bit WAV is unsigned, centred on 128
        samples = (np.frombuffer(raw, dtype=np.uint8).astype(np.float32) - 128.0) / 128.0
    elif bits == 16:
        samples = np.frombuffer(raw, dtype="<i2").astype(np.float32) / 32768.0
    elif bits == 24:  # three little-endian bytes: put them in the top of an int32, keep the sign
        triples = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 3).astype(np.int32)
        value = (triples[:, 0] << 8) | (triples[:, 1] << 16) | (triples[:, 2] << 24)
        samples = value.astype(np.float32) / 2.0 ** 31
    elif bits == 32:
        samples = (np.frombuffer(raw, dtype="<i4").astype(np.float64) / 2.0 ** 31).astype(np.float32)
    else:
        raise AudioError(f"{bits}-bit integer WAV is not supported; use 8, 16, 24 or 32 bits")
    return samples.reshape(frames, channels)


def read_wav(source, max_bytes: int = MAX_BYTES) -> tuple[np.ndarray, int]:
    """A WAV file → (float32 samples shaped (frames, channels), sample rate), unchanged otherwise.

    Parses the RIFF chunks itself because Python's wave module refuses float WAV: format tag
    1 (PCM), 3 (IEEE float) and 0xFFFE (WAVE_FORMAT_EXTENSIBLE, whose sub-format says which).
    """
    data = _as_bytes(source, max_bytes)
    if data[:4] == b"RF64":
        raise AudioError("RF64 (over 4 GB) WAV files are not supported")
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise AudioError("this is not a WAV file (no RIFF/WAVE header); upload a .wav recording")
    fmt = payload = None
    for chunk_id, body in _chunks(data):
        if chunk_id == b"fmt " and fmt is None:
            fmt = body
        elif chunk_id == b"data" and payload is None:
            payload = body
    if fmt is None or len(fmt) < 16:
        raise AudioError("the WAV file is damaged: it has no format ('fmt ') chunk")
    if payload is None:
        raise AudioError("the WAV file is damaged: it has no audio ('data') chunk")
    tag, channels, rate, _, block_align, bits = struct.unpack_from("<HHIIHH", fmt)
    if tag == EXTENSIBLE:
        if len(fmt) < 40:
            raise AudioError("the WAV file is damaged: its extensible format chunk is too short")
        tag = struct.unpack_from("<H", fmt, 24)[0]  # first two bytes of the sub-format GUID
    if tag not in (PCM, IEEE_FLOAT):
        raise AudioError(f"WAV format code {tag} (compressed audio) is not supported; "
                         "save it as PCM or float WAV")
    if channels not in (1, 2):
        raise AudioError(f"the recording has {channels} channels; use mono or stereo")
    if not MIN_RATE <= rate <= MAX_RATE:
        raise AudioError(f"the sample rate is {rate} Hz; use {MIN_RATE}–{MAX_RATE} Hz")
    if bits % 8 or not 8 <= bits <= 64:
        raise AudioError(f"{bits}-bit samples are not supported; use 8, 16, 24 or 32 bits")
    if block_align != channels * bits // 8:
        raise AudioError(f"the WAV file is damaged: {bits} bits × {channels} channels "
                         f"does not match its block size {block_align}")
    samples = _decode(payload, tag, bits, channels)
    if len(samples) == 0:
        raise AudioError("the WAV file holds no audio samples")
    return samples, rate


def read_audio(source, sample_rate: int = SAMPLE_RATE, max_bytes: int = MAX_BYTES) -> np.ndarray:
    """WAV bytes, path or file → float32 mono at sample_rate (channels averaged)."""
    samples, rate = read_wav(source, max_bytes)
    return resample(samples.mean(axis=1, dtype=np.float32), rate, sample_rate)


def read_any(path, sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """A WAV with numpy; anything else (e.g. FLAC) through soundfile or pydub + ffmpeg, if present.

    Those two are optional: without either, only WAV can be read and the error says so.
    """
    path = Path(path)
    if path.suffix.lower() == ".wav":
        return read_audio(path, sample_rate)
    try:
        import soundfile
    except ImportError:
        soundfile = None
    if soundfile is not None:
        try:
            samples, rate = soundfile.read(str(path), dtype="float32", always_2d=True)
        except Exception as err:  # libsndfile's own error types
            raise AudioError(f"cannot read {path.name}: {err}") from None
        return resample(samples.mean(axis=1, dtype=np.float32), rate, sample_rate)
    try:
        from pydub import AudioSegment

        segment = AudioSegment.from_file(str(path))
    except Exception as err:  # pydub raises whatever ffmpeg's absence causes
        raise AudioError(f"cannot read {path.name}: install the 'soundfile' package or ffmpeg "
                         f"to read {path.suffix} files ({type(err).__name__})") from None
    buffer = io.BytesIO()
    segment.export(buffer, format="wav")
    return read_audio(buffer.getvalue(), sample_rate)


# --- resampling and writing -----------------------------------------------------------------

def resample(x: np.ndarray, rate_in: int, rate_out: int) -> np.ndarray:
    """Band-limited resampling in the FFT domain (what scipy.signal.resample does).

    Exact for a periodic signal; a clip that does not start and end near silence gets a
    little ringing at its edges, which TTS clips (trimmed to silence-padded words) do not have.
    """
    x = np.asarray(x, dtype=np.float32)
    if rate_in == rate_out or len(x) == 0:
        return x.copy()
    n_out = max(1, int(round(len(x) * rate_out / rate_in)))
    spectrum = np.fft.rfft(x)
    keep = min(len(spectrum), n_out // 2 + 1)
    out = np.zeros(n_out // 2 + 1, dtype=np.complex128)
    out[:keep] = spectrum[:keep]
    if n_out < len(x) and n_out % 2 == 0:
        out[keep - 1] = out[keep - 1].real  # the new Nyquist bin of a real signal is real
    return (np.fft.irfft(out, n_out) * (n_out / len(x))).astype(np.float32)


def to_int16(samples: np.ndarray) -> np.ndarray:
    """Float in [-1, 1] → int16, saturating like pydub does on overflow."""
    return np.clip(np.round(np.asarray(samples) * 32767.0), -32768, 32767).astype(np.int16)


def wav_bytes(samples: np.ndarray, sample_rate: int = SAMPLE_RATE) -> bytes:
    """16-bit PCM WAV bytes (mono, or (frames, channels)) — what st.audio and the bank use."""
    pcm = to_int16(samples)
    channels = 1 if pcm.ndim == 1 else pcm.shape[1]
    body = pcm.astype("<i2").tobytes()
    header = struct.pack("<4sI4s4sIHHIIHH4sI", b"RIFF", 36 + len(body), b"WAVE", b"fmt ", 16, PCM,
                         channels, sample_rate, sample_rate * 2 * channels, 2 * channels, 16,
                         b"data", len(body))
    return header + body


def write_wav(path, samples: np.ndarray, sample_rate: int = SAMPLE_RATE) -> None:
    """Write a 16-bit PCM WAV file (at sample_rate: resample before, if needed)."""
    Path(path).write_bytes(wav_bytes(samples, sample_rate))


def dbfs(samples: np.ndarray) -> float:
    """Loudness as pydub's AudioSegment.dBFS: RMS relative to full scale, -inf for silence."""
    rms = float(np.sqrt(np.mean(np.square(samples, dtype=np.float64)))) if len(samples) else 0.0
    return 20.0 * np.log10(rms) if rms > 0 else -np.inf


def loop_to(piece: np.ndarray, n: int, rate: int, fade_ms: int = 20) -> np.ndarray:
    """Repeat piece to n samples, crossfading each joint over fade_ms."""
    fade = min(int(fade_ms * rate / 1000), len(piece) // 4)
    out = np.array(piece[:n], dtype=np.float32)
    ramp = np.linspace(0.0, 1.0, fade, dtype=np.float32) if fade else np.zeros(0, np.float32)
    while len(out) < n:
        nxt = np.array(piece, dtype=np.float32)
        if fade:
            nxt[:fade] = nxt[:fade] * ramp + out[-fade:] * (1 - ramp)
            out = np.concatenate([out[:-fade], nxt])
        else:
            out = np.concatenate([out, nxt])
    return out[:n]
