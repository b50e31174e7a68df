"""The real offline models load through the loader and do their job."""
import numpy as np

from core.runtime import loader


def test_embedding_puts_the_question_next_to_its_answer():
    model = loader.load("embedding").model
    question = "Where is the Eiffel Tower?"
    sentences = ["The Eiffel Tower is in Paris.", "Bananas are rich in potassium.",
                 "The stock market fell on Monday.", "Python is a programming language."]
    vectors = model.encode([question] + sentences, normalize_embeddings=True)
    scores = vectors[1:] @ vectors[0]
    assert int(np.argmax(scores)) == 0
    assert scores[0] - np.sort(scores)[-2] > 0.2


def test_chat_model_knows_the_capital_of_france():
    chat = loader.load("generation")
    tok, model = chat.tokenizer, chat.model
    inputs = tok.apply_chat_template([{"role": "user", "content": "What is the capital of France?"}],
                                     add_generation_prompt=True, return_tensors="pt", return_dict=True)
    out = model.generate(**inputs, max_new_tokens=20, do_sample=False)
    answer = tok.decode(out[0, inputs["input_ids"].shape[1]:], skip_special_tokens=True)
    assert "Paris" in answer


def test_loaded_models_report_what_they_are():
    chat, emb = loader.load("generation"), loader.load("embedding")
    # llama.cpp reads the bundled GGUF itself; transformers reads its safetensors conversion (cache)
    source = {"llama.cpp": "bundled", "transformers": "cache"}[chat.engine.name]
    assert chat.candidate.id == "smollm2-135m-instruct" and chat.source == source
    assert 130e6 < chat.params < 140e6 and str(chat.placement.dtype) == "torch.float32"
    assert emb.source == "bundled" and emb.model.get_sentence_embedding_dimension() == 384
    assert "cpu" in chat.describe() and "135M params" in chat.describe() and chat.engine.name in chat.describe()
