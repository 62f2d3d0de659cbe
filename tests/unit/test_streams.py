"""Random streams: one independent generator per (seed, replication, purpose).

These properties carry the reproducibility promises of docs/model.md
("Random numbers"): same seed, same results to the bit; replication k alone equals
replication k in a batch; common random numbers between scenarios; adding a
stream re-seeds nothing else. All checks here are exact (no statistics).
"""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from workforce_sim.engine.streams import RandomStreams, buffered_sampler, purpose_key
from workforce_sim.scenario.distributions import Empirical, Exponential, Fixed, Lognormal, Triangular

PURPOSES = ["referrals.assessment", "referrals.cp", "durations.assessment", "durations.cp",
            "pathways.cp", "initial.cla", "attrition", "recruitment", "agency", "academy"]


def draws(seed: int, replication: int, purpose: str, n: int = 64) -> np.ndarray:
    return RandomStreams(seed, replication)[purpose].random(n)


# --------------------------------------------------------------- determinism


@pytest.mark.parametrize("purpose", PURPOSES)
def test_same_key_same_draws(purpose):
    np.testing.assert_array_equal(draws(7, 3, purpose), draws(7, 3, purpose))
    a = RandomStreams(7, 3)[purpose]
    b = RandomStreams(7, 3)[purpose]
    assert a is not b
    for method in ("random", "standard_normal", "exponential"):
        np.testing.assert_array_equal(getattr(a, method)(100), getattr(b, method)(100))
    assert a.bit_generator.state == b.bit_generator.state


def test_a_stream_is_cached_and_continues():
    s = RandomStreams(1, 0)
    first = s["x"].random(5)
    assert s["x"] is s["x"]
    second = s["x"].random(5)
    np.testing.assert_array_equal(np.concatenate([first, second]), draws(1, 0, "x", 10))


# --------------------------------------------------------------- independence of keys


def test_different_purposes_differ():
    seen = {p: draws(0, 0, p) for p in PURPOSES}
    rows = np.array(list(seen.values()))
    # no two streams share a single one of their first 64 values
    assert len(np.unique(rows)) == rows.size


def test_different_replications_differ():
    rows = np.array([draws(0, r, "referrals.assessment") for r in range(50)])
    assert len(np.unique(rows)) == rows.size


def test_different_seeds_differ():
    rows = np.array([draws(s, 0, "referrals.assessment") for s in [0, 1, 2, 10, 2**31, 2**63 - 1]])
    assert len(np.unique(rows)) == rows.size


def test_seed_and_replication_are_not_interchangeable():
    """(seed=0, rep=1) and (seed=1, rep=0) are different streams, and so are
    (seed, rep, purpose) triples that would collide if the key were a plain sum."""
    assert not np.array_equal(draws(0, 1, "a"), draws(1, 0, "a"))
    assert not np.array_equal(draws(0, 0, "ab"), draws(0, 0, "ba"))
    keys = {(s, r, p) for s in range(3) for r in range(3) for p in ("a", "b", "c")}
    firsts = {RandomStreams(s, r)[p].bit_generator.random_raw() for s, r, p in keys}
    assert len(firsts) == len(keys)


def test_request_order_does_not_matter():
    """Asking for streams in another order, drawing from some before asking for
    others, or asking for extra streams changes nobody's draws: adding a stream
    re-seeds nothing else (common random numbers between scenarios)."""
    forward = RandomStreams(42, 5)
    a = {p: forward[p].random(32) for p in PURPOSES}

    backward = RandomStreams(42, 5)
    for extra in ("new.stream.1", "new.stream.2"):
        backward[extra].random(1000)
    b = {}
    for p in reversed(PURPOSES):
        b[p] = backward[p].random(32)
        backward["new.stream.3"].random(7)

    for p in PURPOSES:
        np.testing.assert_array_equal(a[p], b[p])
        np.testing.assert_array_equal(a[p], draws(42, 5, p, 32))


def test_replication_alone_equals_replication_in_a_batch():
    batch = [RandomStreams(9, r) for r in range(6)]
    batch_draws = [s["durations.cp"].random(16) for s in batch]
    np.testing.assert_array_equal(batch_draws[4], draws(9, 4, "durations.cp", 16))


