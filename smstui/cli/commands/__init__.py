"""One module per command noun; each adds its commands to the tree with ``register(sub)``.

To add a command: write ``smstui/cli/commands/<noun>.py`` with its handlers and a
``register(sub)`` that calls ``argtree.command(sub, name, help, examples, handler=...)`` for
each command, then add ``"<noun>"`` to ``COMMAND_MODULES`` in ``smstui/cli/parser.py``.
"""
