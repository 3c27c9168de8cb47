"""ClickSend's v3 API over Membrane's proxy: services per subject and their lenient parsers."""
