"""The Membrane side: the HTTP client, its parsers, tokens, and which connection reaches ClickSend."""
