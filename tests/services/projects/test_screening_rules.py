"""PRJ-4 duplicate screening: the pure rules (normalisation, shingles, Jaccard, MinHash, banding)."""

from __future__ import annotations

import numpy as np
import pytest

from services.projects.rules import similarity as s
from tests.services.projects.screening_texts import (
    BATTERY,
    BLACK_SOIL,
    BLACK_SOIL_REMOTE_SENSING,
    BLACK_SOIL_REWRITE,
    LASER,
)


def hashes(doc: tuple[str, str, list[str]]) -> np.ndarray:
    return s.hash_set(s.tokens(*doc))


def test_prj4_normalise_folds_width_case_punctuation_and_space() -> None:
    assert s.normalise("ＡＢＣ－１２３ Gene") == "abc123gene"
    assert s.normalise("黑土地，保护！\n（示范） ") == "黑土地保护示范"
    assert s.normalise("“……”、。 \t") == ""
    assert s.normalise("５Ｇ通信") == s.normalise("5g通信")


def test_prj4_shingles_are_character_ngrams_of_the_normalised_text() -> None:
    assert s.shingles("黑土地，保护", 2) == {"黑土", "土地", "地保", "保护"}
    assert s.shingles("黑土地保护", 3) == {"黑土地", "土地保", "地保护"}
    assert s.shingles("光", 2) == {"光"}
    assert s.shingles("！？", 2) == set()


def test_prj4_keywords_are_tokens_of_their_own() -> None:
    toks = s.tokens("黑土", "", ["黑土", " 黑土 ", "！"])
    kw = {t for t in toks if t.startswith(s.KEYWORD_PREFIX)}
    assert kw == {s.KEYWORD_PREFIX + "黑土"}  # normalised, de-duplicated, empty ones dropped
    assert "黑土" in toks and len(toks) == 2  # the title n-gram is not the keyword token


def test_prj4_fields_are_shingled_separately() -> None:
    # no n-gram spans the seam between title and abstract
    assert "地保" not in s.tokens("黑土地", "保护", [])


def test_prj4_input_is_clipped_to_the_limits() -> None:
    title, abstract, keywords = s.clip("题" * 1000, "文" * 100_000, ["词" * 99] * 99)
    assert len(title) == s.MAX_TITLE_CHARS and len(abstract) == s.MAX_ABSTRACT_CHARS
    assert len(keywords) == s.MAX_KEYWORDS and all(len(k) == s.MAX_KEYWORD_CHARS for k in keywords)


def test_prj4_exact_jaccard() -> None:
    a, b = np.array([1, 2, 3, 4], dtype=np.uint32), np.array([3, 4, 5, 6], dtype=np.uint32)
    assert s.jaccard(a, b) == pytest.approx(2 / 6)
    assert s.jaccard(a, a) == 1.0
    assert s.jaccard(a, np.array([], dtype=np.uint32)) == 0.0
    assert s.jaccard(np.array([], dtype=np.uint32), np.array([], dtype=np.uint32)) == 0.0


def test_prj4_hashes_pack_and_unpack() -> None:
    h = hashes(BLACK_SOIL)
    assert np.array_equal(s.unpack_hashes(s.pack_hashes(h)), h)
    assert np.all(np.diff(h.astype(np.int64)) > 0)  # sorted and distinct
    assert hashes(BLACK_SOIL).tolist() == h.tolist()  # stable across calls (not Python's hash())


def test_prj4_planted_near_duplicate_is_above_threshold_and_unrelated_texts_are_not() -> None:
    policy = s.ScreeningPolicy()
    base = hashes(BLACK_SOIL)
    assert s.jaccard(base, hashes(BLACK_SOIL_REWRITE)) >= policy.threshold
    for other in (BLACK_SOIL_REMOTE_SENSING, LASER, BATTERY):
        assert s.jaccard(base, hashes(other)) < 0.3


def test_prj4_minhash_signature_estimates_jaccard_and_survives_storage() -> None:
    a, b = hashes(BLACK_SOIL), hashes(BLACK_SOIL_REWRITE)
    sa, sb = s.signature(a), s.signature(b)
    assert abs(sa.jaccard(sb) - s.jaccard(a, b)) < 0.15
    restored = s.unpack_signature(s.pack_signature(sa))
    assert np.array_equal(restored.hashvalues, sa.hashvalues)
    assert np.array_equal(s.signature(a).hashvalues, sa.hashvalues)  # fixed seed: reproducible


def test_prj4_banding_meets_the_recall_target_at_the_threshold() -> None:
    for threshold in (0.5, 0.6, 0.7, 0.8):
        bands, rows = s.lsh_bands(threshold, 128, 0.98)
        assert bands * rows <= 128
        assert s.candidate_probability(threshold, bands, rows) >= 0.98
        # one more row per band would miss the target: the banding is as selective as allowed
        assert s.candidate_probability(threshold, 128 // (rows + 1), rows + 1) < 0.98
    bands, rows = s.lsh_bands(0.6, 128, 0.98)
    assert s.candidate_probability(0.2, bands, rows) < 0.1  # unrelated pairs rarely become candidates


def test_prj4_band_keys_equal_for_equal_bands() -> None:
    sig = s.signature(hashes(BLACK_SOIL)).hashvalues
    keys = s.band_keys(np.stack([sig, sig]), 32, 4)
    assert keys.shape == (2, 32) and np.array_equal(keys[0], keys[1])
    other = sig.copy()
    other[:4] += 1  # first band differs, the rest agree
    k2 = s.band_keys(other, 32, 4)[0]
    assert k2[0] != keys[0, 0] and np.array_equal(k2[1:], keys[0, 1:])


def test_prj4_policy_is_data_with_checked_values() -> None:
    policy = s.ScreeningPolicy()
    assert policy.threshold == 0.6 and policy.window_years == 5
    assert policy.funded_years(2026) == (2021, 2026)
    assert "0.6" in policy.rule and s.SCHEME.name in policy.rule
    for bad in ({"threshold": 0}, {"threshold": 1.5}, {"window_years": -1}, {"max_flags": 0}):
        with pytest.raises(ValueError):
            s.ScreeningPolicy(**bad)
    with pytest.raises(ValueError):
        s.SignatureScheme(fields=())
