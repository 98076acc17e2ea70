"""The embedding spotter: the spotter's question asked of a frozen speech embedding.

Like the spotter (core.trigger.spotter) it asks "did the word end in the last half second of
these 2 s?", but it hears the 2 s as 16 embeddings from Google's speech_embedding network
(core.trigger.speech_embedding: one 96-vector per 80 ms, each from 0.78 s of audio), a network
that learned from a great deal of real speech which differences between recordings are *who*
and which are *what*. Only the small head on top is trained here, from the same synthesized
windows as the spotter (core.trigger.training.spotter, --front speech_embedding).

EmbeddingSpotterDetector has TriggerDetector's interface; probabilities come out on the course's
grid, one answer per 80 ms held, confirmed over CONFIRM_WINDOWS answers in a row as the spotter's.
"""
from __future__ import annotations

import json
from pathlib import Path

import keras
import numpy as np
from keras import layers

from core.trigger import logmel, speech_embedding
from core.trigger.audio import SAMPLE_RATE, loop_to
from core.trigger.detect import TriggerDetector, output_steps, preprocess_audio
from core.trigger.spotter import CONFIRM_WINDOWS, REFRACTORY_STEPS, confirmed, in_batches, on_course_grid
from core.trigger.spotter import ensemble as spotter_ensemble
from core.trigger.synth import Ty

MODEL_DIR = Path(__file__).resolve().parents[2] / "models" / "embedding_spotter"
WEIGHTS = "head.weights.h5"
CONFIG = "config.json"
KIND = "embedding_spotter"
WINDOW_SAMPLES = logmel.FRAME + 199 * logmel.HOP  # the spotter's 2 s training window (32,240 samples)
WINDOW_MELS = speech_embedding.n_frames(WINDOW_SAMPLES)  # 199
WINDOW_EMBEDDINGS = speech_embedding.n_embeddings(WINDOW_MELS)  # 16
HOP_SECONDS = speech_embedding.EMBEDDING_HOP * speech_embedding.MEL_HOP / speech_embedding.RATE  # 0.08 s
PAD_SAMPLES = (WINDOW_MELS - 1) * speech_embedding.MEL_HOP  # 198 frames of room before the first audio frame
ROOM_SECONDS = 0.4  # the stretch of room looped in front of a recording (room_padding)
ROOM_SEARCH_SECONDS = 3.0
UNITS = 128
DROPOUT = 0.3
BATCH = 512


def build_model(units: int = UNITS, dropout: float = DROPOUT, members: int = 1) -> keras.Model:
    """(WINDOW_EMBEDDINGS, 96) embeddings → P(the word ended in the window's last half second).
    Flattened, so the head knows *when* in the window each sound was: "just ended".
    members > 1: that many heads side by side, their answers averaged (ensemble)."""
    if members > 1:
        return ensemble([build_model(units, dropout) for _ in range(members)])
    x_in = keras.Input((WINDOW_EMBEDDINGS, speech_embedding.EMBEDDING_DIM), name="embeddings")
    x = layers.Flatten(name="flatten")(x_in)
    for k in (1, 2):
        x = layers.Dense(units, name=f"dense{k}")(x)
        x = layers.LayerNormalization(name=f"norm{k}")(x)
        x = layers.Activation("relu", name=f"relu{k}")(x)
        x = layers.Dropout(dropout, name=f"dropout{k}")(x)
    x = layers.Dense(1, activation="sigmoid", name="word_probability")(x)
    return keras.Model(x_in, x, name="embedding_spotter")


def ensemble(models) -> keras.Model:
    """Heads trained apart (other seeds) on the one frozen front, answering together: the mean of
    their answers (core.trigger.spotter.ensemble). Unlike the log-mel spotters' ensemble, this one
    paid on the real-voice proxy: one seed of a recipe may hear real people 5-11 points worse than
    another, and the mean of two is near the better one. The front end is shared, so a second head
    costs a few percent of the time per window, not double."""
    return spotter_ensemble(models)


def save(model: keras.Model, directory=MODEL_DIR, **config) -> None:
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    if getattr(model, "optimizer", None) is not None:  # no Adam state in the shipped file
        model = keras.Model(model.inputs, model.outputs, name=model.name)
    model.save_weights(directory / WEIGHTS)
    config = {"kind": KIND, "window_embeddings": WINDOW_EMBEDDINGS, "refractory_steps": REFRACTORY_STEPS,
              "confirm_windows": CONFIRM_WINDOWS, "rate": speech_embedding.RATE, "units": UNITS,
              "dropout": DROPOUT, **config}
    (directory / CONFIG).write_text(json.dumps(config, indent=1) + "\n")


