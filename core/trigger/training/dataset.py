"""Training examples made on the fly: thousands of (5511, 101) spectrograms would take gigabytes.

make_batch is plain numpy; TriggerWordDataset wraps it as a Keras PyDataset. Batch i of
epoch e comes from Generator(seed, e, i), so a run can be repeated exactly.
"""
from __future__ import annotations

import keras
import numpy as np

from core.trigger.synth import Ty, make_example
from core.trigger.voicebank.backgrounds import KINDS, make_background


def make_batch(activates, negatives, backgrounds, batch_size: int, rng: np.random.Generator, augmenter=None,
               negatives_per_example: tuple[int, int] | None = None):
    """X (batch, Tx, n_freq) = (b, 5511, 101) and Y (batch, Ty, 1) = (b, 1375, 1), float32:
    the course's x transposed to time-major and y as one column per step, as the model takes them.
    negatives_per_example: (fewest, most) negatives in each example instead of the course's 0–2."""
    xs, ys = [], []
    options = {} if augmenter is None else dict(augment_clip=augmenter.augment_clip,
                                                augment_recording=augmenter.augment_recording)
    for _ in range(batch_size):
        background = backgrounds[int(rng.integers(len(backgrounds)))]
        counts = {} if negatives_per_example is None else dict(
            n_negatives=int(rng.integers(negatives_per_example[0], negatives_per_example[1] + 1)))
        example = make_example(background, activates, negatives, rng=rng, **counts, **options)
        xs.append(example.x.T.astype(np.float32))
        ys.append(example.y.reshape(Ty, 1))
    return np.stack(xs), np.stack(ys)


def generated_backgrounds(count: int, seed: int, clips=()) -> list[np.ndarray]:
    """count 10 s backgrounds at 44.1 kHz, cycling through every kind (babble from clips)."""
    rng = np.random.default_rng(seed)
    return [make_background(KINDS[i % len(KINDS)], rng, clips=clips) for i in range(count)]


class TriggerWordDataset(keras.utils.PyDataset):
    """Endless fresh examples from a Bank (pass bank.split halves for train and dev).

    extra_negatives: e.g. bank.real_negatives(), real recordings read where they lie.
    """

    def __init__(self, bank, batch_size: int = 16, batches_per_epoch: int = 50, seed: int = 0,
                 augmenter=None, extra_negatives=(), n_generated_backgrounds: int = 14, **kwargs):
        super().__init__(**kwargs)
        self.activates = list(bank.activates)
        self.negatives = list(bank.negatives) + list(extra_negatives)
        babble = [(clip, 44100) for clip in bank.negatives]
        self.backgrounds = list(bank.backgrounds) + generated_backgrounds(n_generated_backgrounds, seed, babble)
        self.batch_size, self.batches, self.seed = batch_size, batches_per_epoch, seed
        self.augmenter = augmenter
        self.epoch = 0

    def __len__(self) -> int:
        return self.batches

    def __getitem__(self, index: int):
        rng = np.random.default_rng([self.seed, self.epoch, index])
        return make_batch(self.activates, self.negatives, self.backgrounds, self.batch_size, rng, self.augmenter)

    def on_epoch_end(self):
        self.epoch += 1
