"""One module per tab, in the order the tabs appear. Each has TITLE and build()."""
TABS = ["generate", "chat", "ask", "search", "summarize", "sentiment"]
