"""Search tab: semantic search over the example corpus and your own documents, with a 2-D map."""
import gradio as gr

from core import search as core
from core.documents import MAX_BYTES, SUPPORTED_TEXT
from core.index import IndexingError
from core.loader import ModelUnavailable

TITLE = "Search"
ERRORS = (core.SearchError, IndexingError, ModelUnavailable, ValueError)
CSS = """
.llmlab-hit { border: 1px solid var(--border-color-primary); border-radius: 6px; padding: 8px 10px;
              margin-bottom: 8px; }
.llmlab-hit-head { font-size: 0.9em; opacity: 0.85; margin-bottom: 4px; }
.llmlab-hit mark { background: #ffe58a; color: inherit; padding: 0 2px; border-radius: 2px; }
"""
EXAMPLES = ["How does attention decide which tokens matter?", "ways to make models smaller",
            "What is the risk of fine-tuning too long?", "tokens per parameter"]


# --- pieces shared with the Ask tab (one session corpus for both tabs) -----------------------

def corpus_state() -> gr.State:
    """The session's corpus, one gr.State per app shared by the Ask and Search tabs."""
    root = gr.context.Context.root_block
    state = getattr(root, "_llmlab_corpus", None)
    if state is None:
        state = gr.State(None)
        root._llmlab_corpus = state
    return state


def documents_panel(prefix: str, state: gr.State) -> gr.Checkbox:
    """Upload / paste controls; returns the 'include the example corpus' checkbox."""
    with gr.Accordion("Your documents", open=False):
        files = gr.File(label=f"{SUPPORTED_TEXT} files, up to {MAX_BYTES // 2**20} MB each",
                        file_count="multiple", elem_id=f"{prefix}-files")
        text = gr.Textbox(label="…or paste text", lines=3, max_lines=12, elem_id=f"{prefix}-paste")
        add = gr.Button("Add to my documents", elem_id=f"{prefix}-add")
        status = gr.Markdown(label="Report", elem_id=f"{prefix}-status")
    examples = gr.Checkbox(True, label="Include the example corpus (36 articles on language models)",
                           elem_id=f"{prefix}-use-examples")
    add.click(add_documents, [files, text, examples, state], [state, status],
              api_name=f"{prefix}_add_documents")
    return examples


def add_documents(files, text, use_examples, corpus, progress=gr.Progress()):
    """Add documents (TXT, MD, PDF, HTML files and/or pasted text) to this session's private corpus.
    Returns a report of what was indexed and what was skipped, and why."""
    corpus = core.session(corpus, use_examples)
    try:
        report = core.ingest(corpus, files or [], text or "", progress)
    except ERRORS as err:
        raise gr.Error(str(err)) from None
    return corpus, report.markdown() + f"\n\nSearching: {corpus.describe()}."


# --- the tab -------------------------------------------------------------------------------------

def build() -> None:
    state = corpus_state()
    gr.Markdown("Search the documents by meaning: passages are ranked by cosine similarity of their "
                "embeddings to the query's. Documents you add are visible only in your session.")
    use_examples = documents_panel("search", state)
    with gr.Row():
        query = gr.Textbox(label="Query", scale=4, elem_id="search-query")
        k = gr.Slider(1, core.MAX_K, value=5, step=1, label="Results (k)", scale=1, elem_id="search-k")
    docs = gr.Dropdown([p.name for p in core.example_files()], value=[], multiselect=True,
                       allow_custom_value=True,  # the session's own documents join on focus
                       label="Only these documents (empty = all)", elem_id="search-docs")
    go = gr.Button("Search", variant="primary", elem_id="search-go")
    gr.Examples(EXAMPLES, query)
    info = gr.Markdown(label="Info", elem_id="search-info")
    with gr.Row():
        results = gr.HTML(label="Passages", elem_id="search-results")
        chart = gr.ScatterPlot(x="x", y="y", color="kind", tooltip=["kind", "document", "passage"],
                               color_map={"passage": "#9aa5b1", "hit": "#ff7f0e", "query": "#d62728"},
                               title="Corpus map (PCA of passage embeddings)", height=420,
                               elem_id="search-map")
    with gr.Accordion("Save or load your documents' index", open=False):
        gr.Markdown("Saving writes your documents' index to the server under a random key: keep it, "
                    "it is the only way to load them again (and anyone holding it can).")
        with gr.Row():
            save = gr.Button("Save my documents", elem_id="search-save")
            key = gr.Textbox(label="Key", elem_id="search-key")
            load = gr.Button("Load by key", elem_id="search-load")
        saved = gr.Markdown(label="Status", elem_id="search-saved")
    gr.on([go.click, query.submit], run_search, [query, k, docs, use_examples, state],
          [results, chart, info, state], api_name="search_query")
    docs.focus(document_choices, [use_examples, state], docs, api_visibility="private",
               show_progress="hidden")
    save.click(save_index, state, [key, saved], api_name="search_save_index")
    load.click(load_index, [key, use_examples, state], [state, saved], api_name="search_load_index")


def run_search(query, k, docs, use_examples, corpus):
    """Semantic search: the top-k passages for the query with score, document, page and character
    offsets, the best-matching sentence highlighted, and a 2-D map of the corpus with the query and hits."""
    corpus = core.session(corpus, use_examples)
    try:
        result = core.search(corpus, query, k, docs or None)
        frame = core.corpus_map(corpus, result)
    except ERRORS as err:
        raise gr.Error(str(err)) from None
    info = "\n\n".join([f"{len(result.hits)} passages from {result.corpus} · embeddings: {result.model}"]
                       + [f"⚠️ {n}" for n in result.notices])
    return result.html(), frame, info, corpus


def document_choices(use_examples, corpus):
    return gr.Dropdown(choices=core.session(corpus, use_examples).documents())


def save_index(corpus):
    """Save this session's own documents' index; returns the key that loads it again."""
    try:
        key = core.save_corpus(corpus)
    except ERRORS as err:
        raise gr.Error(str(err)) from None
    return key, f"Saved {len(corpus.own)} passages. Your key: `{key}`"


def load_index(key, use_examples, corpus):
    """Load a saved index by its key, replacing this session's own documents."""
    try:
        corpus = core.load_corpus(core.session(corpus, use_examples), key)
    except ERRORS as err:
        raise gr.Error(str(err)) from None
    return corpus, f"Loaded: {corpus.describe()}."
