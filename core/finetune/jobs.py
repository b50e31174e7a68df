"""Fine-tuning jobs: one background thread each, bounded, cancellable, owned by one session.

    models = session(state_value, session_hash)   # the session's store (its gr.State holds it)
    job = models.start(examples, "lora")
    for snapshot in job.follow():                 # progress and the curve, then before/after predictions
        ...
    models.model(job.key)                         # the classifier, for core.sentiment.classify(..., model_id=it)

Bounds, all checked before a job starts: TIME_BUDGET_S of training per job (it then stops and
keeps what it learned; preparing, bounded by the held-out cap, comes first), MAX_JOBS jobs at once
in the process, one running job per session, MODELS_PER_SESSION models kept per session (the
oldest goes) and MAX_MODELS in the process.

Privacy: a model is reached only through the SessionModels of the session that trained it, by its
key (random, unguessable); nothing lists the models of other sessions. A session's models are
released when its page is closed (`end_session`, from gradio's unload) or after KEEP_S without use
(API clients never say goodbye; idle stores are swept whenever a job starts).
The tab holds the store in a gr.State whose default makes one per session, and only mutates it:
gradio 6.31's MCP server drops every output of a tool that also outputs a State.
"""
import logging
import os
import secrets
import threading
import time
from dataclasses import asdict
from typing import Iterator

from core.errors import FineTuneError, UserError
from core.finetune.classifier import DEFAULT_EPOCHS, METHODS, RECIPES, Classifier, Point, accuracy, fit
from core.finetune.data import Examples
from core.runtime import priority

log = logging.getLogger(__name__)

TIME_BUDGET_S = float(os.environ.get("LLMLAB_FINETUNE_SECONDS", 60))
MAX_JOBS = int(os.environ.get("LLMLAB_FINETUNE_JOBS", 2))   # at once, in the whole process
MODELS_PER_SESSION = 3
KEEP_S = 3600                                               # a session's models, after its last use
MAX_MODELS = 64                                             # kept, in the whole process
EPOCHS = (1, 30)
SHOWN_PREDICTIONS = 50                                      # held-out rows in a snapshot

_lock = threading.Lock()
_running = 0
_sessions: dict[str, "SessionModels"] = {}                  # by gradio session hash


