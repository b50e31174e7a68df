"""Fine-tuning mechanics: reading and checking examples, the classifier's shared weights, and the
jobs' bounds (time budget, cancel, one job per session, the process-wide cap, release).
The classifier is the real bundled MiniLM (it loads in about a second)."""
import csv
import threading

import numpy as np
import pytest
import torch

from core import finetune
from core.errors import FineTuneError
from core.finetune import classifier, data, jobs
from core.runtime import loader

SPORT = ["The striker scored twice in the second half.", "She won the tennis final in three sets.",
         "The team lost the match on penalties.", "He ran the marathon in under three hours.",
         "The goalkeeper saved a late penalty.", "The coach picked a young side for the cup game."]
FOOD = ["Simmer the tomatoes with garlic for twenty minutes.", "Knead the dough until it is smooth.",
        "Season the soup with salt and pepper.", "Roast the chicken at two hundred degrees.",
        "Whisk the eggs with a little sugar.", "Fry the onions until they are golden."]
TYPED = "\n".join([f"A: {t}" for t in SPORT] + [f"B: {t}" for t in FOOD])
MANY = "\n".join(f"{label}: {text} (take {i})" for i in range(10)  # enough for a job that runs a while
                 for label, texts in (("A", SPORT), ("B", FOOD)) for text in texts)


# --- examples ----------------------------------------------------------------------------------

def test_typed_lines_take_any_label_names_and_a_tab_or_a_colon():
    pairs = data.parse_lines("sport: Score 2:1 at home\n\n  \nweather\tRain all day: cold")
    assert pairs == [("sport", " Score 2:1 at home"), ("weather", "Rain all day: cold")]


def test_lines_without_a_label_are_named():
    with pytest.raises(FineTuneError, match=r"Line\(s\) 2, 4 have no label"):
        data.parse_lines("a: one\njust text\nb: two\n: nothing before the colon")


@pytest.mark.parametrize("text", ["", "   \n ", None, 42])
def test_no_examples_is_refused_with_the_format(text):
    with pytest.raises(FineTuneError, match="label: text"):
        data.parse_lines(text)


def test_typed_text_over_the_limit_is_refused_before_it_is_split():
    with pytest.raises(FineTuneError, match="200,000"):
        data.parse_lines("a: x\n" * 50_000)


def test_examples_are_cleaned_deduplicated_and_split_per_label():
    pairs = [("A", t) for t in SPORT] + [("B", t) for t in FOOD] + [("A", SPORT[0]), ("B", SPORT[1]),
                                                                     ("", "no label"), ("A", "\x00\ud800")]
    found = data.examples(pairs)
    assert found.names == ["A", "B"]
    assert len(found.texts) + len(found.held_texts) == 12
    assert sorted(found.held_labels) == [0, 1] and set(found.labels) == {0, 1}
    assert not set(found.texts) & set(found.held_texts)
    assert any("2 example(s) with an empty text or label" in n for n in found.notes)
    assert any("2 repeated text(s)" in n and "1 had a different label" in n for n in found.notes)
    assert data.examples(pairs).held_texts == found.held_texts  # the same split every time


