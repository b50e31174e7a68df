"""Where models come from and run: the Hub probe (hub), device and dtype (device), the task table
(registry), the GGUF conversion cache (gguf) and the one loader every tab shares (loader)."""
