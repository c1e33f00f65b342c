"""The text_similarity metrics, each computed by a maintained library, all in [0, 1].

- fuzzy_match: rapidfuzz's `fuzz.ratio` (1 - normalized Indel distance) / 100.
- bleu: nltk's sentence BLEU (up to 4-grams, uniform weights) with Chen & Cherry's method 3
  smoothing, the `exp` smoothing sacrebleu uses for sentences, so that a short sentence
  without a 4-gram match does not score 0.
- gleu: nltk's sentence GLEU (1- to 4-grams).
- meteor: nltk's METEOR with its exact and Porter-stem matching stages and without the WordNet
  synonym stage: WordNet is data that nltk downloads at run time, which Whetstone never does.
  Texts that differ only by synonyms therefore score lower than with WordNet.
- rouge_1 .. rouge_5, rouge_l: Google's rouge-score F-measure (its own tokenizer, no stemming);
  for rouge_l the longest common subsequence of those tokens comes from rapidfuzz (the same
  number, in C++ rather than rouge-score's quadratic Python).

bleu, gleu and meteor tokenize with nltk's word tokenizer (Treebank rules, no data needed).
For the token metrics, two texts without any token score 1 and one without any scores 0.
`cosine` needs an embeddings model and is refused before grading (service/graders/grading.py).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from functools import cache
from typing import Any, Protocol

SUPPORTED_METRICS = (
    "fuzzy_match",
    "bleu",
    "gleu",
    "meteor",
    "rouge_1",
    "rouge_2",
    "rouge_3",
    "rouge_4",
    "rouge_5",
    "rouge_l",
)


class _Tokenizer(Protocol):
    """nltk's and rouge-score's tokenizers (neither package ships types)."""

    def tokenize(self, text: str) -> list[str]: ...


class _Score(Protocol):
    """One rouge-score measure."""

    fmeasure: float


class _RougeScorer(Protocol):
    """rouge-score's RougeScorer."""

    def score(self, target: str, prediction: str) -> Mapping[str, _Score]: ...


class _NoSynonyms:
    """Stands in for nltk's WordNet reader: no word has synonyms, so METEOR's third stage
    matches nothing (and never loads WordNet data)."""

    def synsets(self, _word: str) -> list[Any]:
        return []


@cache
def _tokenizer() -> _Tokenizer:
    from nltk.tokenize import NLTKWordTokenizer

    tokenizer: _Tokenizer = NLTKWordTokenizer()
    return tokenizer


def tokenize(text: str) -> list[str]:
    """nltk's word tokens of `text` (what `word_tokenize` gives for one sentence)."""
    return list(_tokenizer().tokenize(text))


@cache
def _rouge_scorer(rouge_type: str) -> _RougeScorer:
    from rouge_score.rouge_scorer import RougeScorer

    scorer: _RougeScorer = RougeScorer([rouge_type], use_stemmer=False)
    return scorer


def _bleu(hypothesis: list[str], reference: list[str]) -> float:
    from nltk.translate.bleu_score import SmoothingFunction, sentence_bleu

    with warnings.catch_warnings():
        # nltk warns when an n-gram order has no match; the smoothing is the answer to that.
        warnings.simplefilter("ignore")
        return float(
            sentence_bleu([reference], hypothesis, smoothing_function=SmoothingFunction().method3)
        )


def _gleu(hypothesis: list[str], reference: list[str]) -> float:
    from nltk.translate.gleu_score import sentence_gleu

    return float(sentence_gleu([reference], hypothesis))


def _meteor(hypothesis: list[str], reference: list[str]) -> float:
    from nltk.translate.meteor_score import meteor_score

    return float(meteor_score([reference], hypothesis, wordnet=_NoSynonyms()))


_TOKEN_METRICS = {"bleu": _bleu, "gleu": _gleu, "meteor": _meteor}


def similarity(metric: str, text: str, reference: str) -> float:
    """How similar `text` is to `reference` by `metric`, from 0 to 1."""
    if metric == "fuzzy_match":
        from rapidfuzz import fuzz

        return float(fuzz.ratio(text, reference)) / 100.0
    if metric in _TOKEN_METRICS:
        hypothesis, ref = tokenize(text), tokenize(reference)
        if not hypothesis or not ref:
            return 1.0 if hypothesis == ref else 0.0
        return _TOKEN_METRICS[metric](hypothesis, ref)
    if metric.startswith("rouge_"):
        rouge_type = "rouge" + metric.removeprefix("rouge_").upper()  # rouge1 .. rouge5, rougeL
        tokens, ref_tokens = _rouge_tokens(text), _rouge_tokens(reference)
        if not tokens or not ref_tokens:
            return 1.0 if tokens == ref_tokens else 0.0
        if rouge_type == "rougeL":
            return _rouge_l(tokens, ref_tokens)
        return float(_rouge_scorer(rouge_type).score(reference, text)[rouge_type].fmeasure)
    raise ValueError(f"unknown metric {metric!r}")


@cache
def _rouge_tokenizer() -> _Tokenizer:
    from rouge_score.tokenizers import DefaultTokenizer

    tokenizer: _Tokenizer = DefaultTokenizer(use_stemmer=False)
    return tokenizer


def _rouge_l(tokens: list[str], ref_tokens: list[str]) -> float:
    """rouge-score's ROUGE-L F-measure, with the longest common subsequence from rapidfuzz:
    rouge-score's own is a Python dynamic programme, seconds for a few thousand tokens."""
    from rapidfuzz.distance import LCSseq

    lcs = LCSseq.similarity(tokens, ref_tokens)
    if lcs == 0:
        return 0.0
    precision, recall = lcs / len(tokens), lcs / len(ref_tokens)
    return 2 * precision * recall / (precision + recall)


def _rouge_tokens(text: str) -> list[str]:
    # The tokens rouge-score itself scores (lowercased alphanumeric runs).
    return list(_rouge_tokenizer().tokenize(text))
