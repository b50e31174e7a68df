"""Tiny models for the generation unit tests, built around the bundled SmolLM2 tokenizer.

`tiny_llama` is a randomly initialised 2-layer Llama (real KV cache, real attention);
`Scripted` is a stand-in model that always predicts the next token of a fixed script, so
stop strings, end-of-text and streaming can be tested on exact text.
"""
from types import SimpleNamespace

import torch
from transformers import AutoTokenizer, GenerationConfig, LlamaConfig, LlamaForCausalLM

from core import loader, registry
from core.device import Placement
from core.registry import Candidate

CPU = Placement("cpu", torch.float32, 1)


def bundled_tokenizer():
    folder = loader.converted_folder(registry.bundled_path("smollm2-135m-instruct"), "smollm2-135m-instruct")
    return AutoTokenizer.from_pretrained(folder)


def as_loaded(model, tokenizer, label: str) -> loader.Loaded:
    return loader.Loaded("generation", Candidate(label, "local", label), model, tokenizer, CPU, "local",
                         sum(p.numel() for p in model.parameters()))


def tiny_llama(tokenizer, seed: int = 0) -> loader.Loaded:
    torch.manual_seed(seed)
    config = LlamaConfig(vocab_size=len(tokenizer), hidden_size=32, intermediate_size=64,
                         num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
                         max_position_embeddings=512, bos_token_id=1, eos_token_id=2, pad_token_id=2)
    return as_loaded(LlamaForCausalLM(config).eval(), tokenizer, "tiny-random-llama")


class Scripted(torch.nn.Module):
    """Predicts, at each step, the next token of `script` (then end-of-text) with probability ~1."""

    def __init__(self, tokenizer, script: str, context: int = 512):
        super().__init__()
        self.script = tokenizer(script, add_special_tokens=False).input_ids + [tokenizer.eos_token_id]
        self.vocab = len(tokenizer)
        self.config = SimpleNamespace(max_position_embeddings=context)
        self.generation_config = GenerationConfig(eos_token_id=tokenizer.eos_token_id)
        self.weight = torch.nn.Parameter(torch.zeros(1))
        self.forwards = 0
        self.inference_mode = []  # per forward pass: was torch in inference mode?

    def forward(self, input_ids, past_key_values=None, use_cache=True, logits_to_keep=0):
        done = past_key_values or 0  # the "cache" is the count of generated tokens
        logits = torch.full((1, input_ids.shape[1], self.vocab), -20.0)
        logits[0, -1, self.script[min(done, len(self.script) - 1)]] = 20.0
        self.forwards += 1
        self.inference_mode.append(torch.is_inference_mode_enabled())
        return SimpleNamespace(logits=logits, past_key_values=done + 1)


def scripted(tokenizer, script: str, context: int = 512) -> loader.Loaded:
    return as_loaded(Scripted(tokenizer, script, context), tokenizer, "scripted")
