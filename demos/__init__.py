"""One module per tab, in the order the tabs appear. Each has TITLE and build(session), and may
have CSS. Shared pieces are in widgets, all formatting for the page in render."""
TABS = ["generate", "chat", "ask", "search", "summarize", "sentiment", "attention", "layers", "compression",
        "finetune", "translate"]
