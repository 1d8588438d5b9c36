"""Time-ordered public identifiers (UUID version 7, RFC 9562).

Python 3.13 has no `uuid.uuid7` (it arrives in 3.14). Award ids are v7 so that new rows land at
the end of the primary index and ids sort by creation time, which keeps bulk inserts of millions
of awards cheap on PostgreSQL's B-trees.
"""

import os
import threading
import time
import uuid

_lock = threading.Lock()
_last = [0, 0]  # last millisecond and 12-bit counter, for monotonic ids within one process


def uuid7(*, milliseconds: int | None = None) -> uuid.UUID:
    """A UUIDv7: 48-bit Unix milliseconds, version 7, a 12-bit counter (RFC 9562 method 1,
    monotonic within the process), variant 10, 62 random bits."""
    if milliseconds is not None:
        # An explicit instant (tests, imports of dated records): no monotonic state involved.
        return _build(milliseconds, int.from_bytes(os.urandom(2)) & 0xFFF)
    with _lock:
        now = time.time_ns() // 1_000_000
        if now <= _last[0]:
            now = _last[0]
            counter = _last[1] + 1
            if counter > 0xFFF:
                # 4,096 ids in one millisecond: borrow the next millisecond, as RFC 9562 allows.
                now += 1
                counter = 0
        else:
            counter = int.from_bytes(os.urandom(2)) & 0x3FF
        _last[0], _last[1] = now, counter
    return _build(now, counter)


def _build(now: int, counter: int) -> uuid.UUID:
    random_bits = int.from_bytes(os.urandom(8)) & ((1 << 62) - 1)
    value = (now & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76
    value |= counter << 64
    value |= 0b10 << 62
    value |= random_bits
    return uuid.UUID(int=value)


def uuid7_milliseconds(value: uuid.UUID) -> int:
    """The Unix time in milliseconds a UUIDv7 was made at."""
    return value.int >> 80
