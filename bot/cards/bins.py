"""Card BIN table: the issuing bank and the card kind from a card number's prefix.

The table is data, ``bins.tsv`` next to this module: one BIN a line, with the card
length it is issued with, the kind (DC debit, CC credit, SCC semi-credit, PC prepaid)
and the bank. It is read on the first lookup.

About 1,800 BINs of some 120 issuers: every large Chinese bank (工行, 农行, 中行,
建行, 交行, 邮储, the joint-stock banks, the big city and rural commercial banks)
and the Hong Kong and Macau banks that issue UnionPay cards.

Sources: the BIN list of the ``bankcardinfo`` npm package 2.0.6 (ISC licence),
with a few BINs it lacks (重庆农村商业银行 among them) from the ``bcbc`` project's
``data/bin.csv`` (MIT licence). Prefixes that the list gave to two different banks
for the same card length were left out rather than guessed.

A BIN only identifies a card together with its length (the same six digits can
belong to one bank's 19-digit debit cards and another bank's 16-digit credit
cards), so :func:`lookup` prefers rows of the card's own length, then the
longest prefix.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path

TABLE = Path(__file__).with_name("bins.tsv")


class CardKind(StrEnum):
    DEBIT = "DC"
    CREDIT = "CC"
    SEMI_CREDIT = "SCC"  # 准贷记卡: deposit first, small overdraft
    PREPAID = "PC"

    @property
    def label(self) -> str:
        return {"DC": "借记卡", "CC": "信用卡", "SCC": "准贷记卡", "PC": "预付费卡"}[self.value]


@dataclass(frozen=True)
class BinInfo:
    bank: str
    kind: CardKind
    prefix: str
    length: int  # the card length this BIN is issued with


@cache
def _index() -> dict[str, list[BinInfo]]:
    """prefix -> the rows with that prefix (several when card lengths differ)."""
    index: dict[str, list[BinInfo]] = {}
    for info in _rows():
        index.setdefault(info.prefix, []).append(info)
    return index


@cache
def _rows() -> tuple[BinInfo, ...]:
    """The rows of ``bins.tsv``, in file order (the order breaks ties in :func:`lookup`)."""
    text = TABLE.read_text(encoding="utf-8")
    rows = csv.DictReader(text.splitlines(), delimiter="\t")
    return tuple(
        BinInfo(row["bank"], CardKind(row["kind"]), row["prefix"], int(row["length"]))
        for row in rows
    )


def lookup(number: str) -> BinInfo | None:
    """The issuer of card ``number`` (spaces allowed), or ``None`` when unknown.

    Longest matching prefix among the rows issued with the card's length; when
    no row has that length (a misread digit count, a new product), the longest
    matching prefix of any length.
    """
    digits = re.sub(r"\D", "", number)
    index = _index()
    matches = [
        info for size in range(min(len(digits), 10), 2, -1) for info in index.get(digits[:size], ())
    ]
    same_length = [m for m in matches if m.length == len(digits)]
    best = same_length or matches
    return best[0] if best else None


def banks() -> set[str]:
    """Every bank in the table."""
    return {info.bank for info in _rows()}
