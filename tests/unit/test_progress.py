"""Long work says how far it is in words a person reads, in the page's language, with an
estimate of the time left (#14 item 4: "tokens so far, chunk i of n, an estimate")."""
from core.retrieval import corpus as corpora
from demos import render
from demos.progress import Readable, time_left, words


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_cores_progress_words_are_shown_in_the_pages_language():
    assert words("Reading file 2 of 5: notes.pdf", "zh-CN") == "正在读取第 2 个文件（共 5 个）：notes.pdf"
    assert words("Embedding passages: 64 of 1,024", "en") == "Embedding passages: 64 of 1,024"
    assert words("Embedding passages: 64 of 1,024", "zh-CN") == "正在计算段落的嵌入向量：第 64 个（共 1,024 个）"
    assert words("classified 256 of 1,000 rows", "zh-CN") == "已分类 256 行（共 1,000 行）"
    assert words("summarising chunk 2 of 4", "zh-CN") == "正在摘要第 2 块（共 4 块）"  # the summarizer's stages too
    assert words("something new", "zh-CN") == "something new"


def test_the_estimate_comes_once_a_stage_has_run_a_while():
    assert time_left(0.5, 0.5) == ""  # too early to say
    assert time_left(10, 0.25) == "about 30 s left"
    assert time_left(60, 0.25, "zh-CN") == "预计还需约 3 分钟"
    assert time_left(10, 1.0) == ""


def test_a_readable_progress_translates_and_estimates_each_stage_on_its_own_clock():
    shown, clock = [], Clock()
    progress = Readable(lambda done, desc: shown.append((done, desc)), "zh-CN", clock)
    progress(0.0, "Reading file 1 of 2: a.txt")
    clock.now += 4
    progress(0.5, "Reading file 2 of 2: b.txt")
    assert shown[-1] == (0.5, "正在读取第 2 个文件（共 2 个）：b.txt · 预计还需约 4 秒")
    progress(0.0, "Embedding passages: 0 of 128")  # a new stage: its clock starts again
    assert shown[-1][1] == "正在计算段落的嵌入向量：第 0 个（共 128 个）"
    clock.now += 2
    progress(0.5, "Embedding passages: 64 of 128")
    assert shown[-1][1].endswith("预计还需约 2 秒")
    Readable(None)(0.5, "Reading file 1 of 2: a.txt")  # outside an event: nothing to tell


def test_steps_as_gradio_takes_them_are_estimated_from_the_start():
    shown, clock = [], Clock()
    progress = Readable(lambda done, desc: shown.append((done, desc)), "en", clock)
    progress((0, 4), "summarising chunk 1 of 4")
    clock.now += 40
    progress((1, 4), "summarising chunk 2 of 4")
    assert shown[-1] == ((1, 4), "summarising chunk 2 of 4 · about 2 min left")


def test_indexing_reports_reading_each_file_then_embedding_the_passages(tmp_path):
    paths = []
    for name in ("a.txt", "b.txt"):
        path = tmp_path / name
        path.write_text(f"{name} is a short document about harbours. " * 30)
        paths.append(str(path))
    said = []
    report = corpora.ingest(corpora.Corpus(use_examples=False), paths, "", lambda fraction, desc: said.append((fraction, desc)))
    assert report.added == ["a.txt", "b.txt"]
    assert said[:2] == [(0.0, "Reading file 1 of 2: a.txt"), (0.5, "Reading file 2 of 2: b.txt")]
    assert said[-1] == (1.0, f"Embedding passages: {report.chunks} of {report.chunks}")


def test_a_running_answer_says_at_most_how_long_it_may_still_take():
    run = {"model": "M", "engine": "", "done": False, "finish_reason": None, "notices": [],
           "settings": {"max_new_tokens": 64},
           "stats": {"new_tokens": 4, "tokens_per_s": 10.0, "first_token_s": 0.1, "seed": 3}}
    assert render.run_summary(run).startswith("Writing… 4 of at most 64 tokens so far (at most about 6 s more) · ")
    assert render.run_summary(run, "zh-CN").startswith("正在生成……已写 4 个 token（最多 64 个），最多还需约 6 秒 · ")
    stopped = render.stopped_summary(render.run_summary(run))
    assert "Writing" not in stopped and "more)" not in stopped and "stopped by you" in stopped
