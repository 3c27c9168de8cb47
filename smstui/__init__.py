"""smstui: business SMS from a terminal, through ClickSend via Membrane."""

__version__ = "0.1.0"
