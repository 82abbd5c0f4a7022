"""Builders for the bot.cards tests (this module holds no tests): valid numbers made
with the published algorithms, written here independently of the code under test."""

from __future__ import annotations

ID_WEIGHTS = [2 ** (17 - i) % 11 for i in range(17)]  # ISO 7064 MOD 11-2


def id_check_digit(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True))
    return "10X98765432"[total % 11]


def make_id(region: str = "110101", birth: str = "19900307", seq: str = "123") -> str:
    """A valid 18-character ID number; ``seq``'s last digit odd = male."""
    first17 = region + birth + seq
    return first17 + id_check_digit(first17)


def wrong_check_digit(number: str) -> str:
    """The same number with a different (wrong) last character."""
    return number[:-1] + ("1" if number[-1] != "1" else "2")


def luhn_complete(partial: str) -> str:
    """``partial`` plus the Luhn check digit."""
    total = 0
    for i, d in enumerate(reversed(partial)):
        n = int(d)
        if i % 2 == 0:  # doubled: every second digit from the right, the check digit excluded
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return partial + str((10 - total % 10) % 10)


VIN_VALUES = dict(zip("0123456789", range(10), strict=True)) | {
    "A": 1, "B": 2, "C": 3, "D": 4, "E": 5, "F": 6, "G": 7, "H": 8,
    "J": 1, "K": 2, "L": 3, "M": 4, "N": 5, "P": 7, "R": 9,
    "S": 2, "T": 3, "U": 4, "V": 5, "W": 6, "X": 7, "Y": 8, "Z": 9,
}  # fmt: skip
VIN_WEIGHTS = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2]


def make_vin(without_check: str) -> str:
    """A 17-character VIN from 16 characters: the check digit goes in at position 9."""
    vin = without_check[:8] + "0" + without_check[8:]
    total = sum(VIN_VALUES[c] * w for c, w in zip(vin, VIN_WEIGHTS, strict=True))
    check = "X" if total % 11 == 10 else str(total % 11)
    return vin[:8] + check + vin[9:]
