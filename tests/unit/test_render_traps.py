"""What people read in the views (#14 traps): control tokens by their meaning, whitespace marks
explained, a stopped run marked as stopped, a run in progress saying how far it is, search
passages without the sentence neighbouring passages share."""
from core.retrieval.search import Hit
from core.text.documents import Chunk
from demos import render, render_passages, render_tasks

SENTENCES = ["Alpha one.", "Beta two.", "Gamma three.", "Delta four.", "Epsilon five."]
TEXT = " ".join(SENTENCES)


def test_control_tokens_are_shown_by_what_they_mean():
    assert render.visible("<|im_end|>") == "[end of answer]"
    assert render.visible("<|endoftext|>") == "[end of text]"
    assert render.visible("</s>") == "[end of text]"
    assert render.visible("<repo_name>") == "[repo name]"
    assert render.visible(" Paris\n") == "␣Paris↵"
    assert render.visible("<div>") == "<div>"  # a tag written as one token is text


def test_the_step_caption_explains_the_marks():
    step = {"token": " a", "token_id": 1, "prob": 0.5, "model_prob": 0.4, "kept": 3,
            "stages": {s: [{"token": " a", "token_id": 1, "prob": 0.5}, {"token": "<|im_end|>", "token_id": 2,
                                                                        "prob": 0.1}]
                       for s in ("model", "adjusted", "filtered")}}
    frames, caption = render.step_frames({"steps": [step]}, 0)
    assert "␣ = a space" in caption
    assert "[end of answer]" in list(frames[0]["token"]) and "<|im_end|>" not in caption


def run(done: bool, reason: str | None = None) -> dict:
    return {"model": "M", "engine": "", "done": done, "finish_reason": reason, "notices": ["a notice"],
            "settings": {"max_new_tokens": 64},
            "stats": {"new_tokens": 5, "tokens_per_s": 10.0, "first_token_s": 0.1, "seed": 3}}


def test_a_run_says_how_far_it_is_and_a_stopped_run_says_it_was_stopped():
    writing = render.run_summary(run(False))
    assert writing.startswith("Writing… 5 of at most 64 tokens so far")
    stopped = render.stopped_summary(writing)
    assert "stopped by you" in stopped and "Writing" not in stopped and "a notice" in stopped
    finished = render.run_summary(run(True, "eos"))
    assert render.stopped_summary(finished) == finished  # a finished run stays as it ended


def chunk(first: int, last: int) -> Chunk:
    start = len(" ".join(SENTENCES[:first])) + (1 if first else 0)
    end = len(" ".join(SENTENCES[:last + 1]))
    return Chunk("doc.txt", 1, start, end, TEXT[start:end])


def test_neighbouring_passages_do_not_repeat_their_shared_sentence():
    first, second = chunk(0, 2), chunk(2, 4)  # "Gamma three." is in both
    hits = [Hit(1, 0.9, second, "example", 1, (0, 12)), Hit(2, 0.8, first, "example", 0, (0, 10))]
    page = render_passages.hits_html(hits)
    assert page.count("Gamma three.") == 1
    assert "Alpha one." in page and "Epsilon five." in page
    assert "shown in passage #1" in page


def test_the_lines_of_a_run_are_in_the_pages_language():
    writing = render.run_summary(run(False), "zh-CN")
    assert writing.startswith("正在生成……已写 5 个 token（最多 64 个）")
    assert "被你停止" in render.stopped_summary(writing, "zh-CN") and "正在生成" not in render.stopped_summary(writing, "zh-CN")
    assert "模型结束了回答" in render.run_summary(run(True, "eos"), "zh-CN")


def test_the_language_of_a_request_comes_from_the_pages_cookie_then_the_browser():
    from types import SimpleNamespace

    from demos.i18n import request_lang
    assert request_lang(SimpleNamespace(headers={"cookie": "a=1; llmlab-locale=zh-CN"})) == "zh-CN"
    assert request_lang(SimpleNamespace(headers={"cookie": "llmlab-locale=en", "accept-language": "zh-CN"})) == "en"
    assert request_lang(SimpleNamespace(headers={"accept-language": "zh-CN,zh;q=0.9,en;q=0.8"})) == "zh-CN"
    assert request_lang(SimpleNamespace(headers={})) == request_lang(None) == "en"  # API clients


def test_a_summarys_stage_reads_in_the_pages_language():
    assert render_tasks.stage_words("summarising chunk 2 of 5") == "summarising chunk 2 of 5"
    assert render_tasks.stage_words("summarising chunk 2 of 5 (round 2)", "zh-CN") == "正在摘要第 2 块（共 5 块）（第 2 轮）"
    assert render_tasks.stage_words("combining 5 chunk summaries", "zh-CN") == "正在合并 5 个分块摘要"
    assert render_tasks.stage_words("something new", "zh-CN") == "something new"
    info = render_tasks.summary_info("abstractive", "M", "X", ["a note"], "done", "zh-CN")
    assert info.startswith("**生成式** · M · 模型：X · 完成") and "- a note" in info
