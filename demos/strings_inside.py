"""The strings of the tabs that open a model up or train one (Sentiment, Attention, Layer by layer,
Compression, Fine-tune) and of Translate, English and simplified Chinese: key -> (en, zh-CN).
Part of demos.strings.STRINGS."""
from core import finetune
from core.compress import MAX_TEXT_TOKENS

STRINGS: dict[str, tuple[str, str]] = {
    # --- Sentiment ---------------------------------------------------------------------------------
    "tab_sentiment": ("Sentiment", "情感分析"),
    "rows_line": ("{rows} rows{shown} · {counts}", "{rows} 行{shown} · {counts}"),
    "rows_shown": (" (first {n} shown; the CSV has all)", "（显示前 {n} 行；CSV 文件中有全部）"),
    "model_line": ("Model: {model}", "模型：{model}"),
    "sentiment_how": (
        "**How it works.** A classifier reads the text and gives the probability of negative, neutral and "
        "positive, calibrated on held-out human-rated sentences, and the rating it expects (−4 to +4). To "
        "see why, each word’s share of log P(positive) − log P(negative) is measured (integrated gradients "
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
        "x<sub>j</sub> is token *j*’s value vector and **W<sub>ij</sub> = softmax<sub>j</sub>(q<sub>i</sub>·"
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
    "attention_empty": ("Type a sentence and press <b>Show attention</b>.", "输入一个句子，然后点击<b>显示注意力</b>。"),
    "layer": ("Layer", "层"),
    "head": ("Head", "头"),
    "summary": ("Summary", "概要"),
    "attention_view": ("Attention map and head view", "注意力图与头视图"),
    "all_heads": ("All heads: every layer (rows) and head (columns); click one to show it",
                  "所有头：每一层（行）和每个头（列）；点击查看"),
    "layer_json": ("This layer as JSON", "本层的 JSON"),
    "layer_json_label": ("This layer’s attention weights", "本层的注意力权重"),
    # --- Layer by layer ----------------------------------------------------------------------------
    "tab_layers": ("Layer by layer", "逐层"),
    "layers_how": (
        "**How it works.** A causal LM turns a sequence into a next-token distribution: every layer adds its "
        "update to a running vector per position (the residual stream), and at the end the final norm and the "
        "output head turn that vector into logits, softmax gives P(next token). The **logit lens** applies the "
        "same final norm and head after *every* layer, as if the model stopped there. Read each column top to "
        "bottom: the row of embeddings mostly repeats the input token (the head is tied to the embeddings), "
        "middle layers guess generic tokens, and the answer appears where the cells turn outlined (they are "
        "already the model’s final answer). Hover a cell for its top 5; click a column to plot it.",
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
    "lens_empty": ("Type a prompt and press <b>Show layer by layer</b>.", "输入提示词，然后点击<b>逐层显示</b>。"),
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
        "below). **Top-1 agreement** is the share of positions in your text where the variant’s most likely "
        "next token is fp32’s; **KL** is the mean KL(P<sub>fp32</sub> ‖ P<sub>variant</sub>) over those "
        "positions, in nats (0 = identical distributions); **perplexity** is exp of the mean negative "
        f"log-probability of your text’s actual next tokens. Up to {MAX_TEXT_TOKENS} tokens of the text are "
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
    "measuring": ("Measuring: ", "测量中："),
    "compression_line": ("{status} · **{model}** · {text} tokens of text scored, prompt {prompt} tokens",
                         "{status} · **{model}** · 文本中 {text} 个 token 已打分，提示词 {prompt} 个 token"),
    "load_average": (" · load average {load} on {cores} cores", " · 平均负载 {load}（{cores} 个核心）"),
    # the table’s columns, in the order of render_inside.COMPRESSION_COLUMNS
    "col_0": ("variant", "版本"),
    "col_1": ("weights", "权重"),
    "col_2": ("on disk (MB)", "磁盘占用 (MB)"),
    "col_3": ("in memory (MB)", "内存占用 (MB)"),
    "col_4": ("first token (s)", "首个 token 用时 (秒)"),
    "col_5": ("tokens/s", "每秒 token 数"),
    "col_6": ("top-1 agreement", "top-1 一致率"),
    "col_7": ("KL (nats/token)", "KL 散度（nats/token）"),
    "col_8": ("perplexity", "困惑度"),
    "col_9": ("greedy answer", "贪心解码的回答"),
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
