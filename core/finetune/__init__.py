"""Fine-tuning a text classifier in the browser: labelled examples in (typed or a CSV, any label
names), a classifier on the embedding model out, trained in the background with a live curve.

    from core import finetune
    examples = finetune.load("sport: The match ended 2-1\\npolitics: The vote was delayed\\n...")
    models = finetune.session(None, "session-hash")   # the tab passes its gr.State's value
    job = models.start(examples, "lora", epochs=5)
    for snapshot in job.follow():
        print(snapshot["progress"], snapshot["curve"][-1])

data: reading and checking examples · classifier: the model and its training loop (torch is
imported on first use, not when the app starts) · jobs: background jobs, their bounds, and
each session's store of models.
"""
from core.errors import FineTuneError
from core.finetune.classifier import DEFAULT_EPOCHS, METHODS, RECIPES
from core.finetune.data import FORMAT, MAX_ROWS, Examples, columns, load, table
from core.finetune.jobs import (EPOCHS, KEEP_S, MAX_JOBS, TIME_BUDGET_S, SessionModels, end_session, existing,
                                session)

__all__ = ["DEFAULT_EPOCHS", "EPOCHS", "FORMAT", "KEEP_S", "MAX_JOBS", "MAX_ROWS", "METHODS", "RECIPES",
           "TIME_BUDGET_S", "Examples", "FineTuneError", "SessionModels", "columns", "end_session", "existing",
           "load", "session", "table"]
