"""Search tab: semantic search over the example corpus and your own documents, with a 2-D map."""
import gradio as gr

from core.errors import SearchError
from core.retrieval import corpus as corpora
from core.retrieval import search as core
from demos import render, render_passages, sessions
from demos.i18n import request_lang, t, text
from demos.widgets import Session, documents_panel, group, user_errors

TITLE = t("tab_search")
CSS = """
.llmlab-hit { border: 1px solid var(--border-color-primary); border-radius: 6px; padding: 8px 10px;
              margin-bottom: 8px; }
.llmlab-hit-head { font-size: 0.9em; opacity: 0.85; margin-bottom: 4px; }
.llmlab-hit mark { background: #ffe58a; color: inherit; padding: 0 2px; border-radius: 2px; }
"""
EXAMPLES = ["How does attention decide which tokens matter?", "ways to make models smaller",
            "What is the risk of fine-tuning too long?", "tokens per parameter"]


# --- the tab -------------------------------------------------------------------------------------

def build(session: Session) -> None:
    state, corpus_key = session.corpus, session.corpus_key
    gr.Markdown(t("search_how"))
    use_examples = documents_panel("search", session)
    with gr.Row():
        query = gr.Textbox(label=t("query"), scale=4, max_length=core.MAX_QUERY, elem_id="search-query")
        k = gr.Slider(1, core.MAX_K, value=5, step=1, label=t("search_k"), scale=1, elem_id="search-k")
    docs = gr.Dropdown([p.name for p in corpora.example_files()], value=[], multiselect=True,
                       allow_custom_value=True,  # the session's own documents join on focus
                       label=t("only_docs"), elem_id="search-docs")
    go = gr.Button(t("search_go"), variant="primary", elem_id="search-go")
    gr.Examples(EXAMPLES, query, label=t("examples"))
    info = gr.Markdown(label=t("info"), elem_id="search-info")
    with gr.Row():
        results = gr.HTML(label="Passages", elem_id="search-results")
        chart = gr.ScatterPlot(x="x", y="y", color="kind", tooltip=["kind", "document", "passage"],
                               color_map={"passage": "#9aa5b1", "hit": "#ff7f0e", "query": "#d62728"},
                               title=t("corpus_map"), height=420,
                               label=t("map_label"), elem_id="search-map")
    with gr.Accordion(t("save_load"), open=False):
        gr.Markdown(t("save_note"))
        with gr.Row():
            save = gr.Button(t("save_docs"), elem_id="search-save")
            key = gr.Textbox(label=t("key"), max_length=64, elem_id="search-key")
            load = gr.Button(t("load_key"), elem_id="search-load")
        saved = gr.Markdown(label=t("status"), elem_id="search-saved")
    gr.on([go.click, query.submit], run_search, [query, k, docs, use_examples, state, corpus_key],
          [results, chart, info], api_name="search_query", **group("search"))
    docs.focus(document_choices, [use_examples, state], docs, api_visibility="private",
               show_progress="hidden")
    save.click(save_index, [state, corpus_key], [key, saved], api_name="search_save_index")
    load.click(load_index, [key, use_examples, state, corpus_key], saved, api_name="search_load_index")


@user_errors
def run_search(query: str, k: int = 5, docs: list[str] | None = None, use_examples: bool = True,
               state: dict | None = None, corpus_key: str = "", request: gr.Request = None):
    """Semantic search over the example articles and your documents: the top-k passages for the
    query, each with its score, document, page, character offsets and best-matching sentence.

    Args:
        query: what to look for, in words (at most 2,000 characters).
        k: how many passages to return (1-20).
        docs: only search these documents (names as listed in the results); empty = all.
        use_examples: also search the 36 example articles on language models.
        corpus_key: the key add_documents gave for your private corpus; leave it out to search the example articles only (over MCP) or this session's documents.
    Returns:
        the passages as HTML; a 2-D map of the corpus with the query and hits; a line saying how many passages came from which documents and which embedding model ranked them.
    """
    corpus = sessions.documents(state, use_examples, corpus_key, request)
    result = core.search(corpus, query, k, docs or None)
    frame = core.corpus_map(corpus, result)
    lang = request_lang(request)
    info = render.notes_markdown([text("search_info", lang, n=len(result.hits), corpus=result.corpus,
                                       model=result.model)], result.notices)
    return render_passages.hits_html(result.hits, lang), frame, info


def document_choices(use_examples, state, request: gr.Request = None):
    return gr.Dropdown(choices=sessions.documents(state, use_examples, "", request).documents())


@user_errors
def save_index(state: dict | None = None, corpus_key: str = "", request: gr.Request = None):
    """Save your documents' index on the server; returns the key that loads it again later.

    Args:
        corpus_key: over MCP, the key add_documents gave for your private corpus.
    Returns:
        the key (anyone holding it can load these documents); a line saying what was saved.
    """
    if sessions.from_mcp(request) and not (corpus_key or "").strip():
        raise SearchError("Name the documents to save: pass the corpus_key that add_documents gave.")
    corpus, _ = sessions.documents_to_change(state, True, corpus_key, request)
    key = corpora.save_corpus(corpus)
    return key, f"Saved {len(corpus.own)} passages. Your key: `{key}`"


@user_errors
def load_index(key: str, use_examples: bool = True, state: dict | None = None, corpus_key: str = "",
               request: gr.Request = None):
    """Load documents saved with save_index, replacing your own documents.

    Args:
        key: the key save_index returned (24 letters, digits, - or _; at most 64 characters).
        use_examples: also search the 36 example articles on language models.
        corpus_key: over MCP, the private corpus to load them into; empty makes a new one.
    Returns:
        a line saying what is now searched (and, over MCP, the corpus key to use).
    """
    corpus, private = sessions.documents_to_change(state, use_examples, corpus_key, request)
    corpus.own = corpora.load_corpus(None, key).own
    return f"Loaded: {corpus.describe()}." + sessions.key_note(private)
