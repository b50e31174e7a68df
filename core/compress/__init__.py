"""The chat model at fp32, bf16, int8 and 4-bit, side by side (variants, q4), measured live on a
person's text (compare). The limits live here so the page can show them without importing torch."""

NAMES = ["fp32", "bf16", "int8", "int8-weights", "q4"]
MAX_TEXT_TOKENS = 256       # tokens of a text scored (after a document-start token)
MAX_PROMPT_TOKENS = 192     # tokens of a prompt (chat template included)
MAX_NEW_TOKENS = 64         # tokens of a greedy answer
CONTEXT = max(MAX_TEXT_TOKENS + 1, MAX_PROMPT_TOKENS + MAX_NEW_TOKENS)  # most a variant reads at once
