"""Fixtures the unit tests share: the bundled SmolLM2 tokenizer and a tiny random Llama on it."""
import pytest

from tests.fixtures.generate import bundled_tokenizer, tiny_llama


@pytest.fixture(scope="module")
def tokenizer():
    return bundled_tokenizer()


@pytest.fixture(scope="module")
def tiny(tokenizer):
    return tiny_llama(tokenizer)