def test_about_a_fifth_is_held_out_and_at_most_the_cap():
    pairs = [(f"l{i % 4}", f"example number {i}") for i in range(1_500)]
    found = data.examples(pairs)
    assert len(found.held_texts) <= data.MAX_HELD_OUT and len(found.held_texts) >= 190
    assert {found.held_labels.count(i) for i in range(4)} == {len(found.held_texts) // 4}


@pytest.mark.parametrize("pairs, message", [
    ([("A", "one"), ("A", "two")], "at least two different labels"),
    ([("A", "one"), ("A", "two"), ("B", "three")], "at least 2 examples"),
    ([(f"label{i}", f"text {i} {j}") for i in range(25) for j in range(2)], "the limit is 20"),
    ([("A" * 60, "one"), ("B", "two")], "longer than 40 characters"),
    ([("A", f"text {i}") for i in range(2_001)], "at most 2,000"),
])
def test_examples_a_classifier_cannot_learn_from_are_refused(pairs, message):
    with pytest.raises(FineTuneError, match=message):
        data.examples(pairs)


def test_a_long_text_is_cut_with_a_note():
    found = data.examples([("A", "x" * 5_000), ("A", "short"), ("B", "one"), ("B", "two")])
    assert max(map(len, found.texts + found.held_texts)) == data.MAX_TEXT_CHARS
    assert any("were cut" in n for n in found.notes)


def write_csv(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
    return str(path)


def test_csv_columns_are_guessed_by_name_or_by_few_distinct_values(tmp_path):
    named = write_csv(tmp_path / "named.csv", [("id", "review", "label")] +
                      [(i, t, "A") for i, t in enumerate(SPORT)] + [(9 + i, t, "B") for i, t in enumerate(FOOD)])
    assert data.columns(data.table(named)) == ("review", "label")
    assert data.read_file(named)[0] == ("A", SPORT[0])
    unnamed = write_csv(tmp_path / "unnamed.csv", [("kind", "sentence")] +
                        [("sports", t) for t in SPORT] + [("cooking", t) for t in FOOD])
    assert data.columns(data.table(unnamed)) == ("sentence", "kind")
    assert data.load(path=unnamed).names == ["sports", "cooking"]


def test_named_columns_are_checked(tmp_path):
    path = write_csv(tmp_path / "x.csv", [("text", "label"), ("one", "A"), ("two", "B")])
    with pytest.raises(FineTuneError, match="no column 'category'"):
        data.read_file(path, label_column="category")


def test_a_binary_file_and_a_txt_of_typed_lines(tmp_path):
    binary = tmp_path / "x.csv"
    binary.write_bytes(b"\x00\x01\x02" * 100)
    with pytest.raises(FineTuneError, match="binary"):
        data.read_file(str(binary))
    typed = tmp_path / "x.txt"
    typed.write_text(TYPED, encoding="utf-8")
    assert data.load(path=str(typed)).names == ["A", "B"]


# --- the classifier ----------------------------------------------------------------------------

def test_before_training_it_is_the_nearest_label_name():
    model = classifier.Classifier("head", ["sport", "cooking"])
    probs = model.probabilities(["The striker scored a goal.", "Bake the bread for an hour."])
    assert [model.labels[i] for i in probs.argmax(-1)] == ["sport", "cooking"]
    assert np.allclose(probs.sum(-1), 1, atol=1e-5)


def test_lora_copy_shares_the_shared_weights_and_training_leaves_them_alone():
    shared = loader.load("embedding").model
    before = shared.encode(["The striker scored."], convert_to_tensor=True).clone()
    model = classifier.Classifier("lora", ["A", "B"])
    base = {n: p for n, p in shared.named_parameters()}
    copied = {n: p for n, p in model.encoder.named_parameters() if "lora_" not in n}
    assert all(copied[n].data_ptr() == base[n.replace(".base_layer", "")].data_ptr() for n in copied)
    assert not any(p.requires_grad for p in copied.values()) and all(p.requires_grad for p in base.values())
    assert 0 < model.size_bytes() < 3_000_000
    examples = data.examples([("A", t) for t in SPORT] + [("B", t) for t in FOOD])
    points = []
    classifier.fit(model, examples, epochs=2, report=points.append, stop=lambda: None)
    assert [p.held_out_accuracy for p in points if p.held_out_accuracy is not None]  # one per epoch
    assert torch.equal(shared.encode(["The striker scored."], convert_to_tensor=True), before)
    assert not any("lora" in n for n, _ in shared.named_modules())


# --- jobs ----------------------------------------------------------------------------------------

def examples():
    return finetune.load(TYPED)


def finished(job):
    return list(job.follow(every_s=0.2))[-1]


def test_a_job_trains_in_the_background_and_reports_a_curve():
    models = finetune.session(None, "unit-curve")
    job = models.start(examples(), "head", epochs=3)
    snap = finished(job)
    assert snap["state"] == "done" and snap["ended_by"] == "done" and snap["progress"] == 1.0
    losses = [p["loss"] for p in snap["curve"] if p["loss"] is not None]
    assert len(losses) == snap["step"] == snap["steps"] == 3 * 1  # 9 training examples: one batch an epoch
    assert len([p for p in snap["curve"] if p["held_out_accuracy"] is not None]) == 4  # before + 3 epochs
    assert {r["label"] for r in snap["held_out"]} == {"A", "B"} and all("after" in r for r in snap["held_out"])
    assert models.model(job.key) is job.classifier
    models.release()


def test_the_time_budget_ends_training_and_keeps_the_model():
    models = finetune.session(None, "unit-budget")
    job = models.start(examples(), "lora", epochs=30, budget_s=0.0)
    snap = finished(job)
    assert snap["state"] == "done" and snap["ended_by"] == "time budget" and snap["step"] == 0
    assert snap["accuracy_after"] is not None
    models.release()


def test_cancel_ends_the_job_and_keeps_nothing():
    models = finetune.session(None, "unit-cancel")
    job = models.start(examples(), "lora", epochs=30)
    job.cancel()
    snap = finished(job)
    assert snap["state"] == "cancelled" and job.classifier is None
    with pytest.raises(FineTuneError, match="not ready"):
        models.model(job.key)
    models.release()


def test_closing_the_stream_cancels_the_job():
    models = finetune.session(None, "unit-close")
    job = models.start(examples(), "lora", epochs=30)
    stream = job.follow(every_s=0.1)
    next(stream)
    stream.close()
    assert job.finished.wait(60) and job.state == "cancelled"
    models.release()


def test_one_running_job_per_session_and_a_cap_on_the_process(monkeypatch):
    models = finetune.session(None, "unit-one")
    job = models.start(examples(), "lora", epochs=30)
    with pytest.raises(FineTuneError, match="already running in this session"):
        models.start(examples(), "head")
    monkeypatch.setattr(jobs, "MAX_JOBS", 1)
    with pytest.raises(FineTuneError, match="training 1 models already"):
        finetune.session(None, "unit-other").start(examples(), "head")
    job.cancel()
    job.finished.wait(60)
    models.release()


def test_a_session_keeps_a_few_models_and_cannot_reach_another_sessions():
    mine, theirs = finetune.session(None, "unit-mine"), finetune.session(None, "unit-theirs")
    keys = []
    for _ in range(jobs.MODELS_PER_SESSION + 1):
        job = mine.start(examples(), "head", epochs=1)
        finished(job)
        keys.append(job.key)
    assert [j.key for j in mine.ready()] == keys[1:]  # the oldest was dropped
    with pytest.raises(FineTuneError, match="no fine-tuned model with the key"):
        theirs.model(keys[-1])
    with pytest.raises(FineTuneError, match="no fine-tuned model"):
        finetune.existing(None)
    finetune.end_session("unit-mine")  # the page was closed
    assert mine.ready() == [] and "unit-mine" not in jobs._sessions
    theirs.release()


def test_a_lost_store_does_not_leak_and_idle_stores_expire(monkeypatch):
    first = finetune.session(None, "unit-lost")
    finished(first.start(examples(), "head", epochs=1))
    second = finetune.session(None, "unit-lost")  # the session's state came back without its store
    assert first.ready() == [] and second is not first and jobs._sessions["unit-lost"] is second
    finished(second.start(examples(), "head", epochs=1))
    second.last_used -= jobs.KEEP_S + 1  # an API client that went away an hour ago
    third = finetune.session(None, "unit-idle")
    job = third.start(examples(), "head", epochs=1)  # starting a job sweeps idle stores
    assert second.ready() == [] and "unit-lost" not in jobs._sessions
    finished(job)
    third.release()


def test_gradio_gets_a_new_empty_store_per_session():
    import copy
    store = finetune.session(None, "unit-copy")
    finished(store.start(examples(), "head", epochs=1))
    fresh = copy.deepcopy(store)
    assert isinstance(fresh, finetune.SessionModels) and fresh.ready() == [] and fresh.session_hash == ""
    store.release()


def test_settings_are_checked():
    models = finetune.session(None, "unit-settings")
    with pytest.raises(FineTuneError, match="Choose a method"):
        models.start(examples(), "everything")
    with pytest.raises(FineTuneError, match="whole number"):
        models.start(examples(), "head", epochs="many")
    job = models.start(examples(), "head", epochs=999)
    assert job.epochs == finetune.EPOCHS[1]
    job.cancel()
    job.finished.wait(60)
    models.release()


def test_concurrent_sessions_train_at_once_without_mixing():
    results = {}

    def run(name, names):
        models = finetune.session(None, name)
        pairs = [(names[0], t) for t in SPORT] + [(names[1], t) for t in FOOD]
        job = models.start(finetune.data.examples(pairs), "head", epochs=2)
        results[name] = finished(job)["labels"]
        models.release()

    threads = [threading.Thread(target=run, args=(f"unit-c{i}", [f"x{i}", f"y{i}"])) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert results == {"unit-c0": ["x0", "y0"], "unit-c1": ["x1", "y1"]}
