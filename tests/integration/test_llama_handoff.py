"""Long prompts read by the transformers reference and handed to llama.cpp (llama_handoff.py): the
bytes written are llama.cpp's own state of the same prompt, and the sequence then decodes as if
llama.cpp had read it, on the bundled model with real weights."""
import ctypes

import numpy as np
import pytest

from core.generation import decode as generation
from core.generation.sampling import Settings
from tests.fixtures.engines import BUNDLED, as_loaded, engine_named, require_llama

ARTICLE = ("The council approved a plan on Tuesday to rebuild the old bridge over the river by 2027. "
           "It will cost about 40 million pounds, paid for by the city and a national transport fund. ") * 12
QUESTION = ARTICLE + "\n\nHow much will the new bridge cost?"


@pytest.fixture(scope="module")
def reference():
    return engine_named("transformers")


def llama(reference, weights: str, minimum: int):
    """A llama.cpp engine on the bundled model's weights as `weights`, handing prompts of
    `minimum` tokens or more to the reference."""
    from core.generation.engines.llama_handoff import Handoff
    from core.generation.engines.llama_weights import weights_file
    from core.generation.engines.llamacpp import KV_UNIFIED, LlamaCppEngine
    from core.runtime import registry
    require_llama()
    path = weights_file(registry.bundled_path(BUNDLED), BUNDLED, 1, wanted=weights)
    engine = LlamaCppEngine(path, reference.tokenizer, 2, reference=reference.model, slots=2, cells=2047)
    engine.handoff = Handoff(engine.L, engine._model, reference.model, 1 if KV_UNIFIED else 3, minimum)
    return engine


def prompt(engine, text: str = QUESTION) -> list[int]:
    return generation.fit_chat(engine.tokenizer, [{"role": "user", "content": text}], 4000)[0]


def own_state(engine, ids: list[int]) -> bytes:
    """llama.cpp's own sequence state after it has read `ids` (the engine thread is idle then)."""
    with engine.sequence() as sequence:
        sequence.prefill(ids)
        L, seq = engine.L, sequence.slot.id
        size = L.llama_state_seq_get_size(engine._ctx, seq)
        buffer = (ctypes.c_uint8 * size)()
        return bytes(buffer[:L.llama_state_seq_get_data(engine._ctx, buffer, size, seq)])


def test_the_state_written_is_llama_cpps_own_state_of_the_same_prompt(reference):
    """float32 weights in both engines: the same layout, cells and positions byte for byte, and
    keys and values equal to float rounding (a wrong head permutation would differ by whole units)."""
    engine = llama(reference, "f32", minimum=0)  # 0: llama.cpp reads every prompt itself
    try:
        ids = prompt(engine)[:120]
        own = np.frombuffer(own_state(engine, ids), np.uint8)
        engine.handoff = type(engine.handoff)(engine.L, engine._model, reference.model, engine.handoff.n_stream, 1)
        row, state = engine.handoff.read(ids)
        assert state.nbytes == own.nbytes
        cells_end = 16 + 12 * len(ids) + 8
        assert bytes(state[:cells_end]) == bytes(own[:cells_end])
        ours, theirs = state[cells_end:].view(np.float32), own[cells_end:].view(np.float32)
        assert np.abs(ours - theirs).max() < 1e-3 * np.abs(theirs).max()
        with engine.sequence() as sequence:
            first = sequence.prefill(ids).logits
        assert np.abs(first.numpy()[0] - row).max() < 1e-3
    finally:
        engine.close()


def greedy(engine, ids: list[int], tokens: int = 32) -> list[int]:
    checked, notices = Settings.checked(max_new_tokens=tokens, temperature=0)
    return [s.token_id for s in generation.last(generation.decode(as_loaded(engine), ids, checked, notices)).steps]


def test_a_prompt_the_reference_read_decodes_on_as_the_reference_does(reference):
    """With float16 weights (the exact mode) llama.cpp keeps the reference's greedy tokens; a long
    prompt handed over must not change that, and the handoff must really have been used."""
    engine = llama(reference, "f16", minimum=64)
    try:
        ids = prompt(engine)
        assert len(ids) >= 64
        calls = []
        read = engine.handoff.read
        engine.handoff.read = lambda ids: calls.append(len(ids)) or read(ids)
        assert greedy(engine, ids) == greedy(reference, ids)
        assert calls == [len(ids)]
    finally:
        engine.close()


def test_the_default_engine_hands_long_prompts_over_and_says_so():
    engine = engine_named("llama.cpp")
    assert engine.handoff.enabled and engine.handoff.minimum == 128
    assert "prompts of 128+ tokens read by transformers" in engine.details()
    ids = prompt(engine)
    assert len(ids) >= 128
    steps = greedy(engine, ids, 12)
    assert engine.handoff.model is not None and len(steps) == 12


def test_a_cache_llama_cpp_does_not_take_is_read_by_llama_cpp_instead(reference):
    """llama.cpp checks a state's layout and types: one it refuses (here, cut short) must not
    fail the request; llama.cpp reads the prompt itself, and from then on every long prompt."""
    engine = llama(reference, "q8_0", minimum=64)
    try:
        ids = prompt(engine)
        engine.handoff.enabled = False
        expected = greedy(engine, ids, 8)
        engine.handoff.enabled = True
        read = engine.handoff.read
        engine.handoff.read = lambda ids: (lambda row, state: (row, state[:len(state) // 2].copy()))(*read(ids))
        assert greedy(engine, ids, 8) == expected
        assert not engine.handoff.enabled
    finally:
        engine.close()
