"""Scoring known strings against the recognizer's per-frame character probabilities.

RapidOCR's recognizer is a CTC model: for every few pixels of a text strip (a
*frame*) it gives a probability for each character and for "blank". Its answer
is the most likely character per frame, so one smudged character makes the
text wrong. When the text is known to be one of a list (a seal's issuing
authority is one of a few hundred), we can do better: the CTC forward algorithm
gives the probability of each *whole* string, and the best one wins on the
evidence of every frame, the smudged ones included.

The probabilities come from :meth:`bot.ocr.local.models.Models.frame_probs`. This is
the standard lexicon decoding of CTC (Graves et al., 2006), written out
in numpy: a few hundred strings over a hundred frames take milliseconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

BLANK = 0  # index of CTC's blank in RapidOCR's character list (and in ``columns``)
_NEG = -1e30  # log(0), finite so that sums stay finite


@dataclass(frozen=True)
class Lexicon:
    """Known strings as label sequences of the recognizer's character list."""

    texts: tuple[str, ...]
    columns: np.ndarray  # the recognizer's character indices the texts use, blank first
    labels: np.ndarray  # (strings, 2 * longest + 1): blank-interleaved, indices into columns
    lengths: np.ndarray  # (strings,): characters in each string

    @classmethod
    def build(cls, texts: Sequence[str], characters: Sequence[str]) -> Lexicon:
        index = {ch: i for i, ch in enumerate(characters)}
        unknown = {ch for text in texts for ch in text if ch not in index}
        if unknown:
            raise ValueError(f"characters the recognizer cannot produce: {sorted(unknown)}")
        used = sorted({ch for text in texts for ch in text}, key=index.__getitem__)
        columns = np.array([BLANK] + [index[ch] for ch in used])
        column = {ch: i + 1 for i, ch in enumerate(used)}  # 0 stays the blank
        longest = max(len(t) for t in texts)
        labels = np.zeros((len(texts), 2 * longest + 1), np.int64)
        for k, text in enumerate(texts):
            labels[k, 1 : 2 * len(text) : 2] = [column[ch] for ch in text]
        return cls(tuple(texts), columns, labels, np.array([len(t) for t in texts]))

    def log_probs(self, probs: np.ndarray) -> np.ndarray:
        """log P(text | frames) of every text: (strips, texts) from (strips, frames,
        characters) probabilities (all strips at once, so numpy does the looping).

        The forward pass runs on probabilities, not their logarithms: after every frame
        each text's states are scaled to sum to one and the logarithm of the scale is
        added up (Rabiner's scaling), which costs products where logarithms cost
        ``logaddexp`` (a tenth of the time).
        """
        p = np.maximum(probs[:, :, self.columns], 1e-12).astype(np.float64)
        n, frames = p.shape[:2]
        ext = self.labels
        k, states = ext.shape
        # A step may skip the blank between two characters unless they are the same.
        skip = ((ext[:, 2:] != BLANK) & (ext[:, 2:] != ext[:, :-2])).astype(np.float64)
        # Each state's probability in every frame, gathered once (a few tens of MB for
        # a seal's lexicon): gathering frame by frame took half the time.
        emit = p[:, :, ext]  # (strips, frames, texts, states)
        alpha = emit[:, 0].copy()
        alpha[:, :, 2:] = 0.0  # a text starts with its first blank or its first character
        log_scale = np.zeros((n, k))
        step = np.empty_like(alpha)
        for t in range(1, frames):
            total = alpha.sum(axis=2, keepdims=True)
            alpha /= total
            log_scale += np.log(total[:, :, 0])
            step[:] = alpha
            step[:, :, 1:] += alpha[:, :, :-1]
            step[:, :, 2:] += alpha[:, :, :-2] * skip
            np.multiply(step, emit[:, t], out=alpha)
        rows = np.arange(k)
        last = 2 * self.lengths  # the final blank; the final character is one before
        end = alpha[:, rows, last] + alpha[:, rows, last - 1]
        with np.errstate(divide="ignore"):
            return np.where(end > 0, np.log(end) + log_scale, _NEG)
