"""Every text_similarity metric equals what its library computes on the same texts."""

from __future__ import annotations

import pytest
from nltk.tokenize import word_tokenize
from nltk.translate.bleu_score import SmoothingFunction, sentence_bleu
from nltk.translate.gleu_score import sentence_gleu
from nltk.translate.meteor_score import meteor_score
from rapidfuzz import fuzz
from rouge_score.rouge_scorer import RougeScorer

from service.graders.similarity import SUPPORTED_METRICS, similarity, tokenize

PAIRS = [
    ("The cat sat on the mat.", "The cat sat on the mat."),
    ("The cats were sitting on a mat!", "The cat sat on the mat."),
    ("Paris is the capital of France", "The capital of France is Paris."),
    ("completely different words here", "The cat sat on the mat."),
    ("It's 42, isn't it?", "it is 42"),
]


class NoWordNet:
    """WordNet without synonyms, as Whetstone runs METEOR."""

    def synsets(self, _word: str) -> list[object]:
        return []


@pytest.mark.parametrize(("text", "reference"), PAIRS)
def test_fuzzy_match_is_rapidfuzz_ratio(text: str, reference: str) -> None:
    assert similarity("fuzzy_match", text, reference) == fuzz.ratio(text, reference) / 100


@pytest.mark.parametrize(("text", "reference"), PAIRS)
def test_bleu_gleu_meteor_are_nltk(text: str, reference: str) -> None:
    hyp, ref = tokenize(text), tokenize(reference)
    assert hyp == word_tokenize(text, preserve_line=True)  # nltk's own tokenizer, no punkt
    bleu = sentence_bleu([ref], hyp, smoothing_function=SmoothingFunction().method3)
    assert similarity("bleu", text, reference) == pytest.approx(bleu, abs=1e-12)
    assert similarity("gleu", text, reference) == pytest.approx(sentence_gleu([ref], hyp))
    meteor = meteor_score([ref], hyp, wordnet=NoWordNet())
    assert similarity("meteor", text, reference) == pytest.approx(meteor)


@pytest.mark.parametrize(("text", "reference"), PAIRS)
@pytest.mark.parametrize("n", ["1", "2", "3", "4", "5", "L"])
def test_rouge_is_rouge_score_f_measure(text: str, reference: str, n: str) -> None:
    rouge_type = f"rouge{n}"
    expected = RougeScorer([rouge_type]).score(reference, text)[rouge_type].fmeasure
    assert similarity(f"rouge_{n.lower()}", text, reference) == pytest.approx(expected, abs=1e-12)


def test_rouge_l_matches_rouge_score_on_longer_texts() -> None:
    words = [f"w{(i * 7919) % 53}" for i in range(400)]
    text, reference = " ".join(words[:300]), " ".join(reversed(words[100:]))
    expected = RougeScorer(["rougeL"]).score(reference, text)["rougeL"].fmeasure
    assert similarity("rouge_l", text, reference) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("metric", SUPPORTED_METRICS)
def test_identical_texts_score_one_and_empty_ones_are_defined(metric: str) -> None:
    assert similarity(metric, "the quick brown fox jumps", "the quick brown fox jumps") == (
        # METEOR keeps a fragmentation penalty (one chunk of five words) even then.
        pytest.approx(1.0, abs=0.01) if metric == "meteor" else pytest.approx(1.0)
    )
    assert similarity(metric, "", "") == 1.0
    assert similarity(metric, "", "something") == 0.0
    assert 0.0 <= similarity(metric, "a cat", "the cat sat") <= 1.0


def test_meteor_needs_no_wordnet_data() -> None:
    # With WordNet missing, nltk's own default would raise LookupError on unmatched words.
    assert 0.0 < similarity("meteor", "the dog ran home", "a cat ran home") < 1.0
