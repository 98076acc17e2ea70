"""The frozen speech embedding: the numpy/Keras front end gives the ONNX export's numbers."""
import numpy as np
import pytest

from core.trigger import speech_embedding as se


@pytest.fixture(scope="module")
def front():
    return se.SpeechEmbedding()


def test_the_mel_and_embeddings_match_the_onnx_export(front):
    reference = np.load(se.FRONT_DIR / se.REFERENCE)
    mel = front.mel(reference["audio"])
    np.testing.assert_allclose(mel, reference["mel"], atol=1e-3)
    embeddings = front.embed_mel(mel)
    assert embeddings.shape == reference["embeddings"].shape == (se.n_embeddings(len(mel)), se.EMBEDDING_DIM)
    # values reach ~60; float32 convolutions in another order differ in the last digits
    np.testing.assert_allclose(embeddings, reference["embeddings"], atol=1e-3)


def test_one_pass_over_a_recording_equals_its_76_frame_windows_one_at_a_time(front):
    rng = np.random.default_rng(0)
    mel = front.mel((rng.standard_normal(se.RATE * 2) * 0.1).astype(np.float32))
    whole = front.embed_mel(mel)
    windows = np.stack([mel[k * se.EMBEDDING_HOP:k * se.EMBEDDING_HOP + se.MEL_WINDOW] for k in range(len(whole))])
    one_by_one = front.embed_mel_batch(windows)[:, 0]
    np.testing.assert_allclose(whole, one_by_one, atol=1e-3)
    assert len(whole) == se.n_embeddings(len(mel)) == (len(mel) - se.MEL_WINDOW) // se.EMBEDDING_HOP + 1


def test_a_later_slice_gives_the_same_embeddings_from_its_start(front):
    """Frames are local (while the clip stays within 80 dB of its loudest frame), so an
    embedding depends only on its own 0.78 s: what the live stream and the windows rely on."""
    rng = np.random.default_rng(1)
    audio = (rng.standard_normal(se.RATE * 3) * 0.05).astype(np.float32)
    shift = 5  # embeddings
    whole = front(audio)
    later = front(audio[shift * se.EMBEDDING_HOP * se.MEL_HOP:])
    np.testing.assert_allclose(later, whole[shift:shift + len(later)], atol=1e-3)


def test_too_short_audio_gives_no_frames_or_embeddings(front):
    assert front.mel(np.zeros(100, np.float32)).shape == (0, se.N_MELS)
    assert front(np.zeros(se.EMBEDDING_SAMPLES - 1, np.float32)).shape == (0, se.EMBEDDING_DIM)
    assert front(np.zeros(se.EMBEDDING_SAMPLES, np.float32)).shape == (1, se.EMBEDDING_DIM)


def test_silence_is_clipped_80_db_below_the_loudest_frame(front):
    audio = np.zeros(se.RATE, np.float32)
    audio[:4000] = 0.5 * np.sin(np.arange(4000) * 0.3)
    mel = front.mel(audio)
    assert mel.min() == pytest.approx(mel.max() - se.TOP_DB / 10.0, abs=1e-4)


def test_missing_weights_are_named(tmp_path):
    with pytest.raises(FileNotFoundError, match="speech_embedding.npz"):
        se.SpeechEmbedding(tmp_path)
