"""Copy-constrained decoding (core.summarize.faithful) through the core.generation hook, on a tiny
random model from the bundled tokenizer: whatever it writes, its numbers and names are the source's."""
import pytest

from core.generation.decode import decode
from core.generation.sampling import Settings
from core.grounding import Sources
from core.summarize.faithful import CopyConstraint, keep_supported
from tests.fixtures.generate import bundled_tokenizer, tiny_llama

SOURCE = ("Time Warner chairman Richard Parsons said sales rose 19 per cent to $750 million in 2004. "
          "Adam Smith and John Major met in London on 5 April.")


@pytest.fixture(scope="module")
def tokenizer():
    return bundled_tokenizer()


@pytest.fixture(scope="module")
def constraint(tokenizer):
    return CopyConstraint(tokenizer, SOURCE)


@pytest.mark.parametrize("text, piece, allowed", [
    ("Sales rose", " 19", True), ("Sales rose 1", "9", True), ("Sales rose 1", "7", False),
    ("Sales rose 1", " per", False),          # "1" would end as a number the source does not have
    ("said", " Richard", True), ("said Richard", " Parsons", True),
    ("said John", " Smith", False),           # both words are in the source, the run is not
    ("said John", " Major", True), ("", "The", True), ("met in", " Paris", False),
    ("in 20", "04", True), ("in 20", "05", False), ("it had", " seven", False), ("it had", " staff", True)])
def test_numbers_and_names_must_continue_the_sources(constraint, text, piece, allowed):
    assert constraint.allows(text, piece) is allowed


@pytest.mark.parametrize("seed", range(4))
def test_a_random_model_writes_no_number_or_name_absent_from_the_source(tokenizer, seed):
    model = tiny_llama(tokenizer, seed=seed)
    constraint = CopyConstraint(tokenizer, SOURCE)
    calls = []

    def spy(generated, logits):
        calls.append(list(generated))
        return constraint(generated, logits)
    settings, notices = Settings.checked(max_new_tokens=40, temperature=0, seed=seed)
    prompt = tokenizer("Summarise: " + SOURCE).input_ids
    final = list(decode(model, prompt, settings, notices, top_n=0, constraint=spy))[-1]
    support = Sources(SOURCE).check(final.text)
    assert final.text and support.unsupported_facts == 0, (final.text, support.unsupported_marks)
    assert len(calls) == final.stats.new_tokens and calls[0] == []   # called at every step, on the new ids


def test_sentences_with_invented_facts_are_dropped():
    kept, support, dropped = keep_supported("Sales rose 19%. Sales fell 30% in Paris. Richard Parsons spoke.",
                                            Sources(SOURCE))
    assert kept == "Sales rose 19%. Richard Parsons spoke." and dropped == 1 and support.unsupported_facts == 0