class Job:
    """One fine-tuning run in a thread. `snapshot()` is its state as plain data, at any time."""

    def __init__(self, examples: Examples, method: str, epochs: int, budget_s: float, number: int,
                 recipe: dict | None = None):
        self.key = "ft-" + secrets.token_urlsafe(16)
        self.examples, self.method, self.epochs, self.budget_s = examples, method, epochs, budget_s
        self.recipe = {**RECIPES[method], **(recipe or {})}
        self.name = f"#{number} {'/'.join(examples.names[:4])}{'/…' if len(examples.names) > 4 else ''}" \
                    f" ({method})"
        self.state, self.ended_by, self.error = "starting", None, None
        self.points: list[Point] = []
        self.classifier: Classifier | None = None
        self.before = self.after = None
        self.started = time.monotonic()
        self.training_started: float | None = None   # the budget counts training, not preparing
        self.seconds = 0.0                            # of training, once ended
        self.ended_at: float | None = None
        self.cancelled = threading.Event()
        self.finished = threading.Event()
        self.thread = threading.Thread(target=self._run, name=f"finetune-{self.key[-6:]}", daemon=True)

    @property
    def done(self) -> bool:
        return self.finished.is_set()

    def cancel(self) -> None:
        self.cancelled.set()

    def _stop(self) -> str | None:
        if self.cancelled.is_set():
            return "cancelled"
        if time.monotonic() - self.training_started > self.budget_s:
            return "time budget"
        return None

    def _run(self) -> None:
        global _running
        priority.lower_this_thread()  # training is long work: short requests go first
        try:
            model = Classifier(self.method, self.examples.names)
            self.before = model.probabilities(self.examples.held_texts)
            self.points.append(Point(0, 0.0, held_out_accuracy=accuracy(self.before, self.examples.held_labels)))
            self.state, self.training_started = "training", time.monotonic()
            self.ended_by = fit(model, self.examples, self.epochs, self.points.append, self._stop, self.recipe)
            if self.ended_by == "cancelled":
                self.state = "cancelled"
                return
            self.after = model.probabilities(self.examples.held_texts)
            self.classifier, self.state = model, "done"
        except UserError as err:
            self.state, self.error = "failed", str(err)
        except Exception as err:  # a bug: logged in full, summarised for the person
            log.exception("fine-tuning job failed")
            self.state, self.error = "failed", f"Training failed ({type(err).__name__}); try again or report it."
        finally:
            self.ended_at = time.monotonic()
            self.seconds = self.ended_at - (self.training_started or self.ended_at)
            with _lock:
                _running -= 1
            self.finished.set()

    def follow(self, every_s: float = 1.0) -> Iterator[dict]:
        """A snapshot every `every_s` until the job ends (then one last). Closing this
        generator early (the page or the API client went away) cancels the job."""
        try:
            while not self.finished.wait(every_s):
                yield self.snapshot()
            yield self.snapshot()
        finally:
            if not self.done:
                self.cancel()

    def snapshot(self) -> dict:
        points = list(self.points)
        losses = [p for p in points if p.loss is not None]
        step = losses[-1].step if losses else 0
        steps = self.epochs * -(-len(self.examples.texts) // self.recipe["batch_size"])
        elapsed = self.seconds if self.done else time.monotonic() - (self.training_started or time.monotonic())
        held = [p.held_out_accuracy for p in points if p.held_out_accuracy is not None]
        return {
            "key": self.key, "name": self.name, "state": self.state, "ended_by": self.ended_by,
            "error": self.error, "method": METHODS[self.method], "labels": self.examples.names,
            "examples": self.examples.describe(), "notes": list(self.examples.notes),
            "epochs": self.epochs, "epoch": points[-1].epoch if points else 0.0, "step": step,
            "steps": steps, "training_s": round(elapsed, 1), "budget_s": self.budget_s,
            "progress": 1.0 if self.done else min(1.0, max(step / max(steps, 1), elapsed / max(self.budget_s, 1e-3))),
            "job_s": round((self.ended_at or time.monotonic()) - self.started, 1),
            "accuracy_before": held[0] if held else None,
            "accuracy_after": accuracy(self.after, self.examples.held_labels) if self.after is not None else None,
            "curve": [asdict(p) for p in points],
            "held_out": self.predictions(),
            "adapter_bytes": self.classifier.size_bytes() if self.classifier else None,
        }

    def predictions(self) -> list[dict]:
        """Held-out examples with the label and probability before and after training."""
        if self.before is None:
            return []
        names, rows = self.examples.names, []
        for i, (text, label) in enumerate(zip(self.examples.held_texts[:SHOWN_PREDICTIONS],
                                              self.examples.held_labels)):
            row = {"text": text, "label": names[label], "before": names[int(self.before[i].argmax())],
                   "before_p": round(float(self.before[i].max()), 3)}
            if self.after is not None:
                row.update(after=names[int(self.after[i].argmax())], after_p=round(float(self.after[i].max()), 3))
            rows.append(row)
        return rows


class SessionModels:
    """The fine-tuning jobs and models of one session (one browser page, or one API client)."""

    def __init__(self):
        self.session_hash = ""
        self.jobs: dict[str, Job] = {}      # oldest first
        self.count = 0
        self.last_used = time.monotonic()
        self.lock = threading.Lock()

    def __deepcopy__(self, memo):
        """gradio copies a State's default for each session: a copy is a new, empty store."""
        return SessionModels()

    def bind(self, session_hash: str) -> None:
        """Register the store under its session, so that closing the page releases it."""
        if self.session_hash == session_hash and _sessions.get(session_hash) is self:
            return
        with _lock:
            self.session_hash, stale = session_hash, _sessions.get(session_hash)
            _sessions[session_hash] = self
        if stale is not None and stale is not self:  # a store the session lost: do not leak its models
            stale.release()

    def start(self, examples: Examples, method: str = "lora", epochs: int = DEFAULT_EPOCHS,
              budget_s: float | None = None, recipe: dict | None = None) -> Job:
        """Start a job in the background, or FineTuneError saying why not now. `recipe`
        overrides classifier.RECIPES (bench/finetune.py chooses them with it)."""
        global _running
        if method not in METHODS:
            raise FineTuneError(f"Choose a method: {', '.join(METHODS)} (got {method!r}).")
        try:
            epochs = int(epochs)
        except (TypeError, ValueError):
            raise FineTuneError(f"Epochs must be a whole number from {EPOCHS[0]} to {EPOCHS[1]}.") from None
        epochs = min(max(epochs, EPOCHS[0]), EPOCHS[1])
        expire_idle()
        with self.lock:
            if any(not job.done for job in self.jobs.values()):
                raise FineTuneError("A fine-tuning job is already running in this session: wait for it "
                                    "to end, or cancel it.")
            for key in [k for k, j in self.jobs.items() if j.classifier is None]:
                del self.jobs[key]          # cancelled or failed: nothing to keep
            while len(self.jobs) >= MODELS_PER_SESSION:
                del self.jobs[next(iter(self.jobs))]
            with _lock:
                if _running >= MAX_JOBS:
                    raise FineTuneError(f"The server is training {_running} models already (the most it "
                                        f"trains at once); try again in a minute.")
                if stored_models() >= MAX_MODELS:
                    raise FineTuneError(f"The server keeps as many fine-tuned models as it can hold; try again "
                                        f"later (models are dropped after {KEEP_S // 60} minutes unused).")
                _running += 1
            self.count += 1
            job = Job(examples, method, epochs, TIME_BUDGET_S if budget_s is None else budget_s, self.count,
                      recipe)
            self.jobs[job.key] = job
            self.last_used = time.monotonic()
        job.thread.start()
        return job

    def get(self, key: str) -> Job:
        job = self.jobs.get(key) if isinstance(key, str) else None
        if job is None:
            raise FineTuneError(f"There is no fine-tuned model with the key {str(key)[:64]!r} in this session. A model can be "
                                f"used only by the page or API client that trained it, and is dropped when "
                                f"the page is closed or after {KEEP_S // 60} minutes unused.")
        return job

    def model(self, key: str) -> Classifier:
        job = self.get(key)
        if job.classifier is None:
            raise FineTuneError(f"Model {job.name} is not ready: its job is {job.state}.")
        self.last_used = time.monotonic()
        return job.classifier

    def ready(self) -> list[Job]:
        return [job for job in self.jobs.values() if job.classifier is not None]

    def running(self) -> bool:
        return any(not job.done for job in self.jobs.values())

    def release(self) -> None:
        """Cancel the running job and drop every model of the session."""
        with self.lock:
            for job in self.jobs.values():
                job.cancel()
                job.classifier = None
            self.jobs.clear()
        with _lock:
            if _sessions.get(self.session_hash) is self:
                del _sessions[self.session_hash]


def session(current, session_hash: str) -> SessionModels:
    """The session's store (the one its state holds, or a new one), registered under its session."""
    models = current if isinstance(current, SessionModels) else SessionModels()
    models.bind(session_hash)
    return models


def existing(current) -> SessionModels:
    """The session's store, or FineTuneError when there is none."""
    if not isinstance(current, SessionModels):
        raise FineTuneError("This session has no fine-tuned model: train one in the Fine-tune tab.")
    return current


def stored_models() -> int:
    return sum(len(s.ready()) for s in list(_sessions.values()))


def expire_idle() -> None:
    """Release the stores of sessions unused for KEEP_S (API clients never close a page)."""
    now = time.monotonic()
    for store in list(_sessions.values()):
        if now - store.last_used > KEEP_S and not store.running():
            store.release()


def end_session(session_hash: str) -> None:
    """The page was closed: release its models now."""
    with _lock:
        found = _sessions.get(session_hash)
    if found is not None:
        found.release()
