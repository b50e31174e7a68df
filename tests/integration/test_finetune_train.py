"""Fine-tuning on the real embedding model flips real predictions. The label names are swapped
on purpose (sport sentences are labelled "cooking"), so before training the classifier (nearest
label name) gets every held-out and new sentence wrong, and only what it learns can make it right.
The trained model then serves core.sentiment's classify and explain unchanged."""
import pytest

from core import finetune, sentiment
from tests.unit.test_finetune import FOOD, SPORT

MORE_SPORT = ["The referee showed him a red card in the first half.", "They won the league on the last day.",
              "The bowler took five wickets before lunch.", "She swam the fastest lap of the race."]
MORE_FOOD = ["Stir the sauce and add fresh basil.", "Bake the cake for forty minutes.",
             "Chop the carrots and add them to the pot.", "Grill the fish with lemon and butter."]
NEW = {"The striker was booked for a late tackle.": "cooking", "Slice the bread and toast it lightly.": "sport"}


@pytest.fixture(scope="module", params=["head", "lora"])
def trained(request):
    pairs = [("cooking", t) for t in SPORT + MORE_SPORT] + [("sport", t) for t in FOOD + MORE_FOOD]
    models = finetune.session(None, f"integration-{request.param}")
    job = models.start(finetune.data.examples(pairs), request.param, epochs=20)
    snap = list(job.follow(every_s=0.5))[-1]
    yield models, job, snap
    models.release()


def test_training_flips_the_held_out_predictions(trained):
    _, job, snap = trained
    assert snap["state"] == "done", snap["error"]
    assert snap["accuracy_before"] <= 0.25  # the names say the opposite of the labels
    assert snap["accuracy_after"] == 1.0
    flipped = [row for row in snap["held_out"] if row["before"] != row["label"] == row["after"]]
    assert len(flipped) >= 3 and all(row["after"] == row["label"] for row in snap["held_out"])
    losses = [p["loss"] for p in snap["curve"] if p["loss"] is not None]
    assert losses[-1] < losses[0] / 4


def test_new_sentences_get_the_learned_labels_through_sentiment_classify(trained):
    models, job, _ = trained
    model = models.model(job.key)
    results = sentiment.classify(list(NEW), model_id=model)
    assert [r.label for r in results] == list(NEW.values())
    assert all(set(r.scores) == {"cooking", "sport"} and "fine-tuned in this session" in r.model for r in results)
    result, attribution = sentiment.explain("The striker was booked for a late tackle.", model_id=model)
    assert result.label == "cooking" and attribution.toward == "cooking"
    assert set(attribution.strongest(3)) & {"striker", "booked", "tackle"}
