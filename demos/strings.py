"""Every string of the page, English and simplified Chinese side by side: key -> (en, zh-CN).
Used through demos.i18n (t(key) on the page, text(key, locale) for the banner). Strings are
plain text or Markdown; `{name}` is filled in only where the banner says so. The table is kept in
parts: this file (the banner, shared pieces, the tabs that use a model, the progress of long work)
and demos.strings_inside (the tabs that open a model up or train one, and Translate); a key may be
in only one part."""
from core.text.documents import MAX_BYTES
from demos import strings_inside

_MB = MAX_BYTES // 2**20

STRINGS: dict[str, tuple[str, str]] = {
    # --- the banner and the language switch ----------------------------------------------------
    "app_intro": ("# LLM Lab\nUse language models, and see inside them while they work.",
                  "# LLM Lab\n使用语言模型，并在它们工作时看清其内部。"),
    "models_and_device": ("Models and device", "模型与设备"),
    "language_note": (
        "**Languages.** The page is in English and 简体中文 (switch above). Chinese input: the "
        "embedding model (all-MiniLM-L6-v2, used by Search, Ask, extractive summaries and Fine-tune) "
        "was trained on English, so it ranks Chinese text only roughly; the offline chat model "
        "(SmolLM2-135M) was trained on English and writes poor Chinese; the Sentiment model is English "
        "only. Sentence splitting (。！？) works for Chinese. Translate, and Hub models such as Qwen2.5 "
        "(where the Hub can be reached), handle Chinese well; other Hub models vary.",
        "**语言。** 页面提供英文和简体中文（在上方切换）。关于中文输入：嵌入模型 all-MiniLM-L6-v2"
        "（用于检索、问答、抽取式摘要和微调）是用英文训练的，对中文文本的排序只是粗略的；离线对话模型 "
        "SmolLM2-135M 也是用英文训练的，写出的中文很差；情感分析模型只支持英文。按“。！？”切分句子对中文"
        "有效。翻译功能，以及可以连上 Hugging Face Hub 时使用的 Qwen2.5 等模型，能很好地处理中文；"
        "其他 Hub 模型的情况各不相同。"),
    "switch_label": ("Language", "语言"),
    "runs_on": ("Runs on {device}, {threads} threads", "运行于{device}，{threads} 个线程"),
    "device_cpu": ("the processor (CPU)", "处理器（CPU）"),
    "device_gpu": ("the graphics card ({name})", "显卡（{name}）"),
    "device_mps": ("the Apple graphics chip", "Apple 图形芯片"),
    "banner_item": ("{task}: **{model}**", "{task}：**{model}**"),
    "fast_engine": ("fast engine: {engine}", "加速引擎：{engine}"),
    "details_head": ("| task | model · where it comes from · runs on · size | state |",
                     "| 任务 | 模型 · 来源 · 运行位置 · 大小 | 状态 |"),
    "not_used_here": ("Preferred models not used here:", "此处未使用的首选模型："),
    "task_generation": ("Text", "文本生成"),
    "task_embedding": ("Embeddings", "嵌入"),
    "task_qa": ("Ask", "问答"),
    "task_summarization": ("Summaries", "摘要"),
    "task_sentiment": ("Sentiment", "情感"),
    "task_translation": ("Translation", "翻译"),
    "how_grounded-reader": ("the chat model picks an exact span of a passage", "由对话模型选出段落中的原文片段"),
    "how_chat-summary": ("the chat model, asked to summarise", "对话模型按提示写摘要"),
    "how_minilm-sentiment-head": ("MiniLM fine-tuned here on real rated sentences", "MiniLM，在真实评分句子上微调"),
    "how_chat-translate": ("the chat model, asked to translate", "对话模型按提示翻译"),
    "source_bundled": ("bundled", "随应用附带"),
    "source_cache": ("cache", "本地缓存"),
    "source_hub": ("hub", "从 Hugging Face Hub 下载"),
    "source_local": ("local", "本地文件夹"),
    "source_remote": ("remote", "远程服务器"),
    "params": ("{a}M params", "{a}M 参数"),
    "weights_cache": ("{a} weights, {b} cache", "{a} 权重，{b} 缓存"),
    "threads": ("{a} threads", "{a} 个线程"),
    "handoff": ("prompts of {a}+ tokens read by transformers", "{a} 个 token 以上的提示词由 transformers 读取"),
    "state_loaded": ("loaded", "已加载"),
    "state_first_use": ("loads on first use", "首次使用时加载"),
    "state_unavailable": ("unavailable", "不可用"),
    "none_available": ("none available", "无可用模型"),
    # --- shared pieces ---------------------------------------------------------------------------
    "model": ("Model", "模型"),
    "examples": ("Examples", "示例"),
    "stop": ("Stop", "停止"),
    "text": ("Text", "文本"),
    "prompt": ("Prompt", "提示词"),
    "file": ("File", "文件"),
    "max_new_tokens": ("Max new tokens", "最多生成的 token 数"),
    "temperature": ("Temperature (0 = greedy)", "温度（0 = 贪心，总取最可能的）"),
    "top_k": ("Top-k (0 = off)", "Top-k（0 = 关闭）"),
    "top_p": ("Top-p (1 = off)", "Top-p（1 = 关闭）"),
    "penalty": ("Repetition penalty (1 = off)", "重复惩罚（1 = 关闭）"),
    "stop_strings": ("Stop strings, one per line", "停止字符串，每行一个"),
    "seed": ("Seed (0 = random, a new one each run; the run reports it)",
             "随机种子（0 = 随机，每次运行取新值，并在结果中显示）"),
    # core's notices (demos/notices.py)
    "note_greedy": ("Temperature 0 is greedy decoding: top-k and top-p have no effect.",
                    "温度为 0 即贪心解码：top-k 和 top-p 不起作用。"),
    "note_clamped": ("{name} {value} is outside {low}–{high}; used {used}.",
                     "{name} {value} 超出 {low}–{high} 的范围，已改用 {used}。"),
    "note_stop_count": ("Only the first {n} stop strings are used.", "只使用前 {n} 个停止字符串。"),
    "note_stop_length": ("Stop strings are cut to {n} characters.", "停止字符串已截断为 {n} 个字符。"),
    "note_scored_part": ("The text is {n} tokens; the first {room} (the context) were scored.",
                         "文本共 {n} 个 token；只为前 {room} 个（上下文长度）打分。"),
    "note_room": ("Only {n} new tokens fit in the {context}-token context.",
                  "{context} 个 token 的上下文里只容得下 {n} 个新 token。"),
    "note_no_template": ("{model} has no chat template: the history is given to it as a plain "
                         "“User:/Assistant:” transcript.",
                         "{model} 没有对话模板：对话历史以“User:/Assistant:”纯文本形式交给它。"),
    "note_chat_cut": ("The chat is longer than the {context}-token context: the oldest {n} message(s) were "
                      "left out.", "对话超过 {context} 个 token 的上下文：最早的 {n} 条消息被略去。"),
    "note_no_answer": ("The reader preferred “no answer” in every passage.", "阅读器在每个段落中都倾向于“无答案”。"),
    "note_no_model_passages": ("No generation model could be loaded, so no answer was chosen: read the marked "
                               "evidence sentence and the passages.",
                               "无法加载生成模型，因此没有选出答案：请阅读标出的证据句和段落。"),
    "note_no_model": ("No generation model could be loaded: read the marked evidence sentence.",
                      "无法加载生成模型：请阅读标出的证据句。"),
    "note_refused": ("The best passage scores {score}, below the {needed} needed to answer; the documents do "
                     "not seem to cover this question.",
                     "最佳段落得分 {score}，低于作答所需的 {needed}；这些文档似乎没有涉及这个问题。"),
    "note_chat_none": ("The chat model found no answer in the passages.", "对话模型在段落中没有找到答案。"),
    "note_unsupported": ("No passage sentence clearly supports this answer: the marked sentence is the one "
                         "closest to the question. Check the answer against it.",
                         "没有哪个段落句子明确支持这个答案：标出的是与问题最接近的句子，请对照它核对答案。"),
    "note_hub_unreachable": ("{label} ({id}): the Hugging Face Hub is unreachable and {model} is not in the "
                             "local cache", "{label}（{id}）：连不上 Hugging Face Hub，本地缓存里也没有 {model}"),
    "note_missing_path": ("{label} ({id}): {path} does not exist", "{label}（{id}）：{path} 不存在"),
    "note_not_installed": ("{label} ({id}): not installed: run `{command}`", "{label}（{id}）：未安装，请运行 `{command}`"),
    "band_end": ("end of text", "文本结束"),
    "band_unscored": ("not scored", "未打分"),
    "tokens_label": ("Generated tokens: colour = probability of the drawn token (click a token to see its step)",
                     "生成的 token：颜色表示抽中 token 的概率（点击 token 查看那一步）"),
    "run_summary": ("Summary: model, speed, why it stopped", "概要：模型、速度、结束原因"),
    "next_token_view": ("Next-token view: candidates at each step", "下一个 token：每一步的候选"),
    "step": ("Step", "步骤"),
    "chosen_step": ("The chosen step", "所选步骤"),
    "stage_model": ("(a) as the model gives it", "(a) 模型给出的分布"),
    "stage_adjusted": ("(b) + penalty, temperature", "(b) 加上惩罚与温度"),
    "stage_filtered": ("(c) + top-k/top-p: drawn from", "(c) 再经 top-k/top-p：从中抽取"),
    "run_json": ("The run as JSON (every step’s candidates)", "本次运行的 JSON（每一步的候选）"),
    "run_json_label": ("The run: every step’s candidates", "本次运行：每一步的候选"),
    "your_documents": ("Your documents", "你的文档"),
    "upload_docs": (f"TXT, MD, PDF or HTML files, up to {_MB} MB each (added as soon as they are uploaded)",
                    f"TXT、MD、PDF 或 HTML 文件，每个最大 {_MB} MB（上传后立即加入）"),
    "paste": ("…or paste text", "……或粘贴文本"),
    "add_pasted": ("Add the pasted text", "加入粘贴的文本"),
    "report": ("Report", "报告"),
    "use_examples": ("Include the example corpus (36 articles on language models)",
                     "包含示例语料（36 篇关于语言模型的文章）"),
    "mark_supported": ("found in the sources", "来源中有"),
    "mark_unsupported": ("NOT found in the sources", "来源中没有"),
    "mark_given": ("a word of the question", "问题中的词"),
    "what_answer": ("answer", "回答"),
    "what_summary": ("summary", "摘要"),
    "what_translation": ("translation", "译文"),
    "support_all": ("✅ every checked item of the {what} is in the sources ({n} checked)",
                    "✅ {what}中核对过的每一项都能在来源中找到（共核对 {n} 项）"),
    "support_bad": ("⚠️ <b>{bad} unsupported</b> of {n} checked items ({facts} number(s), date(s) or name(s))",
                    "⚠️ 核对的 {n} 项中有 <b>{bad} 项没有依据</b>（其中数字、日期或名称 {facts} 项）"),
    "indexed": ("Indexed **{n}** document(s) in {chunks} passages: {names}", "已索引 **{n}** 个文档，共 {chunks} 个段落：{names}"),
    "nothing_to_add": ("Nothing to add: upload files or paste text.", "没有可加入的内容：请上传文件或粘贴文本。"),
    "searching": ("Searching: {corpus}.", "检索范围：{corpus}。"),
    "support_json": ("Support marks as data", "支持标记（数据）"),
    "support_marks": ("Support marks", "支持标记"),
    "step_empty": ("Generate some text, then pick a step to see its candidates.",
                   "先生成一些文本，再选一步查看它的候选。"),
    "step_caption": ("Step {index}: drew **{token}** with probability {prob} (the model gave it {model_prob}); "
                     "{kept} token(s) left after top-k / top-p.",
                     "第 {index} 步：抽中 **{token}**，概率 {prob}（模型原本给它 {model_prob}）；经过 top-k / top-p "
                     "后剩下 {kept} 个 token。"),
    "step_legend": ("In the charts: ␣ = a space, ↵ = a line break, ⇥ = a tab, ∅ = part of a character split over "
                    "tokens; words in [brackets] are the model’s control tokens, e.g. [end of answer].",
                    "图中：␣ = 空格，↵ = 换行，⇥ = 制表符，∅ = 被拆到几个 token 里的一个字符的一部分；方括号里的"
                    "是模型的控制 token，例如 [end of answer]（回答结束）。"),
    "run_line": ("**{model}**{engine} · {tokens} tokens · {speed} tokens/s · first token after {first} s · seed {seed}",
                 "**{model}**{engine} · {tokens} 个 token · 每秒 {speed} 个 token · 首个 token 用时 {first} 秒 · "
                 "随机种子 {seed}"),
    "run_engine": (" · answered by the **{engine}** engine", " · 由 **{engine}** 引擎生成"),
    "run_writing": ("Writing… {tokens} of at most {limit} tokens so far{left}",
                    "正在生成……已写 {tokens} 个 token（最多 {limit} 个）{left}"),
    "writing_left": (" (at most about {time} more)", "，最多还需约 {time}"),
    "run_ended": ("ended: {why}", "结束原因：{why}"),
    "finish_eos": ("the model ended its answer", "模型结束了回答"),
    "finish_stop": ("a stop string ended it", "遇到了停止字符串"),
    "finish_length": ("it reached the most new tokens allowed", "达到了最多生成的 token 数"),
    "finish_cancelled": ("stopped by you", "被你停止"),
    # --- the progress of long work (indexing, abstractive summaries, files of texts) ----------------
    "progress_reading": ("Reading file {i} of {n}: {name}", "正在读取第 {i} 个文件（共 {n} 个）：{name}"),
    "progress_embedding": ("Embedding passages: {i} of {n}", "正在计算段落的嵌入向量：第 {i} 个（共 {n} 个）"),
    "progress_rows": ("Classified {i} of {n} rows", "已分类 {i} 行（共 {n} 行）"),
    "time_left": ("about {time} left", "预计还需约 {time}"),
    "seconds": ("{n} s", "{n} 秒"),
    "minutes": ("{n} min", "{n} 分钟"),
    # --- Generate ----------------------------------------------------------------------------------
    "tab_generate": ("Generate", "生成"),
    "generate_how": (
        "**How it works.** A language model gives the probability of a text word by word: "
        "P(W) = Π P(w<sub>i</sub> | w<sub>&lt;i</sub>). To write, it repeats one step: compute "
        "P(next token | the text so far), adjust it (penalty, temperature), keep the likeliest (top-k, "
        "top-p), draw one token, append it. Below, every token is coloured by its probability, and the "
        "charts show each step’s three stages.",
        "**原理。** 语言模型逐词给出一段文本的概率：P(W) = Π P(w<sub>i</sub> | w<sub>&lt;i</sub>)。"
        "写作时它反复执行同一步：计算 P(下一个 token | 已有文本)，加以调整（惩罚、温度），只保留最可能的"
        "几个（top-k、top-p），抽出一个 token 并接在后面。下方每个 token 按其概率着色，图表展示每一步的"
        "三个阶段。"),
    "prompt_placeholder": ("Text for the model to continue", "让模型接着写的文本"),
    "generate_run": ("Generate", "生成"),
    "score_accordion": ("Score a text: how expected is each token?", "给文本打分：每个 token 有多符合预期？"),
    "score_text": ("Text to score", "要打分的文本"),
    "score_run": ("Score", "打分"),
    "score_tokens": ("Tokens coloured by probability", "按概率着色的 token"),
    "score_info": ("Perplexity and summary", "困惑度与概要"),
    "score_line": ("Perplexity **{ppl}** · total log-probability {logprob} over {n} tokens · least expected: {worst}",
                   "困惑度 **{ppl}** · {n} 个 token 的总对数概率 {logprob} · 最出乎意料的：{worst}"),
    "scored_by": ("Scored by **{model}**", "打分模型：**{model}**"),
    "score_json": ("Score as JSON", "打分结果 JSON"),
    "score_json_label": ("Every token’s probability", "每个 token 的概率"),
    # --- Chat --------------------------------------------------------------------------------------
    "tab_chat": ("Chat", "对话"),
    "chat_how": (
        "**How it works.** The conversation is written into one text with the model’s chat template, "
        "and the model continues it token by token, exactly as on Generate, until it ends its turn.",
        "**原理。** 整段对话按模型的对话模板写成一段文本，模型像“生成”页一样逐个 token 续写，"
        "直到结束自己的回合。"),
    "conversation": ("Conversation", "对话"),
    "message": ("Message", "消息"),
    "message_placeholder": ("Say something and press Enter", "输入内容后按回车"),
    "send": ("Send", "发送"),
    "undo": ("Undo", "撤销"),
    "clear": ("Clear", "清空"),
    "system_prompt": ("System prompt", "系统提示词"),
    "chat_use_documents": ("Use my documents (those added on Ask/Search) and mark the answer against them",
                           "使用我的文档（在问答/检索页加入的），并据此标记回答"),
    "chat_support": ("Support marks of the last answer (green = in the passages, red = not)",
                     "最近一次回答的支持标记（绿色 = 段落中有，红色 = 没有）"),
    "chat_passages_json": ("Passages and support marks as data", "段落与支持标记（数据）"),
    "chat_passages_label": ("Passages and support marks", "段落与支持标记"),
    # --- Ask ---------------------------------------------------------------------------------------
    "tab_ask": ("Ask", "问答"),
    "ask_how": (
        "**How it works (retrieval).** Ask a question: the closest passages are retrieved and a reader "
        "answers from them only. The answer is highlighted inside its passage below, and every number, "
        "date, name and word of the answer is marked green when the passages hold it, red when they do not.",
        "**原理（检索）。** 提出问题后，先检索出最相近的段落，再由阅读器只根据这些段落作答。答案会在下方"
        "所在段落中高亮，答案里的每个数字、日期、名称和词语：段落中有的标绿，没有的标红。"),
    "question": ("Question", "问题"),
    "ask_k": ("Passages to read (k)", "阅读的段落数 (k)"),
    "reader": ("Reader", "阅读器"),
    "who_answers": ("Who answers", "由谁回答"),
    "reader_auto": ("auto: extractive QA model if available, else the grounded reader",
                    "自动：有抽取式问答模型就用它，否则用有据阅读器"),
    "reader_extractive": ("extractive QA model (needs the Hugging Face Hub)", "抽取式问答模型（需要 Hugging Face Hub）"),
    "reader_grounded": ("grounded reader: an exact span of a passage, chosen by the chat model",
                        "有据阅读器：由对话模型选出段落中的原文片段"),
    "reader_chat": ("chat model writing an answer (may state what the passages do not say)",
                    "对话模型自己写答案（可能说出段落里没有的内容）"),
    "ask_go": ("Ask", "提问"),
    "answer": ("Answer", "答案"),
    "passages": ("Passages", "段落"),
    "ask_details": ("The answer as data (span, offsets, confidence, runners-up, support marks)",
                    "答案数据（片段、位置、置信度、备选、支持标记）"),
    "ask_details_label": ("Answer details", "答案详情"),
    "answered_by": ("Answered by **{how}**", "回答方式：**{how}**"),
    "answered_extractive": ("extractive QA (answer span copied from a passage)", "抽取式问答（答案片段从段落中原样复制）"),
    "answered_grounded": ("grounded reader (an exact span of a passage, chosen by the chat model)",
                          "有据阅读器（由对话模型选出段落中的原文片段）"),
    "answered_chat-reader": ("chat model writing from the retrieved passages", "对话模型根据检索到的段落作答"),
    "answered_evidence": ("retrieval only: no model could read the passages", "仅检索：没有模型能阅读这些段落"),
    "answered_not-found": ("retrieval only: no passage scored high enough", "仅检索：没有得分足够高的段落"),
    "answer_confidence": (" · confidence {value}", " · 置信度 {value}"),
    "answer_threshold": (" (answers from {value})", "（{value} 以上才作答）"),
    "answer_span": ("Span copied from passage [{passage}], characters {start}–{end}.",
                    "片段复制自段落 [{passage}]，第 {start}–{end} 个字符。"),
    "runners_up": ("Runners-up: ", "备选："),
    "closest_sentence": ("Closest sentence to the question: ", "与问题最接近的句子："),
    # --- Search ------------------------------------------------------------------------------------
    "tab_search": ("Search", "检索"),
    "search_how": (
        "**How it works (retrieval).** Search the documents by meaning: passages are ranked by cosine "
        "similarity of their embeddings to the query’s. Documents you add are visible only in your session.",
        "**原理（检索）。** 按语义检索文档：把查询和每个段落都变成嵌入向量，按余弦相似度排序。"
        "你加入的文档只在你自己的会话中可见。"),
    "query": ("Query", "查询"),
    "search_k": ("Results (k)", "结果数 (k)"),
    "only_docs": ("Only these documents (empty = all)", "只搜这些文档（留空 = 全部）"),
    "search_go": ("Search", "检索"),
    "info": ("Info", "信息"),
    "corpus_map": ("Corpus map (PCA of passage embeddings)", "语料地图（段落嵌入的 PCA）"),
    "map_label": ("Map of the passages", "段落地图"),
    "save_load": ("Save or load your documents’ index", "保存或载入你的文档索引"),
    "save_note": ("Saving writes your documents’ index to the server under a random key: keep it, it is "
                  "the only way to load them again (and anyone holding it can).",
                  "保存会把你的文档索引以一个随机密钥存到服务器上：请记下它，这是再次载入的唯一方式"
                  "（任何拿到密钥的人都能载入）。"),
    "save_docs": ("Save my documents", "保存我的文档"),
    "key": ("Key", "密钥"),
    "load_key": ("Load by key", "用密钥载入"),
    "status": ("Status", "状态"),
    "search_info": ("{n} passages from {corpus} · embeddings: {model}", "{n} 个段落，来自 {corpus} · 嵌入模型：{model}"),
    "hit_score": ("score", "得分"),
    "hit_yours": (" (yours)", "（你的）"),
    "hit_position": ("page {page}, characters {start}–{end}", "第 {page} 页，第 {start}–{end} 个字符"),
    "hit_gap": ("the overlapping text is shown in passage {passage}", "重叠的文字显示在段落 {passage} 中"),
    "no_passages": ("No passages found.", "没有找到段落。"),
    # --- Summarize ---------------------------------------------------------------------------------
    "tab_summarize": ("Summarize", "摘要"),
    "summarize_how": (
        "**How it works.** Summarise a text two ways. **Extractive** picks the most central sentences "
        "(by sentence embeddings) and keeps them word for word. **Abstractive** has a model write a new "
        "summary; a small offline chat model can get facts wrong, so check it against the highlighted sentences.",
        "**原理。** 用两种方式摘要。**抽取式**按句子嵌入挑出最核心的句子，一字不改地保留。**生成式**由模型"
        "重新写一段摘要；离线的小对话模型可能把事实写错，请对照高亮的句子核对。"),
    "summarize_placeholder": ("Paste a text, upload a document or pick an example", "粘贴文本、上传文档或选一个示例"),
    "summarize_upload": ("…or upload a document (TXT, MD, PDF or HTML)", "……或上传文档（TXT、MD、PDF 或 HTML）"),
    "long_example": ("All three articles together (a long text: summarised in chunks)", "三篇文章合在一起（长文本：分块摘要）"),
    "extractive_head": ("### Extractive", "### 抽取式"),
    "sentences": ("Sentences", "句数"),
    "ratio": ("…or % of the sentences (0 = off)", "……或句子的百分比（0 = 不用）"),
    "ranking": ("Ranking", "排序方法"),
    "diversity": ("Redundancy removal (MMR)", "去除重复 (MMR)"),
    "extract_run": ("Extract key sentences", "抽取关键句"),
    "extractive_summary": ("Extractive summary", "抽取式摘要"),
    "how_made": ("How it was made", "生成方式"),
    "abstractive_head": ("### Abstractive", "### 生成式"),
    "summary_length": ("Max summary length (tokens)", "摘要最大长度（token）"),
    "beams": ("Beams (1 = greedy, streams; >1 = beam search, per chunk)", "束宽（1 = 贪心，逐字显示；>1 = 束搜索，按块显示）"),
    "write_run": ("Write a summary", "写摘要"),
    "abstractive_summary": ("Abstractive summary", "生成式摘要"),
    "model_method": ("Model and method", "模型与方法"),
    "summary_support": ("Support marks: green = in the text, red = not in the text", "支持标记：绿色 = 原文中有，红色 = 原文中没有"),
    "chunk_accordion": ("Chunk summaries (long texts)", "分块摘要（长文本）"),
    "chunk_label": ("Summaries of the chunks", "各块的摘要"),
    "highlighted": ("The text, with the extracted sentences highlighted", "原文，抽取出的句子已高亮"),
    "summary_line": ("**{kind}** · {method} · model: {model}", "**{kind}** · {method} · 模型：{model}"),
    "kind_extractive": ("Extractive", "抽取式"),
    "kind_abstractive": ("Abstractive", "生成式"),
    "kind_extractive_instead": ("Extractive (instead)", "抽取式（代替生成式）"),
    "stage_chunk": ("summarising chunk {a} of {b}", "正在摘要第 {a} 块（共 {b} 块）"),
    "stage_round": (" (round {c})", "（第 {c} 轮）"),
    "stage_combining": ("combining {a} chunk summaries", "正在合并 {a} 个分块摘要"),
    "stage_sentences": ("{a} of {b} sentences", "选出 {a} 句（共 {b} 句）"),
    "stage_summarising": ("summarising", "正在摘要"),
    "stage_done": ("done", "完成"),
    "chunk_n": ("Chunk {n}.", "第 {n} 块。"),
    "centroid": ("Centroid", "质心（Centroid）"),
}


def _merged(*tables: dict) -> dict:
    merged: dict[str, tuple[str, str]] = {}
    for table in tables:
        twice = set(merged) & set(table)
        if twice:
            raise ValueError(f"strings defined twice: {sorted(twice)}")
        merged.update(table)
    return merged


STRINGS = _merged(STRINGS, strings_inside.STRINGS)