def load(directory=MODEL_DIR) -> tuple[keras.Model, dict]:
    directory = Path(directory)
    if not (directory / WEIGHTS).exists():
        raise FileNotFoundError(f"no trained embedding spotter in {directory}: "
                                "run python -m core.trigger.training.spotter --front speech_embedding")
    config = json.loads((directory / CONFIG).read_text())
    model = build_model(int(config.get("units", UNITS)), float(config.get("dropout", DROPOUT)),
                        int(config.get("members", 1)))
    model.load_weights(directory / WEIGHTS)
    return model, config


def room_padding(audio: np.ndarray, n: int, seconds: float = ROOM_SECONDS,
                 search_seconds: float = ROOM_SEARCH_SECONDS) -> np.ndarray:
    """n samples of the recording's own room: its quietest stretch of `seconds` in the first
    search_seconds (10 ms frames' energy), looped with crossfades. A steady floor or silence in
    front would make the recording's start an abrupt onset, which the head never heard in training
    and which rang it (the dev judge's false alarms ~0.9 s into a clip)."""
    audio = np.asarray(audio, np.float32)
    rate = speech_embedding.RATE
    hop, span = rate // 100, int(seconds * 100)
    head = audio[:int(search_seconds * rate)]
    frames = len(head) // hop
    if frames <= span:
        piece = head if len(head) else np.zeros(hop, np.float32)
    else:
        energy = np.mean(head[:frames * hop].reshape(frames, hop).astype(np.float64) ** 2, axis=1)
        start = int(np.argmin(np.convolve(energy, np.ones(span), "valid")))
        piece = head[start * hop:(start + span) * hop]
    return loop_to(piece, n, rate)


def window_features(embeddings: np.ndarray) -> np.ndarray:
    """(n, 96) embeddings → (n - 15, 16, 96): every run of WINDOW_EMBEDDINGS in a row."""
    if len(embeddings) < WINDOW_EMBEDDINGS:
        return np.zeros((0, WINDOW_EMBEDDINGS, embeddings.shape[1]), np.float32)
    view = np.lib.stride_tricks.sliding_window_view(embeddings, WINDOW_EMBEDDINGS, axis=0)  # (n, 96, 16)
    return np.ascontiguousarray(view.transpose(0, 2, 1))


class EmbeddingSpotterDetector(TriggerDetector):
    """TriggerDetector's interface (detect, detect_file, threshold) around the embedding spotter."""

    kind = KIND
    context_seconds = None  # the live stream gives it the whole 10 s

    def __init__(self, model, config: dict | None = None, front=None):
        super().__init__(model, config)
        self.refractory_steps = int(self.config.get("refractory_steps", REFRACTORY_STEPS))
        self.confirm_windows = int(self.config.get("confirm_windows", CONFIRM_WINDOWS))
        self._front = front

    @property
    def front(self) -> speech_embedding.SpeechEmbedding:
        if self._front is None:
            self._front = speech_embedding.SpeechEmbedding()
        return self._front

    @classmethod
    def load(cls, directory=None):
        model, config = load(directory or MODEL_DIR)
        return cls(model, config)

    def window_probabilities(self, batch: np.ndarray) -> np.ndarray:
        """The head on windows (n, 16, 96) → (n,) probabilities."""
        return in_batches(self.compiled(), batch, BATCH, 64)

    def mel_for(self, samples: np.ndarray, sample_rate: int = SAMPLE_RATE) -> np.ndarray:
        """Mel frames of the audio after PAD_SAMPLES of the recording's own room (room_padding), so
        the first window ends with the audio's first frame and every window hears a room throughout,
        as in training."""
        audio = logmel.to_rate(samples, sample_rate)
        if len(audio) < speech_embedding.MEL_FFT:
            audio = np.concatenate([audio, np.zeros(speech_embedding.MEL_FFT - len(audio), np.float32)])
        return self.front.mel(np.concatenate([room_padding(audio, PAD_SAMPLES), audio]))

    def probabilities(self, samples: np.ndarray) -> np.ndarray:
        """Any length at 44.1 kHz → one probability per course output step (320 samples)."""
        samples = np.asarray(samples, dtype=np.float32)
        n_out = max(1, output_steps(len(samples)))
        embeddings = self.front.embed_mel(self.mel_for(samples))
        feats = window_features(embeddings)
        # window k covers padded mel frames 8k .. 8k + 198, whose last is the audio's frame 8k
        ends = (np.arange(len(feats)) * speech_embedding.EMBEDDING_HOP * speech_embedding.MEL_HOP
                + speech_embedding.MEL_FFT) / speech_embedding.RATE
        answers = confirmed(self.window_probabilities(feats), self.confirm_windows)
        return on_course_grid(answers, ends, n_out)

    def clip_probabilities(self, samples: np.ndarray) -> np.ndarray:
        """The course's view: 10 s (padded or trimmed) → Ty = 1375 probabilities."""
        return self.probabilities(preprocess_audio(samples))[:Ty]

