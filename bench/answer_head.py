"""Training the grounded reader's answer head (core.retrieval.answer_head) on the DEV split of the
BBC fixture, from the dev readings that bench/reader_fit.py caches:

  examples     for each dev question, the sentences read that hold its answer (a right candidate,
               else the answer's own words), each with the answer's character span, and the
               NEGATIVES best sentences that do not, pointed at [CLS] (no answer here); every
               sentence of an unanswerable question is a negative one
  out of fold  the head's score of every dev candidate comes from a head trained without the
               candidate's article (HEAD_FOLDS folds that group reader_fit's folds), so the
               ranker and confidence are fitted, and cross-validated, on scores the head did
               not learn
  final        the head trained on all of dev -> core/retrieval/data/answer-head/ (a LoRA adapter,
               2.7 MB, and the start/end layer), which the app uses

No question, sentence or line reserved for independent evaluation (eval-holdout.sha256) is
trained on: the fixture's check finds none, and examples() drops any that were.
"""
import json
import pickle
import random
import time
from pathlib import Path

import torch

from bench.bbc import exact
from core.retrieval import answer_head, reader

NEGATIVES = 3         # sentences without the answer per question, best first
RANK = 16             # LoRA rank, on every attention and feed-forward projection
EPOCHS = 2
LEARNING_RATE = 5e-4
BATCH = 32
HEAD_FOLDS = 5


def examples(item: dict, reading, reserved=lambda text: False) -> list[tuple[str, str, int | None, int | None]]:
    """(question, sentence, answer start, answer end) with None, None for no answer."""
    if reserved(item["question"]):
        return []
    answer = (item["answer"] or "").lower()
    spans = {}
    for span in reading.spans:
        if item["answer"] is not None and span.sentence not in spans and exact(span.text, item):
            sentence = reading.sentences[span.sentence]
            spans[span.sentence] = (span.start - sentence.start, span.end - sentence.start)
    out = []
    for rank, sentence in enumerate(reading.sentences):
        if reserved(sentence.text):
            continue
        if rank in spans:
            out.append((item["question"], sentence.text, *spans[rank]))
        elif rank < NEGATIVES:
            at = sentence.text.lower().find(answer) if answer else -1
            end = at + len(answer) if at >= 0 else None
            out.append((item["question"], sentence.text, at if at >= 0 else None, end))
    return out


def _targets(batch, rows) -> tuple[torch.Tensor, torch.Tensor]:
    starts, ends = [], []
    for n, (_, _, start, end) in enumerate(rows):
        tokens = answer_head.token_span(batch, n, start, end) if start is not None else None
        starts.append(tokens[0] if tokens else 0)
        ends.append(tokens[1] if tokens else 0)
    return torch.tensor(starts), torch.tensor(ends)


def train(rows: list, seed: int = 0, progress=print) -> answer_head.AnswerHead:
    """A head over a fresh copy of MiniLM with LoRA adapters, trained on `rows` (examples())."""
    import copy

    from peft import LoraConfig, get_peft_model

    from core.runtime import loader
    torch.manual_seed(seed)
    order = random.Random(seed)
    embedding = loader.load("embedding")
    encoder = get_peft_model(copy.deepcopy(embedding.model[0].auto_model), LoraConfig(
        r=RANK, lora_alpha=2 * RANK, lora_dropout=0.05, target_modules=["query", "key", "value", "dense"]))
    head = answer_head.build(encoder, embedding.model.tokenizer)
    trained = [p for p in head.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(trained, lr=LEARNING_RATE, weight_decay=0.01)
    steps = EPOCHS * -(-len(rows) // BATCH)
    schedule = torch.optim.lr_scheduler.LambdaLR(  # linear warm-up over 6% of the steps, then linear decay
        optimizer, lambda s: min(1.0, s / (0.06 * steps)) * max(0.0, 1 - s / steps))
    loss_fn = torch.nn.CrossEntropyLoss()
    head.train()
    # batches of similar length (little padding), in a new random order each epoch
    by_length = sorted(rows, key=lambda r: len(r[0]) + len(r[1]))
    batches = [by_length[i:i + BATCH] for i in range(0, len(by_length), BATCH)]
    for epoch in range(EPOCHS):
        order.shuffle(batches)
        started, total = time.perf_counter(), 0.0
        for chunk in batches:
            batch = head.encode([r[0] for r in chunk], [r[1] for r in chunk])
            start, end = head(batch)
            first, last = _targets(batch, chunk)
            loss = (loss_fn(start, first) + loss_fn(end, last)) / 2
            loss.backward()
            optimizer.step()
            schedule.step()
            optimizer.zero_grad()
            total += loss.item() * len(chunk)
        progress(f"answer head epoch {epoch + 1}: loss {total / len(rows):.3f}, {time.perf_counter() - started:.0f} s")
    return head.eval()


def _key(span) -> tuple[int, int, int]:
    return span.hit, span.start, span.end


def out_of_fold(readings, fold_of, cache: Path, retrain: bool = False, reserved=lambda text: False,
                progress=print) -> None:
    """Sets every dev candidate's 'head' feature from a head trained without its fold, kept in
    `cache` (half an hour of training otherwise)."""
    if not retrain and cache.exists():
        stored = pickle.loads(cache.read_bytes())
        if all(_key(span) in stored.get(item["id"], {}) for item, reading in readings for span in reading.spans):
            for item, reading in readings:
                for span in reading.spans:
                    span.features["head"] = stored[item["id"]][_key(span)]
            return
    stored = {}
    for held in range(HEAD_FOLDS):
        rows = [row for item, reading in readings if fold_of(item) % HEAD_FOLDS != held
                for row in examples(item, reading, reserved)]
        progress(f"answer head, fold {held + 1} of {HEAD_FOLDS}: {len(rows)} examples")
        head = train(rows, progress=progress)
        for item, reading in readings:
            if fold_of(item) % HEAD_FOLDS == held:
                reader.add_head_features(reading, head)
                stored[item["id"]] = {_key(s): s.features["head"] for s in reading.spans}
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_bytes(pickle.dumps(stored))


def fit_final(readings, reserved=lambda text: False, folder: Path = answer_head.HEAD_DIR, progress=print) -> dict:
    """The head the app uses, trained on every dev question, saved with what it was trained on."""
    from safetensors.torch import save_file
    rows = [row for item, reading in readings for row in examples(item, reading, reserved)]
    started = time.perf_counter()
    head = train(rows, progress=progress)
    folder.mkdir(parents=True, exist_ok=True)
    head.encoder.save_pretrained(str(folder))
    (folder / "README.md").unlink(missing_ok=True)  # peft's empty model card
    config = json.loads((folder / "adapter_config.json").read_text())  # not this machine's path to it
    config["base_model_name_or_path"] = "sentence-transformers/all-MiniLM-L6-v2"
    (folder / "adapter_config.json").write_text(json.dumps(config, indent=2, sort_keys=True) + "\n")
    save_file({k: v.contiguous() for k, v in head.out.state_dict().items()}, str(folder / "out.safetensors"))
    meta = {"trained_on": "examples/bbc_qa.json, dev split only", "command": "python -m bench.grounded --fit-head",
            "base": "all-MiniLM-L6-v2", "questions": len(readings), "examples": len(rows),
            "with_answer": sum(r[2] is not None for r in rows), "negatives_per_question": NEGATIVES,
            "lora_rank": RANK, "epochs": EPOCHS, "learning_rate": LEARNING_RATE,
            "seconds": round(time.perf_counter() - started)}
    (folder / "meta.json").write_text(json.dumps(meta, indent=1) + "\n")
    return meta
