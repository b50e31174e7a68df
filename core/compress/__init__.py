"""The chat model at fp32, bf16, int8 and 4-bit, side by side (variants, q4), measured live on a
person's text (compare)."""
