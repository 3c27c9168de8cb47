"""What ``smstui connect`` settles before connecting: credentials and the Membrane tenant.

A token minted from a workspace key + secret belongs to one tenant (``tenantKey``); a ClickSend
connection belongs to the tenant it was made under (for the Membrane CLI: the one chosen at
``membrane login``). So connect says which tenant it uses, asks on a terminal (the current one
is the default), and remembers the answer in config.toml. A token carries its own tenant.
"""

from __future__ import annotations

import getpass
import os

from smstui.cli.runtime import Runtime, settings_from_args
from smstui.core.config import save_credentials, save_setting
from smstui.core.errors import NoCredentialsError, UsageError
from smstui.core.safe_text import printable

_TENANT_ENV = "MEMBRANE_TENANT_KEY"


def ask_secret(rt: Runtime, prompt: str) -> str:
    """A secret typed without echo (the prompt on stderr: stdout stays clean)."""
    return getpass.getpass(prompt, stream=rt.out.stderr).strip()


def prepare(rt: Runtime) -> None:
    """Credentials present (asked for on a terminal) and the tenant settled; reloads
    ``rt.settings`` when anything was saved."""
    if rt.settings.sandbox:
        return
    if not rt.settings.has_credentials:
        _ask_credentials(rt)
    _settle_tenant(rt)


def _ask_credentials(rt: Runtime) -> None:
    if not rt.stdin_is_tty:
        raise NoCredentialsError()
    rt.out.note("No Membrane credentials are configured yet.")
    token = ask_secret(rt, "Membrane token (Enter to give a workspace key and secret instead): ")
    if token:
        path = save_credentials(token=token)
    else:
        key = rt.ask("Workspace key: ")
        secret = ask_secret(rt, "Workspace secret: ")
        if not key or not secret:
            raise NoCredentialsError("no Membrane credentials were given")
        path = save_credentials(workspace_key=key, workspace_secret=secret)
    rt.out.note(f"credentials saved to {printable(str(path))} (mode 0600)")
    rt.settings = settings_from_args(rt.args)


def _settle_tenant(rt: Runtime) -> None:
    s = rt.settings
    flag = getattr(rt.args, "tenant", None)
    if flag is not None and not flag.strip():
        raise UsageError("--tenant needs a tenant key")
    if s.token:
        if flag:
            rt.out.note("smstui: --tenant is ignored: the Membrane token carries its own tenant")
        return
    current = s.tenant_key or ""
    from_env = bool(os.environ.get(_TENANT_ENV))
    chosen = flag.strip() if flag else current
    if not flag and not from_env and rt.stdin_is_tty:
        answer = rt.ask(f"Membrane tenant key [{printable(current)}]: ")
        chosen = answer or current
    if flag or not from_env:  # the environment's choice is the environment's to keep
        save_setting("tenant_key", chosen)
        rt.settings = settings_from_args(rt.args)
    rt.out.note(f"tenant: {printable(rt.settings.tenant_key or chosen)}")
