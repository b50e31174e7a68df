"""Retrieval: embeddings (embedding), faiss indexes (index), a session's corpus (corpus), search
(search) and answers read from the retrieved passages (qa, with SQuAD-style spans in spans)."""
