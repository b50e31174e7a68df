"""Search tab: semantic search over the example corpus and your own documents, with a 2-D map."""
import gradio as gr

from core.retrieval import corpus as corpora
from core.retrieval import search as core
from demos import render
from demos.widgets import Session, documents_panel, user_errors

TITLE = "Search"
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
    state = session.corpus
    gr.Markdown("Search the documents by meaning: passages are ranked by cosine similarity of their "
                "embeddings to the query's. Documents you add are visible only in your session.")
    use_examples = documents_panel("search", state)
    with gr.Row():
        query = gr.Textbox(label="Query", scale=4, elem_id="search-query")
        k = gr.Slider(1, core.MAX_K, value=5, step=1, label="Results (k)", scale=1, elem_id="search-k")
    docs = gr.Dropdown([p.name for p in corpora.example_files()], value=[], multiselect=True,
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


@user_errors
def run_search(query, k, docs, use_examples, corpus):
    """Semantic search: the top-k passages for the query with score, document, page and character
    offsets, the best-matching sentence highlighted, and a 2-D map of the corpus with the query and hits."""
    corpus = corpora.session(corpus, use_examples)
    result = core.search(corpus, query, k, docs or None)
    frame = core.corpus_map(corpus, result)
    info = render.notes_markdown([f"{len(result.hits)} passages from {result.corpus} · embeddings: "
                                  f"{result.model}"], result.notices)
    return render.hits_html(result.hits), frame, info, corpus


def document_choices(use_examples, corpus):
    return gr.Dropdown(choices=corpora.session(corpus, use_examples).documents())


@user_errors
def save_index(corpus):
    """Save this session's own documents' index; returns the key that loads it again."""
    key = corpora.save_corpus(corpus)
    return key, f"Saved {len(corpus.own)} passages. Your key: `{key}`"


@user_errors
def load_index(key, use_examples, corpus):
    """Load a saved index by its key, replacing this session's own documents."""
    corpus = corpora.load_corpus(corpora.session(corpus, use_examples), key)
    return corpus, f"Loaded: {corpus.describe()}."