@pytest.mark.parametrize("seed, replication", [(-1, 0), (0, -1)])
def test_negative_seed_or_replication_is_refused(seed, replication):
    with pytest.raises(ValueError, match="must be >= 0"):
        RandomStreams(seed, replication)


# --------------------------------------------------------------- pinned values


def test_purpose_key_is_pinned():
    """``purpose_key`` names every stream of every run. These values must NEVER change:
    a different key re-seeds that stream, so every published result (reports,
    regression outputs, the numbers a council has already been given) would
    silently change for the same seed. If this test fails, the change is the bug."""
    assert purpose_key("referrals.assessment") == 16645380390754003905
    assert purpose_key("durations.cp") == 16444788843987575661
    assert purpose_key("attrition") == 5138247219258869750
    assert purpose_key("") == 13020603013274838756


def test_purpose_key_definition():
    """blake2b (8 bytes, little-endian) of the UTF-8 name: independent of PYTHONHASHSEED,
    platform and process, and defined for any name."""
    for name in PURPOSES + ["équipe.été", "x" * 1000]:
        k = purpose_key(name)
        assert 0 <= k < 2**64
        assert k == int.from_bytes(hashlib.blake2b(name.encode("utf-8"), digest_size=8).digest(),
                                   "little")
    assert len({purpose_key(p) for p in PURPOSES}) == len(PURPOSES)


def test_stream_output_is_pinned():
    """The raw 64-bit output of a stream (SeedSequence + PCG64, whose output NumPy
    guarantees across versions). Pinned for the same reason as ``purpose_key``."""
    raw = RandomStreams(12345, 3)["referrals.assessment"].bit_generator.random_raw(3).tolist()
    assert raw == [12150145544018003253, 11170426233111785210, 3229894231802906487]
    raw = RandomStreams(0, 0)["durations.cp"].bit_generator.random_raw(2).tolist()
    assert raw == [10817344527691423773, 17442281428502215341]


def test_stream_is_the_documented_seed_sequence():
    ss = np.random.SeedSequence(77, spawn_key=(4, purpose_key("agency")))
    expected = np.random.Generator(np.random.PCG64(ss)).random(10)
    np.testing.assert_array_equal(draws(77, 4, "agency", 10), expected)


# --------------------------------------------------------------- buffered_sampler

DISTS = [
    Fixed(dist="fixed", value=28),
    Exponential(dist="exponential", mean=300),
    Lognormal(dist="lognormal", median=180, p90=540),
    Triangular(dist="triangular", min=56, mode=84, max=168),
    Empirical(dist="empirical", bins=[[0, 90, 0.4], [90, 180, 0.35], [180, 365, 0.25]]),
]


@pytest.mark.parametrize("dist", DISTS, ids=[d.dist for d in DISTS])
@pytest.mark.parametrize("block", [1, 7, 256])
def test_buffered_sampler_equals_block_draws(dist, block):
    n = 3 * block + 5                      # not a whole number of blocks
    rng = RandomStreams(3, 1)["durations.x"]
    sampler = buffered_sampler(dist, rng, block=block)
    got = [sampler() for _ in range(n)]
    assert all(type(v) is float for v in got)

    direct_rng = RandomStreams(3, 1)["durations.x"]
    blocks = [dist.sample(direct_rng, block) for _ in range(-(-n // block))]
    expected = np.concatenate(blocks)[:n]
    assert got == expected.tolist()
    # the sampler has consumed exactly those whole blocks from the stream, no more
    assert rng.bit_generator.state == direct_rng.bit_generator.state


def test_buffered_sampler_default_block_and_timing_independence():
    """Values depend only on the stream and block size, not on when they are asked
    for, nor on draws interleaved from other samplers on other streams."""
    dist = DISTS[2]
    s1 = RandomStreams(5, 0)
    a = buffered_sampler(dist, s1["durations.a"])
    alone = [a() for _ in range(600)]

    s2 = RandomStreams(5, 0)
    b = buffered_sampler(dist, s2["durations.a"])
    other = buffered_sampler(DISTS[4], s2["durations.b"], block=3)
    mixed = []
    for i in range(600):
        for _ in range(i % 4):
            other()
        mixed.append(b())
    assert mixed == alone
    direct = dist.sample(RandomStreams(5, 0)["durations.a"], 256 * 3)[:600]
    assert alone == direct.tolist()
