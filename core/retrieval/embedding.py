"""Sentence embeddings with the registry's embedding model: unit length, so a dot product is a
cosine. Search, Ask and the extractive summaries all embed here."""
from typing import Callable

import numpy as np

from core.runtime import loader

EMBED_BATCH = 64            # texts per forward pass
PROGRESS_STEP = 64          # texts per progress update (a few seconds of work on 2 cores)

Progress = Callable[[float, str], None]


def embedder():
    """The registry's embedding model (a SentenceTransformer), loaded once per process."""
    return loader.load("embedding")


def embed(texts: list[str], progress: Progress | None = None, desc: str = "Embedding") -> np.ndarray:
    """L2-normalised float32 embeddings, computed in batches with progress updates (the first
    before the model loads, which the first use does)."""
    def tell(done: int) -> None:
        if progress:
            progress(done / len(texts) if texts else 1.0, f"{desc} passages: {done:,} of {len(texts):,}")

    tell(0)
    model = embedder().model
    dim = model.get_embedding_dimension() if hasattr(model, "get_embedding_dimension") \
        else model.get_sentence_embedding_dimension()
    out = np.zeros((len(texts), dim), dtype=np.float32)
    for start in range(0, len(texts), PROGRESS_STEP):
        if start:
            tell(start)
        batch = texts[start:start + PROGRESS_STEP]
        out[start:start + len(batch)] = model.encode(
            batch, batch_size=EMBED_BATCH, normalize_embeddings=True, convert_to_numpy=True,
            show_progress_bar=False)
    tell(len(texts))
    return out


def embedder_name() -> str:
    return embedder().candidate.label
