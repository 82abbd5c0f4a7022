"""Synthetic identity documents with their ground truth, for testing the OCR engines.

>>> from bot.devtools.synth import generate
>>> sample = generate("idcard", seed=7, mode="photo", side="Front")
>>> sample.truth["type"], sample.meta["rotation"] in (0, 90, 180, 270)
('Front', True)

Everything is fake: names, numbers and addresses are drawn at random, but
every number passes its real check (ID check digit and region, Luhn, USCC,
VIN, MRZ). ``python -m bot.devtools.synth --help`` writes a set to disk.
"""

from .generator import MODES, Sample, generate, supported_types

__all__ = ["MODES", "Sample", "generate", "supported_types"]
