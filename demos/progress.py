"""Long work's progress as a person reads it (indexing documents, an abstractive summary, a file
of texts to classify): what is being done and how far it is ("Reading file 2 of 5", "Embedding
passages: 64 of 1,024", "summarising chunk 2 of 4"), with an estimate of the time left, in the
page's language, on gradio's progress bar."""
import time

from demos.i18n import text
from demos.notices import compiled, matched
from demos.render import duration
from demos.render_tasks import stage_words

# core's progress words -> the table's keys, as demos.notices reads its table
_WORDS = compiled([(r"Reading file (\d+) of (\d+): (.*)", "progress_reading", ("i", "n", "name")),
                   (r"Embedding passages: ([\d,]+) of ([\d,]+)", "progress_embedding", ("i", "n")),
                   (r"classified ([\d,]+) of ([\d,]+) rows", "progress_rows", ("i", "n"))])
MIN_ELAPSED_S = 1.0  # no estimate before a stage has run this long (too noisy)


def words(desc: str, lang: str = "en") -> str:
    """core's description of where long work is, in language `lang` (unknown ones as they are)."""
    found = matched(_WORDS, desc)
    return text(found[0], lang, **found[1]) if found else stage_words(desc, lang)


def time_left(elapsed_s: float, fraction: float, lang: str = "en") -> str:
    """"about 20 s left" for a stage `fraction` done after `elapsed_s`; "" when too early to say."""
    if elapsed_s < MIN_ELAPSED_S or not 0 < fraction < 1:
        return ""
    return text("time_left", lang, time=duration(elapsed_s * (1 - fraction) / fraction, lang))


class Readable:
    """A gr.Progress (or any `progress(done, desc=...)`) that shows core's words in language
    `lang` with an estimate of the time left in the current stage. Called like core's progress
    callbacks: `done` a fraction, or (steps done, steps) as gradio takes it."""

    def __init__(self, progress, lang: str = "en", clock=time.monotonic):
        self.progress, self.lang, self.clock = progress, lang, clock
        self.stage, self.started = None, clock()

    def __call__(self, done, desc: str = "") -> None:
        if self.progress is None:
            return
        fraction = done[0] / done[1] if isinstance(done, tuple) and done[1] else done
        stage = (matched(_WORDS, desc) or (desc,))[0]
        if stage != self.stage and not isinstance(done, tuple):  # a new stage: its own clock
            self.stage, self.started = stage, self.clock()
        shown = words(desc, self.lang)
        left = time_left(self.clock() - self.started, fraction or 0.0, self.lang)
        self.progress(done, desc=f"{shown} · {left}" if left else shown)
