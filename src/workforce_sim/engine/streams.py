"""Named random-number streams: one per (seed, replication, purpose).

Each purpose ("referrals.assessment", "durations.cp", ...) gets its own PCG64
generator, seeded from ``SeedSequence(seed, spawn_key=(replication, purpose_key(purpose)))``,
where :func:`purpose_key` is a 64-bit BLAKE2b digest of the name (stable across
processes and runs, unlike Python's salted ``hash``).
Streams are independent of the order in which they are asked for, so two
scenarios that differ in one lever still share every other stream (common
random numbers), and adding a stream re-seeds nothing else. There is no
global generator anywhere in the package.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from itertools import chain, repeat

import numpy as np


def purpose_key(purpose: str) -> int:
    """A stable 64-bit integer for a stream name (Python's ``hash`` is salted per process)."""
    return int.from_bytes(hashlib.blake2b(purpose.encode(), digest_size=8).digest(), "little")


class RandomStreams:
    """Factory and cache of the named generators of one replication."""

    def __init__(self, seed: int, replication: int):
        if seed < 0 or replication < 0:
            raise ValueError(f"seed and replication must be >= 0, got {seed}, {replication}")
        self.seed = seed
        self.replication = replication
        self._streams: dict[str, np.random.Generator] = {}

    def __getitem__(self, purpose: str) -> np.random.Generator:
        rng = self._streams.get(purpose)
        if rng is None:
            ss = np.random.SeedSequence(self.seed, spawn_key=(self.replication, purpose_key(purpose)))
            rng = self._streams[purpose] = np.random.Generator(np.random.PCG64(ss))
        return rng


class _Law:
    """Anything with ``sample(rng, size)``, for :func:`buffered_sampler`."""

    def __init__(self, sample):
        self.sample = sample


UNIFORM = _Law(lambda rng, size: rng.random(size))            # Uniform(0, 1)
EXP1 = _Law(lambda rng, size: rng.exponential(1.0, size))     # Exp(1)


def buffered_sampler(dist, rng: np.random.Generator, block: int = 256) -> Callable[[], float]:
    """A function that hands out draws of ``dist`` one at a time, drawn in blocks.

    Sampling a block with NumPy costs about as much as one scalar draw, and the
    returned function is the ``__next__`` of a chain of blocks, so each draw
    costs one C-level call. A block is drawn only when the previous one is used
    up. The values depend only on the stream, the block size and, where several
    samplers share one stream, the order in which they refill: two scenarios
    keep identical draws for a purpose while their draws for it come in the
    same order, and drift apart once they do not.
    """
    blocks = map(lambda _: dist.sample(rng, block).tolist(), repeat(None))
    return chain.from_iterable(blocks).__next__
