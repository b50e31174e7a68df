"""Every string of the page, English and simplified Chinese side by side: key -> (en, zh-CN).
Used through demos.i18n (t(key) on the page, text(key, locale) for the banner). Strings are
plain text or Markdown; `{name}` is filled in only where the banner says so."""
from core import finetune
from core.compress import MAX_TEXT_TOKENS
from core.text.documents import MAX_BYTES

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
    "tokens_label": ("Generated tokens: colour = probability of the drawn token (click a token to see its step)",
                     "生成的 token：颜色表示抽中 token 的概率（点击 token 查看那一步）"),
    "run_summary": ("Summary: model, speed, why it stopped", "概要：模型、速度、结束原因"),
    "next_token_view": ("Next-token view: candidates at each step", "下一个 token：每一步的候选"),
    "step": ("Step", "步骤"),
    "chosen_step": ("The chosen step", "所选步骤"),
    "stage_model": ("(a) as the model gives it", "(a) 模型给出的分布"),
    "stage_adjusted": ("(b) + penalty, temperature", "(b) 加上惩罚与温度"),
    "stage_filtered": ("(c) + top-k/top-p: drawn from", "(c) 再经 top-k/top-p：从中抽取"),
    "run_json": ("The run as JSON (every step's candidates)", "本次运行的 JSON（每一步的候选）"),
    "run_json_label": ("The run: every step's candidates", "本次运行：每一步的候选"),
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
                    "tokens; words in [brackets] are the model's control tokens, e.g. [end of answer].",
                    "图中：␣ = 空格，↵ = 换行，⇥ = 制表符，∅ = 被拆到几个 token 里的一个字符的一部分；方括号里的"
                    "是模型的控制 token，例如 [end of answer]（回答结束）。"),
    "run_line": ("**{model}**{engine} · {tokens} tokens · {speed} tokens/s · first token after {first} s · seed {seed}",
                 "**{model}**{engine} · {tokens} 个 token · 每秒 {speed} 个 token · 首个 token 用时 {first} 秒 · "
                 "随机种子 {seed}"),
    "run_engine": (" · answered by the **{engine}** engine", " · 由 **{engine}** 引擎生成"),
    "run_writing": ("Writing… {tokens} of at most {limit} tokens so far", "正在生成……已写 {tokens} 个 token（最多 {limit} 个）"),
    "run_ended": ("ended: {why}", "结束原因：{why}"),
    "finish_eos": ("the model ended its answer", "模型结束了回答"),
    "finish_stop": ("a stop string ended it", "遇到了停止字符串"),
    "finish_length": ("it reached the most new tokens allowed", "达到了最多生成的 token 数"),
    "finish_cancelled": ("stopped by you", "被你停止"),
    # --- Generate ----------------------------------------------------------------------------------
    "tab_generate": ("Generate", "生成"),
    "generate_how": (
        "**How it works.** A language model gives the probability of a text word by word: "
        "P(W) = Π P(w<sub>i</sub> | w<sub>&lt;i</sub>). To write, it repeats one step: compute "
        "P(next token | the text so far), adjust it (penalty, temperature), keep the likeliest (top-k, "
        "top-p), draw one token, append it. Below, every token is coloured by its probability, and the "
        "charts show each step's three stages.",
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
    "score_json_label": ("Every token's probability", "每个 token 的概率"),
    # --- Chat --------------------------------------------------------------------------------------
    "tab_chat": ("Chat", "对话"),
    "chat_how": (
        "**How it works.** The conversation is written into one text with the model's chat template, "
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
        "similarity of their embeddings to the query's. Documents you add are visible only in your session.",
        "**原理（检索）。** 按语义检索文档：把查询和每个段落都变成嵌入向量，按余弦相似度排序。"
        "你加入的文档只在你自己的会话中可见。"),
    "query": ("Query", "查询"),
    "search_k": ("Results (k)", "结果数 (k)"),
    "only_docs": ("Only these documents (empty = all)", "只搜这些文档（留空 = 全部）"),
    "search_go": ("Search", "检索"),
    "info": ("Info", "信息"),
    "corpus_map": ("Corpus map (PCA of passage embeddings)", "语料地图（段落嵌入的 PCA）"),
    "map_label": ("Map of the passages", "段落地图"),
    "save_load": ("Save or load your documents' index", "保存或载入你的文档索引"),
    "save_note": ("Saving writes your documents' index to the server under a random key: keep it, it is "
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
    # --- Sentiment ---------------------------------------------------------------------------------
    "tab_sentiment": ("Sentiment", "情感分析"),
    "sentiment_how": (
        "**How it works.** A classifier reads the text and gives the probability of negative, neutral and "
        "positive, calibrated on held-out human-rated sentences, and the rating it expects (−4 to +4). To "
        "see why, each word's share of log P(positive) − log P(negative) is measured (integrated gradients "
        "offline; leaving each word out for other models). The offline model reads English only.",
        "**原理。** 分类器读入文本，给出负面、中性、正面三类的概率（在留出的人工评分句子上校准），以及它预期的评分"
        "（−4 到 +4）。为了看出原因，测量每个词对 log P(正面) − log P(负面) 的贡献（离线模型用积分梯度，"
        "其他模型依次去掉每个词）。离线模型只能读英文。"),
    "sentiment_placeholder": ("A review, a comment, a sentence…", "一条评论、一句话……"),
    "classify": ("Classify", "分类"),
    "sentiment": ("Sentiment", "情感"),
    "calibration": ("Model and calibration", "模型与校准"),
    "which_words": ("Which words pushed it", "哪些词起了作用"),
    "classify_file_accordion": ("Classify a file (CSV, TSV or TXT; at most 10,000 rows, 20 MB)",
                                "给文件分类（CSV、TSV 或 TXT；最多 10,000 行、20 MB）"),
    "text_column": ("Text column", "文本列"),
    "classify_file": ("Classify file", "给文件分类"),
    "file_summary": ("File summary", "文件概要"),
    "results": ("Results", "结果"),
    "download_csv": ("Download results (CSV)", "下载结果（CSV）"),
    "your_finetuned": ("Your fine-tuned models (this session only)", "你微调的模型（仅限本次会话）"),
    "finetuned_menu": ("Model from the Fine-tune tab", "来自“微调”页的模型"),
    "finetuned_info": ("Train one in the Fine-tune tab, then press “Use in the Sentiment tab”.",
                       "先在“微调”页训练一个，再点“在情感页使用”。"),
    "classify_with_it": ("Classify with it", "用它分类"),
    # --- Attention ---------------------------------------------------------------------------------
    "tab_attention": ("Attention", "注意力"),
    "attention_how": (
        "**How it works (self-attention).** In every layer, each attention head rebuilds token *i* as a "
        "weighted mix of all tokens: **y<sub>i</sub> = Σ<sub>j</sub> W<sub>ij</sub> x<sub>j</sub>**, where "
        "x<sub>j</sub> is token *j*'s value vector and **W<sub>ij</sub> = softmax<sub>j</sub>(q<sub>i</sub>·"
        "k<sub>j</sub> / √d)** says how much of it token *i* takes. Each row of W sums to 1. Below, row *i* of "
        "the heat map is W<sub>i·</sub> (darker = more), and the head view draws a line from *i* (left) to *j* "
        "(right) as opaque as W<sub>ij</sub>. The chat model is a **decoder**: W<sub>ij</sub> = 0 for every *j* "
        "after *i* (the causal mask, hatched), so a token is built only from itself and what came before. The "
        "embedding model is an **encoder**: every token sees every other. Many heads park most of their weight "
        "on the first token (an \"attention sink\") when nothing else is relevant.",
        "**原理（自注意力）。** 每一层的每个注意力头，都把 token *i* 重建为所有 token 的加权混合："
        "**y<sub>i</sub> = Σ<sub>j</sub> W<sub>ij</sub> x<sub>j</sub>**，其中 x<sub>j</sub> 是 token *j* 的"
        "值向量，**W<sub>ij</sub> = softmax<sub>j</sub>(q<sub>i</sub>·k<sub>j</sub> / √d)** 表示 token *i* "
        "从中取多少。W 的每一行加起来等于 1。下方热力图的第 *i* 行就是 W<sub>i·</sub>（越深越多）；头视图从"
        "左边的 *i* 向右边的 *j* 画线，线的不透明度等于 W<sub>ij</sub>。对话模型是**解码器**：*i* 之后的每个 "
        "*j* 都有 W<sub>ij</sub> = 0（因果掩码，画斜线处），所以每个 token 只由自身和前面的内容构成。嵌入模型"
        "是**编码器**：每个 token 都能看到所有 token。没有别的相关内容时，许多头会把大部分权重放在第一个 "
        "token 上（称为“注意力汇点”）。"),
    "sentence": ("Sentence", "句子"),
    "attention_line": ("**{model}** · {tokens} tokens · {layers} layers × {heads} heads · all weights in {s} s · {how}",
                       "**{model}** · {tokens} 个 token · {layers} 层 × {heads} 个头 · 全部权重用时 {s} 秒 · {how}"),
    "attention_placeholder": ("A sentence of up to 64 tokens", "一句话，最多 64 个 token"),
    "model_chat": ("Chat model: decoder, causal", "对话模型：解码器，因果"),
    "model_embedding": ("Embedding model: encoder, bidirectional", "嵌入模型：编码器，双向"),
    "show_attention": ("Show attention", "显示注意力"),
    "layer": ("Layer", "层"),
    "head": ("Head", "头"),
    "summary": ("Summary", "概要"),
    "attention_view": ("Attention map and head view", "注意力图与头视图"),
    "all_heads": ("All heads: every layer (rows) and head (columns); click one to show it",
                  "所有头：每一层（行）和每个头（列）；点击查看"),
    "layer_json": ("This layer as JSON", "本层的 JSON"),
    "layer_json_label": ("This layer's attention weights", "本层的注意力权重"),
    # --- Layer by layer ----------------------------------------------------------------------------
    "tab_layers": ("Layer by layer", "逐层"),
    "layers_how": (
        "**How it works.** A causal LM turns a sequence into a next-token distribution: every layer adds its "
        "update to a running vector per position (the residual stream), and at the end the final norm and the "
        "output head turn that vector into logits, softmax gives P(next token). The **logit lens** applies the "
        "same final norm and head after *every* layer, as if the model stopped there. Read each column top to "
        "bottom: the row of embeddings mostly repeats the input token (the head is tied to the embeddings), "
        "middle layers guess generic tokens, and the answer appears where the cells turn outlined (they are "
        "already the model's final answer). Hover a cell for its top 5; click a column to plot it.",
        "**原理。** 因果语言模型把一个序列变成下一个 token 的分布：每一层都把自己的更新加到每个位置的一条"
        "向量上（残差流），最后由最终归一化和输出头把这条向量变成 logits，softmax 得到 P(下一个 token)。"
        "**logit lens** 在*每一层*之后都套用同样的最终归一化和输出头，仿佛模型在那里就停下。每一列从上往下"
        "读：嵌入那一行大多重复输入的 token（输出头与嵌入共享权重），中间层猜的是常见 token，答案出现在单元格"
        "加上边框的地方（它们已经是模型的最终答案）。鼠标悬停看前 5 名，点击一列画出曲线。"),
    "lens_line": ("After **{token}** (position {position}) the model predicts **{answer}** (p = {p}); {where} "
                  "({layers} layers).",
                  "在 **{token}**（第 {position} 个位置）之后，模型预测 **{answer}**（p = {p}）；{where}"
                  "（共 {layers} 层）。"),
    "lens_leads": ("it is the top prediction from **{layer}** on", "从 **{layer}** 起它就是首选预测"),
    "lens_never": ("it never leads before the output", "在输出之前它从未领先"),
    "lens_size": ("{model} · {tokens} tokens × {rows} rows in {s} s", "{model} · {tokens} 个 token × {rows} 行，用时 {s} 秒"),
    "lens_placeholder": ("Text for the model to continue (up to 48 tokens)", "让模型接着写的文本（最多 48 个 token）"),
    "lens_run": ("Show layer by layer", "逐层显示"),
    "lens_summary": ("Where the answer forms", "答案在哪里形成"),
    "lens_table": ("Top prediction per layer and position", "每层每个位置的首选预测"),
    "lens_curve": ("Where the answer forms (chosen position)", "答案在哪里形成（所选位置）"),
    "lens_curve_label": ("Probability per layer", "每层的概率"),
    "lens_json": ("Every layer and position as JSON", "每层每个位置的 JSON"),
    "lens_json_label": ("Every layer and position", "每层每个位置"),
    # --- Compression -------------------------------------------------------------------------------
    "tab_compression": ("Compression", "压缩"),
    "compression_how": (
        "**How it works.** Compression stores the same weights in fewer bits. Each row below is **the same "
        "model** at another precision, measured now on this machine (the timings move with the load, given "
        "below). **Top-1 agreement** is the share of positions in your text where the variant's most likely "
        "next token is fp32's; **KL** is the mean KL(P<sub>fp32</sub> ‖ P<sub>variant</sub>) over those "
        "positions, in nats (0 = identical distributions); **perplexity** is exp of the mean negative "
        f"log-probability of your text's actual next tokens. Up to {MAX_TEXT_TOKENS} tokens of the text are "
        "scored and answers are greedy. Offline, the fp32 model is itself converted from the bundled 4-bit "
        "GGUF, so its weights already carry 4-bit rounding: the 4-bit row then differs from fp32 only by how "
        "llama.cpp computes. The first run builds each variant (seconds each); later runs reuse them.",
        "**原理。** 压缩是用更少的比特存储同样的权重。下面每一行都是**同一个模型**的不同精度，在本机上即时"
        "测量（耗时随负载变化，负载见下方）。**Top-1 一致率**是你的文本中该版本最可能的下一个 token 与 fp32 "
        "相同的位置占比；**KL** 是这些位置上 KL(P<sub>fp32</sub> ‖ P<sub>版本</sub>) 的平均值，单位为奈特"
        "（0 = 分布完全相同）；**困惑度**是文本中实际下一个 token 的平均负对数概率的指数。最多给文本的前 "
        f"{MAX_TEXT_TOKENS} 个 token 打分，回答用贪心解码。离线时 fp32 模型本身由自带的 4 位 GGUF 转换而来，"
        "权重已带有 4 位的舍入误差，因此 4 位那一行与 fp32 的差别只来自 llama.cpp 的计算方式。第一次运行会"
        "构建每个版本（各需几秒），之后会复用。"),
    "compression_text": ("Text to measure on", "用于测量的文本"),
    "compression_prompt": ("Prompt for the greedy answers", "贪心回答所用的提示词"),
    "variants": ("Variants", "版本"),
    "variant_fp32": ("fp32 (reference)", "fp32（基准）"),
    "variant_int8": ("int8 dynamic (torch)", "int8 动态量化（torch）"),
    "variant_int8w": ("int8 weights only", "仅权重 int8"),
    "variant_q4": ("4-bit GGUF (llama.cpp)", "4 位 GGUF（llama.cpp）"),
    "new_tokens": ("New tokens per answer", "每个回答的新 token 数"),
    "compare": ("Compare", "比较"),
    "status_notes": ("Status and notes", "状态与说明"),
    "variants_measured": ("Variants measured", "已测量的版本"),
    "measurement_json": ("The measurement as JSON", "测量结果 JSON"),
    "measurement_label": ("The measurement", "测量结果"),
    # --- Fine-tune ---------------------------------------------------------------------------------
    "tab_finetune": ("Fine-tune", "微调"),
    "finetune_how": (
        f"**How it works (fine-tuning).** Teach the embedding model (all-MiniLM-L6-v2) your own labels. Give "
        f"labelled examples; about a fifth of them are held out to check it. Training runs in the background "
        f"for at most **{finetune.TIME_BUDGET_S:.0f} s** on at most **{finetune.MAX_ROWS:,} examples** (one job "
        f"per session, {finetune.MAX_JOBS} on the server at once), then keeps what it learned. The model is "
        f"yours only: it is not visible to anyone else and is dropped when you close the page.",
        f"**原理（微调）。** 教嵌入模型 all-MiniLM-L6-v2 学会你自己的标签。给出带标签的例子，其中约五分之一"
        f"留出来做检验。训练在后台进行，最多 **{finetune.TIME_BUDGET_S:.0f} 秒**、最多 "
        f"**{finetune.MAX_ROWS:,} 个例子**（每个会话一个任务，服务器同时最多 {finetune.MAX_JOBS} 个），然后保留"
        f"学到的东西。模型只属于你：别人看不到，关闭页面后即被删除。"),
    "examples_label": ("Examples: one example a line, `label: text` (e.g. `sport: The match ended 2-1`)",
                       "例子：每行一个，格式为 `标签: 文本`（例如 `sport: The match ended 2-1`）"),
    "example_hotel": ("Hotel reviews", "酒店评论"),
    "example_topics": ("News topics", "新闻主题"),
    "csv_accordion": ("…or a CSV/TSV file (a text column and a label column)", "……或 CSV/TSV 文件（一列文本、一列标签）"),
    "label_column": ("Label column", "标签列"),
    "what_learns": ("What learns", "训练哪些部分"),
    "method_lora": ("LoRA adapters + head", "LoRA 适配器 + 分类头"),
    "method_head": ("head only (encoder frozen)", "只训练分类头（编码器冻结）"),
    "epochs": ("Epochs", "轮数"),
    "ft_where": ("epoch {epoch} of {epochs} · step {step} of {steps} · {s} s of at most {budget} s",
                 "第 {epoch} 轮（共 {epochs} 轮）· 第 {step} 步（共 {steps} 步）· 已用 {s} 秒（最多 {budget} 秒）"),
    "ft_starting": ("Preparing: {where} ({progress})", "准备中：{where}（{progress}）"),
    "ft_training": ("Training: {where} ({progress})", "训练中：{where}（{progress}）"),
    "ft_done": ("Done ({why}; {where}). Held-out accuracy **{before} → {after}** (before → after training).",
                "完成（{why}；{where}）。留出集准确率 **{before} → {after}**（训练前 → 训练后）。"),
    "ft_ended_done": ("all epochs done", "所有轮次已完成"),
    "ft_ended_time_budget": ("the time budget ran out (it keeps what it learned)", "时间用完了（保留已学到的）"),
    "ft_ended_cancelled": ("cancelled by you", "被你取消"),
    "ft_cancelled": ("Cancelled: nothing was kept.", "已取消：什么都没有保留。"),
    "ft_failed": ("Failed: {error}", "失败：{error}"),
    "train": ("Train", "训练"),
    "cancel": ("Cancel", "取消"),
    "training_loss": ("Training loss", "训练损失"),
    "heldout_accuracy": ("Held-out accuracy", "留出集准确率"),
    "predictions": ("Held-out examples: before and after training", "留出的例子：训练前后对比"),
    "model_key": ("Model key (for the API, in this session)", "模型密钥（供本会话的 API 使用）"),
    "use_in_sentiment": ("Use in the Sentiment tab", "在情感页使用"),
    "job_json": ("The job as JSON", "任务 JSON"),
    "job": ("Job", "任务"),
    # --- Translate ---------------------------------------------------------------------------------
    "tab_translate": ("Translate", "翻译"),
    "translate_how": (
        "**How it works.** Translate between English and Chinese. A translation model (Helsinki-NLP opus-mt, "
        "a Marian encoder-decoder) is used wherever it can be had; offline, the chat model is asked to "
        "translate, which a model this small does badly: the result says so.",
        "**原理。** 在英文和中文之间互译。能获取翻译模型（Helsinki-NLP opus-mt，一种 Marian 编码器-解码器）"
        "时就用它；离线时则让对话模型来翻译，这么小的模型翻得很差，结果中会注明。"),
    "translate_placeholder": ("English or Chinese text", "英文或中文文本"),
    "direction": ("Direction", "方向"),
    "detect": ("Detect", "自动检测"),
    "en_zh": ("English → Chinese", "英文 → 中文"),
    "zh_en": ("Chinese → English", "中文 → 英文"),
    "automatic": ("Automatic (by direction)", "自动（按方向选择）"),
    "translation_line": ("**{direction}** · {method} · model: {model} · {stage}",
                         "**{direction}** · {method} · 模型：{model} · {stage}"),
    "translate_run": ("Translate", "翻译"),
    "translation": ("Translation", "译文"),
    "how_translated": ("How it was translated", "翻译方式"),
    "translate_marks": ("Numbers and names checked against the source", "与原文核对过的数字和名称"),
    "result_json": ("The result as JSON", "结果 JSON"),
    "result": ("Result", "结果"),
}
