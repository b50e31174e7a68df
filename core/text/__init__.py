"""Text in: documents read and normalised, sentences, chunks, language checks, input limits."""
