"""read_audio: every WAV flavour we promise, and a clear AudioError for everything else."""
import struct

import numpy as np
import pytest

from core.trigger.audio import AudioError, SAMPLE_RATE, read_audio, read_wav, resample, wav_bytes

GUID_TAIL = b"\x00\x00\x00\x00\x10\x00\x80\x00\x00\xaa\x00\x38\x9b\x71"


def make_wav(samples, rate, bits, float_format=False, extensible=False):
    """Write a WAV by hand, so the reader is tested against the spec, not against itself."""
    samples = np.atleast_2d(np.asarray(samples, np.float64).T).T  # (frames, channels)
    channels = samples.shape[1]
    if float_format:
        body = samples.astype("<f4" if bits == 32 else "<f8").tobytes()
    elif bits == 8:
        body = np.clip(np.round(samples * 127 + 128), 0, 255).astype(np.uint8).tobytes()
    elif bits == 24:
        ints = np.clip(np.round(samples * 2 ** 23), -2 ** 23, 2 ** 23 - 1).astype("<i4")
        body = ints.view(np.uint8).reshape(-1, 4)[:, :3].tobytes()
    else:
        dtype = {16: "<i2", 32: "<i4"}[bits]
        scale = 2 ** (bits - 1)
        body = np.clip(np.round(samples * scale), -scale, scale - 1).astype(dtype).tobytes()
    tag = 3 if float_format else 1
    block = channels * bits // 8
    if extensible:
        fmt = struct.pack("<HHIIHHHHI", 0xFFFE, channels, rate, rate * block, block, bits, 22, bits,
                          0) + struct.pack("<H", tag) + GUID_TAIL
    else:
        fmt = struct.pack("<HHIIHH", tag, channels, rate, rate * block, block, bits)
    chunks = b"fmt " + struct.pack("<I", len(fmt)) + fmt
    chunks += b"LIST" + struct.pack("<I", 3) + b"abc\x00"  # an odd-sized chunk to skip, padded
    chunks += b"data" + struct.pack("<I", len(body)) + body
    return b"RIFF" + struct.pack("<I", 4 + len(chunks)) + b"WAVE" + chunks


def tone(rate, seconds=0.25, channels=1):
    t = np.arange(int(rate * seconds)) / rate
    left = 0.5 * np.sin(2 * np.pi * 440 * t)
    return left if channels == 1 else np.stack([left, -0.25 * np.sin(2 * np.pi * 440 * t)], axis=1)


def patched(tag, bits, block):
    """A 16-bit mono WAV whose format chunk claims something else."""
    wav = bytearray(make_wav(tone(16000), 16000, 16))
    fmt = wav.index(b"fmt ") + 8
    struct.pack_into("<H", wav, fmt, tag)
    struct.pack_into("<HH", wav, fmt + 12, block, bits)
    return bytes(wav)


INT_TOLERANCE = {8: 1 / 100, 16: 1e-4, 24: 1e-6, 32: 1e-6}


@pytest.mark.parametrize("extensible", [False, True])
@pytest.mark.parametrize("channels", [1, 2])
@pytest.mark.parametrize("bits,float_format", [(8, False), (16, False), (24, False), (32, False), (32, True), (64, True)])
@pytest.mark.parametrize("rate", [8000, 16000, 22050, 44100, 48000])
def test_every_format_reads_back(rate, bits, float_format, channels, extensible):
    original = tone(rate, channels=channels)
    samples, got_rate = read_wav(make_wav(original, rate, bits, float_format, extensible))
    assert got_rate == rate and samples.dtype == np.float32 and samples.shape == np.atleast_2d(original.T).T.shape
    tolerance = 1e-6 if float_format else INT_TOLERANCE[bits]
    np.testing.assert_allclose(samples.reshape(original.shape), original, atol=tolerance)


@pytest.mark.parametrize("rate", [8000, 16000, 22050, 44100, 48000, 96000])
def test_read_audio_gives_mono_at_44k(rate):
    out = read_audio(make_wav(tone(rate, 1.0, channels=2), rate, 16))
    assert out.dtype == np.float32 and out.ndim == 1
    assert len(out) == SAMPLE_RATE
    spectrum = np.abs(np.fft.rfft(out))
    assert abs(np.argmax(spectrum) - 440) <= 1  # 1 s → 1 Hz bins: the tone is still at 440 Hz
    np.testing.assert_allclose(np.abs(out).max(), 0.125, atol=0.01)  # (0.5 − 0.25) / 2


