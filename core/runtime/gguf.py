"""The bundled chat model ships as a GGUF file; transformers de-quantises one in 25-35 s.
`converted_folder` makes a safetensors copy in the cache once (~1 s to load after), safely
across processes: a file lock, a staging folder renamed into place, a completion mark.
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
    from filelock import FileLock
    target = cache_dir() / name
    target.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(target) + ".lock"):  # one conversion even across processes
        mark = target / CONVERTED_MARK
        try:
            if json.loads(mark.read_text()) == _gguf_signature(gguf):
                return target
        except (OSError, ValueError):
            pass
        _convert(gguf, target)
    return target


def _convert(gguf: Path, target: Path) -> None:
    from transformers import AutoModelForCausalLM, AutoTokenizer
    log.info("converting %s to safetensors in %s (once)", gguf.name, target)
    model = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name)
    tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
    model.hf_quantizer = None  # save_pretrained refuses a model still marked as GGUF-quantized
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    staging = target.with_name(target.name + f".tmp{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    model.save_pretrained(staging)
    tokenizer.save_pretrained(staging)
    (staging / CONVERTED_MARK).write_text(json.dumps(_gguf_signature(gguf)))
    shutil.rmtree(target, ignore_errors=True)
    staging.rename(target)  # atomic: a crash leaves the old folder or none, never half of one


def discard_conversion(folder: Path) -> None:
    (folder / CONVERTED_MARK).unlink(missing_ok=True)
