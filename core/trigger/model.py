"""The course's trigger-word model: Conv1D → two GRU layers → one sigmoid per output step.

Input x is the spectrogram transposed to (Tx, n_freq) = (5511, 101); the stride-4 Conv1D
turns 5511 steps into Ty = 1375, and each output step says "an 'activate' just ended here".
One deliberate change: a weightless log(1 + x) on the input (see LogCompress).
"""
from __future__ import annotations

import json
from pathlib import Path

import keras
from keras import layers

from core.trigger.synth import Ty, Tx, n_freq

MODEL_DIR = Path(__file__).resolve().parents[2] / "models" / "trigger"
WEIGHTS = "trigger_word.weights.h5"
CONFIG = "config.json"
DROPOUT = 0.2  # chosen by the pilot in the model card (the course's 0.8 learned far slower)
CONV_FILTERS, CONV_KERNEL, CONV_STRIDE = 196, 15, 4
GRU_UNITS = 128


@keras.saving.register_keras_serializable(package="attention_lab")
class LogCompress(layers.Layer):
    """log(1 + x): the one change to the course's model.

    The course feeds the raw power spectrogram, whose values span about ten orders of
    magnitude (a loud vowel next to silence); the BatchNorm after the Conv1D copes, but
    learning is slow. Compressing the input as every speech front end does lets the model
    learn in an hour on a CPU. It has no weights, so the model still takes the course's x.
    """

    def call(self, x):
        return keras.ops.log1p(keras.ops.maximum(x, 0.0))


def build_model(input_shape=(Tx, n_freq), dropout: float = DROPOUT) -> keras.Model:
    """The course's `modelf(input_shape)`, layer for layer; returns an uncompiled Keras model.

    input_shape=(None, n_freq) builds the same model for any length of audio (the weights
    do not depend on Tx); 10 s gives the course's 5511 → 1375 steps.
    """
    X_input = keras.Input(shape=input_shape, name="spectrogram")
    X = LogCompress(name="log_compress")(X_input)
    # Step 1: CONV layer (≈ a learned filter bank that also shortens time 4×)
    X = layers.Conv1D(CONV_FILTERS, kernel_size=CONV_KERNEL, strides=CONV_STRIDE, name="conv")(X)
    X = layers.BatchNormalization(name="conv_bn")(X)
    X = layers.Activation("relu", name="conv_relu")(X)
    X = layers.Dropout(dropout, name="conv_dropout")(X)
    # Step 2: first GRU layer
    X = layers.GRU(GRU_UNITS, return_sequences=True, name="gru_1")(X)
    X = layers.Dropout(dropout, name="gru_1_dropout")(X)
    X = layers.BatchNormalization(name="gru_1_bn")(X)
    # Step 3: second GRU layer
    X = layers.GRU(GRU_UNITS, return_sequences=True, name="gru_2")(X)
    X = layers.Dropout(dropout, name="gru_2_dropout")(X)
    X = layers.BatchNormalization(name="gru_2_bn")(X)
    X = layers.Dropout(dropout, name="output_dropout")(X)
    # Step 4: time-distributed dense layer: one probability per output step
    X = layers.TimeDistributed(layers.Dense(1, activation="sigmoid"), name="activate_probability")(X)
    return keras.Model(inputs=X_input, outputs=X, name="trigger_word")


def output_steps(input_steps: int) -> int:
    """How many output steps the stride-4, kernel-15 convolution leaves (5511 → 1375)."""
    return (input_steps - CONV_KERNEL) // CONV_STRIDE + 1


assert output_steps(Tx) == Ty


def save(model: keras.Model, directory=MODEL_DIR, **config) -> None:
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    if getattr(model, "optimizer", None) is not None:
        # a compiled model's weights file also holds Adam's state (3× the size): save the same
        # layers through a model that was never compiled
        model = keras.Model(model.inputs, model.outputs, name=model.name)
    model.save_weights(directory / WEIGHTS)
    config = {"Tx": Tx, "n_freq": n_freq, "Ty": Ty, **config}
    (directory / CONFIG).write_text(json.dumps(config, indent=1) + "\n")


def load(directory=MODEL_DIR, input_shape=(None, n_freq)) -> tuple[keras.Model, dict]:
    """The trained model (any input length by default) and its config (threshold, dropout, ...);
    FileNotFoundError if absent."""
    directory = Path(directory)
    if not (directory / WEIGHTS).exists():
        raise FileNotFoundError(f"no trained trigger-word model in {directory}: run python -m core.trigger.training.train")
    config = json.loads((directory / CONFIG).read_text())
    model = build_model(input_shape, dropout=config.get("dropout", DROPOUT))
    model.load_weights(directory / WEIGHTS)
    return model, config
