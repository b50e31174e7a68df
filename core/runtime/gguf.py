"""The bundled chat model ships as a GGUF file; transformers de-quantises one in 25-35 s.
`converted_folder` makes a safetensors copy in the cache once (~1 s to load after), safely
across processes: a file lock, a staging folder renamed into place, a completion mark.
`tokenizer` does the same for the tokenizer alone (what the llama.cpp engine needs: reading it
from the GGUF takes 5-20 s, from the cached folder under 1 s).
"""
import json
import logging
import os
import shutil
from pathlib import Path

log = logging.getLogger(__name__)


def cache_dir() -> Path:
    return Path(os.environ.get("LLMLAB_CACHE", Path.home() / ".cache" / "llmlab")).expanduser()


# --- the bundled GGUF chat model, converted once -------------------------------------

CONVERTED_MARK = "llmlab-converted.json"


def _gguf_signature(gguf: Path) -> dict:
    stat = gguf.stat()
    return {"gguf": str(gguf), "size": stat.st_size}


def converted_folder(gguf: Path, name: str) -> Path:
    """A safetensors copy of `gguf` in the cache, made on first use (~30 s), reused after (~1 s)."""
    return _cached(gguf, cache_dir() / name, _convert)


def tokenizer(gguf: Path, name: str):
    """The transformers tokenizer of `gguf` (with its chat template), cached as a folder."""
    from transformers import AutoTokenizer
    converted = cache_dir() / name
    if _is_done(converted, gguf):  # the model's conversion has it already
        return AutoTokenizer.from_pretrained(converted)
    return AutoTokenizer.from_pretrained(_cached(gguf, cache_dir() / f"{name}.tokenizer", _save_tokenizer))


def cached_file(gguf: Path, name: str, make) -> Path:
    """A cache folder made once from `gguf` by make(gguf, staging folder) (e.g. other weights)."""
    def publish(source: Path, target: Path) -> None:
        staging = target.with_name(target.name + f".tmp{os.getpid()}")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        make(source, staging)
        _mark_and_move(source, staging, target)
    return _cached(gguf, cache_dir() / name, publish)


def _is_done(target: Path, gguf: Path) -> bool:
    try:
        return json.loads((target / CONVERTED_MARK).read_text()) == _gguf_signature(gguf)
    except (OSError, ValueError):
        return False


def _cached(gguf: Path, target: Path, make) -> Path:
    from filelock import FileLock
    target.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(target) + ".lock"):  # made once even across processes
        if not _is_done(target, gguf):
            make(gguf, target)
    return target


def _convert(gguf: Path, target: Path) -> None:
    from transformers import AutoModelForCausalLM, AutoTokenizer
    log.info("converting %s to safetensors in %s (once)", gguf.name, target)
    model = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name)
    tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
    model.hf_quantizer = None  # save_pretrained refuses a model still marked as GGUF-quantized
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    _publish(gguf, target, model, tokenizer)


def _save_tokenizer(gguf: Path, target: Path) -> None:
    from transformers import AutoTokenizer
    _publish(gguf, target, None, AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name))


def _publish(gguf: Path, target: Path, model, tokenizer) -> None:
    staging = target.with_name(target.name + f".tmp{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    if model is not None:
        model.save_pretrained(staging)
    tokenizer.save_pretrained(staging)
    _mark_and_move(gguf, staging, target)


def _mark_and_move(gguf: Path, staging: Path, target: Path) -> None:
    (staging / CONVERTED_MARK).write_text(json.dumps(_gguf_signature(gguf)))
    shutil.rmtree(target, ignore_errors=True)
    staging.rename(target)  # atomic: a crash leaves the old folder or none, never half of one


def discard_conversion(folder: Path) -> None:
    (folder / CONVERTED_MARK).unlink(missing_ok=True)
