"""The Search tab's endpoints through gradio_client, including two-session isolation."""
import pytest
from gradio_client import Client, handle_file
from gradio_client.exceptions import AppError


@pytest.fixture
def session(app_url):
    """A fresh browser-like session of its own (gradio keeps gr.State per client session)."""
    return Client(app_url, verbose=False)


def test_search_query_returns_passages_a_map_and_the_model(session):
    html, plot, info = session.predict("How many tokens are in the GPT-2 vocabulary?", 3, [], True,
                                       api_name="/search_query")
    assert html.count('class="llmlab-hit"') == 3 and "tokenization.md" in html
    assert "<mark>GPT-2 uses a byte-level BPE vocabulary of 50,257 tokens.</mark>" in html
    assert "all-MiniLM-L6-v2" in info and "36 example documents" in info
    assert "query" in str(plot) and "hit" in str(plot)


def test_two_sessions_never_see_each_others_documents(app_url, tmp_path):
    alice, bob = Client(app_url, verbose=False), Client(app_url, verbose=False)
    secret = tmp_path / "alice-secret.txt"
    secret.write_text("Alice keeps the spare key to the greenhouse under the third flowerpot.")
    report = alice.predict([handle_file(str(secret))], "", True, api_name="/search_add_documents")
    assert "Indexed **1** document(s)" in report
    question = "Where is the spare key to the greenhouse?"
    html, _, _ = alice.predict(question, 1, [], True, api_name="/search_query")
    assert "alice-secret.txt" in html and "(yours)" in html
    html, _, _ = bob.predict(question, 20, [], True, api_name="/search_query")
    assert "alice-secret.txt" not in html and "flowerpot" not in html
    with pytest.raises(AppError, match="Not in this corpus"):
        bob.predict(question, 3, ["alice-secret.txt"], True, api_name="/search_query")


def test_save_and_load_an_index_by_key(session, app_url, tmp_path, monkeypatch):
    monkeypatch.setenv("LLMLAB_DATA", str(tmp_path))  # the app runs in this process
    with pytest.raises(AppError, match="no documents of yours"):
        session.predict(api_name="/search_save_index")
    session.predict(None, "Axolotls can regrow their limbs and parts of their heart.", True,
                    api_name="/search_add_documents")
    key, message = session.predict(api_name="/search_save_index")
    assert key in message and len(key) >= 16
    other = Client(app_url, verbose=False)
    loaded = other.predict(key, False, api_name="/search_load_index")
    assert "1 of yours" in loaded
    html, _, _ = other.predict("animals that regrow limbs", 1, [], False, api_name="/search_query")
    assert "Axolotls" in html
    with pytest.raises(AppError, match="not a saved-index key"):
        other.predict("../../etc/passwd", True, api_name="/search_load_index")


def test_bad_files_get_clear_messages_and_the_session_keeps_working(session, tmp_path):
    files = {"image.txt": b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "empty.md": b"",
             "program.exe": b"MZ\x90\x00", "good.txt": b"Kiwis are flightless birds from New Zealand."}
    paths = []
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
        paths.append(handle_file(str(tmp_path / name)))
    report = session.predict(paths, "", False, api_name="/search_add_documents")
    assert "good.txt" in report and "image.txt: this is a PNG image" in report
    assert "empty.md: the file is empty" in report and "'.exe' files are not supported" in report
    html, _, _ = session.predict("flightless birds", 1, [], False, api_name="/search_query")
    assert "Kiwis" in html
    with pytest.raises(AppError, match="Type a question"):
        session.predict("  ", 3, [], True, api_name="/search_query")
