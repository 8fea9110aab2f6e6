"""Bitstring Status List v1.0 codec: bit order, round trip, fixtures, random allocation."""

from __future__ import annotations

import base64
import gzip
import json
from pathlib import Path

import pytest

from capitalis.credentials import statuslist

FIXTURES = Path(__file__).parent / "fixtures"


def encoded_list(relative: str) -> str:
    document = json.loads((FIXTURES / relative).read_text(encoding="utf-8"))
    return document["credentialSubject"]["encodedList"]


def set_indexes(bits: bytes) -> list[int]:
    return [
        byte_index * 8 + bit
        for byte_index, byte in enumerate(bits)
        if byte
        for bit in range(8)
        if byte & (0x80 >> bit)
    ]


def test_new_bits_is_clear_and_large_enough() -> None:
    bits = statuslist.new_bits()
    assert len(bits) * 8 == 131_072
    assert set_indexes(bits) == []
    assert len(statuslist.new_bits(262_144)) == 32_768
    for size in (8, 131_064, 131_073):
        with pytest.raises(ValueError):
            statuslist.new_bits(size)


def test_index_zero_is_the_left_most_bit() -> None:
    bits = statuslist.set_bit(statuslist.new_bits(), 0)
    assert bits[0] == 0x80
    bits = statuslist.set_bit(bits, 7)
    assert bits[0] == 0x81
    bits = statuslist.set_bit(bits, 9)
    assert bits[1] == 0x40
    assert set_indexes(bits) == [0, 7, 9]
    assert statuslist.is_set(bits, 9) and not statuslist.is_set(bits, 8)


def test_set_bit_returns_a_copy_and_is_idempotent() -> None:
    clear = statuslist.new_bits()
    once = statuslist.set_bit(clear, 131_071)
    assert set_indexes(clear) == []
    assert statuslist.set_bit(once, 131_071) == once
    assert once[-1] == 0x01


@pytest.mark.parametrize("index", [-1, 131_072, 10**9])
def test_out_of_range_index(index: int) -> None:
    bits = statuslist.new_bits()
    with pytest.raises(IndexError):
        statuslist.set_bit(bits, index)
    with pytest.raises(IndexError):
        statuslist.is_set(bits, index)


def test_round_trip_and_format() -> None:
    bits = statuslist.new_bits()
    for index in (0, 23, 94_567, 131_071):
        bits = statuslist.set_bit(bits, index)
    encoded = statuslist.encode(bits)
    assert encoded.startswith("u") and "=" not in encoded
    assert set(encoded[1:]) <= set(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    )
    assert statuslist.decode(encoded) == bits
    assert statuslist.encode(bits) == encoded, "deterministic (gzip mtime=0)"
    # Independent decoding: base64url + gzip.
    body = encoded[1:] + "=" * (-len(encoded[1:]) % 4)
    assert gzip.decompress(base64.urlsafe_b64decode(body)) == bits
    assert len(encoded) < 200, "an almost empty list compresses to a few bytes"


def test_1edtech_testlist_has_only_bit_23() -> None:
    bits = statuslist.decode(encoded_list("1edtech-validator/bit-string-list/testlist"))
    assert len(bits) * 8 >= 131_072
    assert set_indexes(bits) == [23]
    assert statuslist.is_set(bits, 23)


def test_capitalis_sample_lists() -> None:
    revoked = encoded_list("capitalis-sample/status-list.revoked-94567.json")
    clear = encoded_list("capitalis-sample/status-list.not-revoked.json")
    assert set_indexes(statuslist.decode(revoked)) == [94_567]
    assert set_indexes(statuslist.decode(clear)) == []
    assert len(statuslist.decode(revoked)) * 8 == 131_072
    # Our encoder produces the same text as the research samples.
    assert statuslist.encode(statuslist.set_bit(statuslist.new_bits(), 94_567)) == revoked
    assert statuslist.encode(statuslist.new_bits()) == clear


@pytest.mark.parametrize("value", ["", "H4sI", "u", "u!!!", "uH4s+", "uAAAA", "z" + "A" * 10, 5])
def test_decode_rejects_garbage(value: object) -> None:
    with pytest.raises(ValueError):
        statuslist.decode(value)  # type: ignore[arg-type]


def test_random_free_index_skips_used_indexes() -> None:
    used = set(range(0, 131_072, 2))  # every even index is taken
    for _ in range(200):
        index = statuslist.random_free_index(used.__contains__, 131_072)
        assert index % 2 == 1 and 0 <= index < 131_072


def test_random_free_index_is_random_not_sequential() -> None:
    used: set[int] = set()
    drawn = []
    for _ in range(50):
        index = statuslist.random_free_index(used.__contains__, 131_072)
        used.add(index)
        drawn.append(index)
    assert len(set(drawn)) == 50
    assert drawn != sorted(drawn)
    assert drawn != list(range(drawn[0], drawn[0] + 50))
    assert max(drawn) - min(drawn) > 10_000  # spread over the list


def test_random_free_index_finds_the_last_free_one_and_reports_a_full_list() -> None:
    size = 1_000
    assert statuslist.random_free_index(lambda i: i != 617, size) == 617
    with pytest.raises(ValueError):
        statuslist.random_free_index(lambda i: True, size)
    with pytest.raises(ValueError):
        statuslist.random_free_index(lambda i: False, 0)