def test_resample_keeps_a_tone():
    x = np.sin(2 * np.pi * 1000 * np.arange(16000) / 16000).astype(np.float32)
    y = resample(x, 16000, 44100)
    t = np.arange(44100) / 44100
    np.testing.assert_allclose(y[1000:-1000], np.sin(2 * np.pi * 1000 * t)[1000:-1000], atol=1e-3)


def test_paths_and_file_objects(tmp_path):
    data = make_wav(tone(16000), 16000, 16)
    path = tmp_path / "a.wav"
    path.write_bytes(data)
    import io

    assert len(read_audio(path)) == len(read_audio(io.BytesIO(data))) == len(read_audio(str(path)))


def test_streaming_header_with_oversized_data_chunk():
    """espeak-ng --stdout writes 0x7FFFFFFF as the data size: read what is there."""
    data = bytearray(make_wav(tone(22050), 22050, 16))
    position = data.index(b"data")
    data[position + 4:position + 8] = struct.pack("<I", 0x7FFFFFFF)
    samples, _ = read_wav(bytes(data))
    assert len(samples) == int(22050 * 0.25)


def test_our_writer_round_trips():
    x = tone(SAMPLE_RATE).astype(np.float32)
    np.testing.assert_allclose(read_audio(wav_bytes(x)), x, atol=1e-4)


@pytest.mark.parametrize("data,message", [
    (b"", "empty"),
    (b"hello, this is not audio at all", "not a WAV"),
    (b"ID3\x03\x00" + bytes(100), "not a WAV"),
    (b"RIFF\x04\x00\x00\x00WAVE", "no format"),
    (make_wav(tone(16000), 16000, 16)[:44 - 8 - 12] + b"", "no format"),
    (make_wav(np.zeros(0), 16000, 16), "no audio samples"),
    (make_wav(tone(16000), 384000, 16), "384000 Hz"),
    (make_wav(tone(16000), 4000, 16), "4000 Hz"),
    (patched(tag=1, bits=12, block=2), "12-bit"),
    (patched(tag=3, bits=16, block=2), "16-bit float"),
    (patched(tag=1, bits=16, block=4), "does not match"),
])
def test_bad_input_gets_a_clear_message(data, message):
    with pytest.raises(AudioError, match=message):
        read_audio(data)


def test_too_many_channels_and_compressed_formats_are_refused():
    wav = bytearray(make_wav(np.zeros((100, 2)), 16000, 16))
    fmt = wav.index(b"fmt ") + 8
    six = bytearray(wav)
    struct.pack_into("<HH", six, fmt, 1, 6)
    struct.pack_into("<H", six, fmt + 12, 12)
    with pytest.raises(AudioError, match="6 channels"):
        read_audio(bytes(six))
    mp3 = bytearray(wav)
    struct.pack_into("<H", mp3, fmt, 0x55)
    with pytest.raises(AudioError, match="compressed"):
        read_audio(bytes(mp3))


def test_no_data_chunk_and_size_limit(tmp_path):
    wav = make_wav(tone(16000), 16000, 16)
    with pytest.raises(AudioError, match="no audio"):
        read_audio(wav[:wav.index(b"data")])
    with pytest.raises(AudioError, match="limit"):
        read_audio(wav, max_bytes=1000)
    path = tmp_path / "big.wav"
    path.write_bytes(wav)
    with pytest.raises(AudioError, match="limit"):
        read_audio(path, max_bytes=1000)
    with pytest.raises(AudioError, match="no such file"):
        read_audio(tmp_path / "missing.wav")


def test_random_bytes_never_raise_anything_but_audio_error():
    rng = np.random.default_rng(0)
    good = make_wav(tone(16000), 16000, 16)
    for _ in range(300):
        data = bytearray(good[:int(rng.integers(0, len(good)))])
        for _ in range(int(rng.integers(0, 8))):
            if data:
                data[int(rng.integers(len(data)))] = int(rng.integers(256))
        try:
            read_audio(bytes(data))
        except AudioError:
            pass
