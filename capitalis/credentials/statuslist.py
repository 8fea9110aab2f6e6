"""W3C Bitstring Status List v1.0 codec (index 0 is the left-most bit of the first byte).

``encodedList`` = ``"u"`` + base64url without padding of GZIP(bitstring) (multibase base64url);
the list holds at least 131,072 bits (group privacy, spec §"Revocation Bitstring Length").
Indexes are allocated at random (``secrets``), never in issue order, so that neighbouring indexes
do not reveal who was certified together.
"""

from __future__ import annotations

import base64
import gzip
import re
import secrets
from collections.abc import Callable

MIN_BITS = 131_072
_RANDOM_TRIES = 64
_BASE64URL = re.compile(r"[A-Za-z0-9_-]+")


def new_bits(size: int = MIN_BITS) -> bytes:
    """An all-clear bitstring of ``size`` bits (a multiple of 8, at least 131,072)."""
    if size < MIN_BITS or size % 8:
        raise ValueError(f"a status list holds a multiple of 8 bits, at least {MIN_BITS}")
    return bytes(size // 8)


def _check_index(bits: bytes, index: int) -> None:
    if not 0 <= index < len(bits) * 8:
        raise IndexError(f"status list index {index} outside 0..{len(bits) * 8 - 1}")


def set_bit(bits: bytes, index: int) -> bytes:
    """A copy of ``bits`` with bit ``index`` set (index 0 = left-most bit)."""
    _check_index(bits, index)
    result = bytearray(bits)
    result[index // 8] |= 0x80 >> (index % 8)
    return bytes(result)


def is_set(bits: bytes, index: int) -> bool:
    _check_index(bits, index)
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def encode(bits: bytes) -> str:
    """``"u"`` + base64url-nopad(gzip(bits, mtime=0)): deterministic for the same bits."""
    packed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(packed).rstrip(b"=").decode("ascii")


def decode(encoded: str) -> bytes:
    """The bitstring of an ``encodedList`` (``ValueError`` if it is not one)."""
    if not isinstance(encoded, str) or not encoded.startswith("u"):
        raise ValueError("encodedList must be multibase base64url (prefix 'u')")
    body = encoded[1:]
    if not _BASE64URL.fullmatch(body):
        raise ValueError("encodedList is not base64url without padding")
    try:
        packed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        return gzip.decompress(packed)
    except (ValueError, OSError, EOFError) as exc:
        raise ValueError(f"encodedList is not base64url GZIP data: {exc}") from exc


def random_free_index(bits_used: Callable[[int], bool], size: int) -> int:
    """A random index in ``0..size-1`` for which ``bits_used(index)`` is false (``secrets``).

    After a few random draws (a nearly full list), scans from a random start; ``ValueError``
    when every index is used."""
    if size <= 0:
        raise ValueError("size must be positive")
    for _ in range(_RANDOM_TRIES):
        index = secrets.randbelow(size)
        if not bits_used(index):
            return index
    start = secrets.randbelow(size)
    for offset in range(size):
        index = (start + offset) % size
        if not bits_used(index):
            return index
    raise ValueError("the status list is full")
