"""Synthetic identity documents with their ground truth, for testing the OCR engines.

>>> from bot.devtools.synth import generate
>>> sample = generate("idcard", seed=7, mode="photo", side="Front")
>>> sample.truth["type"], sample.meta["rotation"] in (0, 90, 180, 270)
('Front', True)

Everything is fake: names, numbers and addresses are drawn at random, but
every number passes its real check (ID check digit and region, Luhn, USCC,
VIN, MRZ). ``python -m bot.devtools.synth --help`` writes a set to disk.

Truth conventions (the WeChat OCR API's names; extras marked +):

- idcard: Front ``type name id addr gender nationality``; Back ``type valid_date``
  (``20150301-20350301`` or ``20150301-长期``) + ``authority``.
- bankcard: ``number`` (digits only) + ``bank_name card_type valid_thru`` (``MM/YY``,
  only when printed).
- drivinglicense, driving, passport: dates ``YYYY-MM-DD``; passport ``sex`` M/F,
  ``mrz`` the two 44-character lines.
- driving with its 副页: ``record`` is the inspection stamp (``检验有效期至2027年02月晋(B)``),
  ``overall_size`` as printed (``4223×1788×1419mm``), + ``file_no`` (档案编号); the 副页
  alone (side ``Back``) answers its 号牌号码 as ``plate_num``.
- bizlicense: ``registered_date`` and ``valid_period`` as printed
  (``2015年03月01日``, ``2015年03月01日至长期``), like the local engine and bot/cards.
- platenum: ``number`` without the dot, + ``color`` (blue/yellow/green/white).
- businesscard: ``phones`` and ``emails`` are lists; comm: ``items`` = [{"text": line}].
"""

from .generator import MODES, Sample, generate, supported_types

__all__ = ["MODES", "Sample", "generate", "supported_types"]
