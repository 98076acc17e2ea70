"""The course's attention translator (Bi-LSTM encoder, one_step_attention, post-attention
LSTM), with one deliberate change: the decoder also sees the previous output character.

Why the change: the course's decoder never sees what it already wrote, so the output
distribution at step t does not depend on the earlier choices and "beam search" over it
is just greedy decoding. Feeding the previous character (START first, the true character
while training: teacher forcing) makes P(y | x) a real product of conditionals that beam
search can explore and that can score any candidate, as the error-analysis page needs.
"""
from __future__ import annotations

import json
from pathlib import Path

import keras
from keras import layers, ops

from core.dates.data import Tx, Ty, human_vocab, machine_vocab

n_a = 64  # hidden units of each direction of the pre-attention Bi-LSTM
n_s = 128  # hidden units of the post-attention LSTM
N_ENERGY = 32  # units of the small network that scores (s⟨t-1⟩, a⟨t'⟩) pairs

MODEL_DIR = Path(__file__).resolve().parents[2] / "models" / "dates"
WEIGHTS_FILE = "date_translator.weights.h5"
CONFIG_FILE = "config.json"


class AttentionLayers:
    """The layers one_step_attention shares across all Ty steps (global in the course)."""

    def __init__(self, tx: int = Tx):
        self.repeator = layers.RepeatVector(tx, name="repeator")
        self.concatenator = layers.Concatenate(axis=-1, name="concatenator")
        self.densor1 = layers.Dense(N_ENERGY, activation="tanh", name="densor1")
        self.densor2 = layers.Dense(1, activation="relu", name="densor2")
        self.activator = layers.Softmax(axis=1, name="attention_weights")
        self.dotor = layers.Dot(axes=1, name="dotor")


def one_step_attention(a, s_prev, att: AttentionLayers):
    """Attention for one output step, as in the course.

    a: (m, Tx, 2*n_a) encoder states; s_prev: (m, n_s) previous decoder state.
    Returns context (m, 1, 2*n_a) and alphas (m, Tx, 1).
    """
    s_prev = att.repeator(s_prev)
    concat = att.concatenator([a, s_prev])
    e = att.densor1(concat)
    energies = att.densor2(e)
    alphas = att.activator(energies)
    context = att.dotor([alphas, a])
    return context, alphas


def build_models(tx: int = Tx, ty: int = Ty, human_vocab_size: int = len(human_vocab),
                 machine_vocab_size: int = len(machine_vocab), n_a: int = n_a, n_s: int = n_s,
                 prefix: str = ""):
    """Build the training model and the two inference pieces that share its weights.

    n_a and n_s default to the shipped model's sizes; the "watch it learn" page builds a
    smaller one (prefix names its models apart).

    Returns (model, encoder, step):
      model:   [X ids (m, Tx), decoder inputs (m, Ty)] → probabilities (m, Ty, V)
      encoder: X ids → a (m, Tx, 2*n_a)
      step:    [a, s, c, previous char one-hot] → [probabilities, s, c, alphas]
    """
    X = keras.Input(shape=(tx,), dtype="int32", name="X")
    y_prev = keras.Input(shape=(ty,), dtype="int32", name="y_prev")
    one_hot_x = layers.Lambda(lambda t: ops.one_hot(t, human_vocab_size), name="one_hot_x")
    one_hot_y = layers.Lambda(lambda t: ops.one_hot(t, machine_vocab_size), name="one_hot_y")

    pre_attention = layers.Bidirectional(layers.LSTM(n_a, return_sequences=True), name="bi_lstm")
    att = AttentionLayers(tx)
    join_prev = layers.Concatenate(axis=-1, name="context_and_prev")
    post_activation_LSTM_cell = layers.LSTMCell(n_s, name="post_attention_lstm")
    flatten = layers.Flatten(name="flatten_context")
    output_layer = layers.Dense(machine_vocab_size, activation="softmax", name="output_layer")

    def decoder_step(a, s, c, prev_onehot):
        context, alphas = one_step_attention(a, s, att)
        lstm_in = join_prev([flatten(context), prev_onehot])
        s, (_, c) = post_activation_LSTM_cell(lstm_in, [s, c])
        return output_layer(s), s, c, alphas

    # training model: teacher forcing, Ty steps unrolled as in the course
    a = pre_attention(one_hot_x(X))
    zeros = layers.Lambda(lambda t: ops.zeros((ops.shape(t)[0], n_s)), name="s0")(X)
    s, c = zeros, zeros
    prev_all = one_hot_y(y_prev)
    outputs = []
    for t in range(ty):
        prev = layers.Lambda(lambda p, t=t: p[:, t, :], name=f"prev_{t}")(prev_all)
        out, s, c, _ = decoder_step(a, s, c, prev)
        outputs.append(out)
    stacked = layers.Lambda(lambda outs: ops.stack(outs, axis=1), name="stack")(outputs)
    model = keras.Model([X, y_prev], stacked, name=prefix + "date_translator")

    encoder = keras.Model(X, a, name=prefix + "encoder")
    a_in = keras.Input(shape=(tx, 2 * n_a), name="a")
    s_in = keras.Input(shape=(n_s,), name="s")
    c_in = keras.Input(shape=(n_s,), name="c")
    prev_in = keras.Input(shape=(machine_vocab_size,), name="prev")
    probs, s_out, c_out, alphas = decoder_step(a_in, s_in, c_in, prev_in)
    step = keras.Model([a_in, s_in, c_in, prev_in], [probs, s_out, c_out, alphas], name=prefix + "step")
    return model, encoder, step


def save(model, directory: Path = MODEL_DIR) -> None:
    """Weights plus the shapes and vocabularies needed to rebuild the same model."""
    directory.mkdir(parents=True, exist_ok=True)
    model.save_weights(directory / WEIGHTS_FILE)
    config = {"Tx": Tx, "Ty": Ty, "n_a": n_a, "n_s": n_s, "n_energy": N_ENERGY,
              "human_vocab": human_vocab, "machine_vocab": machine_vocab}
    (directory / CONFIG_FILE).write_text(json.dumps(config, indent=1))


def load(directory: Path = MODEL_DIR):
    """(model, encoder, step) with the saved weights; refuses a config that no longer fits."""
    config = json.loads((Path(directory) / CONFIG_FILE).read_text())
    expected = {"Tx": Tx, "Ty": Ty, "n_a": n_a, "n_s": n_s, "n_energy": N_ENERGY,
                "human_vocab": human_vocab, "machine_vocab": machine_vocab}
    if config != expected:
        raise ValueError(f"{directory} was trained with another configuration; retrain it "
                         "with `python -m core.dates.train`")
    model, encoder, step = build_models()
    model.load_weights(Path(directory) / WEIGHTS_FILE)
    return model, encoder, step
