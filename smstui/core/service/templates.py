"""Message templates: ClickSend's list, mirrored in the local store for instant reads."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from smstui.core.models import Template
    from smstui.core.service.workspace import Workspace


class TemplatesPart:
    def __init__(self, ws: Workspace) -> None:
        self._ws = ws

    def cached(self) -> list[Template]:
        """The templates as last fetched (local, fast: safe while painting)."""
        return self._ws._store().templates()

    async def refresh(self) -> list[Template]:
        """Fetch every page from ClickSend and replace the local copy."""
        templates = await self.fetch_all()
        self._ws._store().replace_templates(templates)
        return templates

    async def fetch_all(self) -> list[Template]:
        """Every template, page by page, from ClickSend (the local copy is not touched: the
        CLI keeps none, and a damaged store must not stop it listing templates)."""
        service = await self._ws._session().service()
        templates: list[Template] = []
        page_no = 1
        while True:
            page = await service.list_templates(page=page_no, limit=100)
            templates.extend(page.items)
            if not page.has_next or not page.items:
                break
            page_no = page.page + 1
        return templates

    async def get(self, template_id: str) -> Template:
        return await (await self._ws._session().service()).get_template(template_id)

    # ``mirror=False``: change ClickSend only, without refreshing the local copy (the CLI: a
    # change that reached ClickSend must not be reported as failed by a damaged store)

    async def create(self, name: str, body: str, *, mirror: bool = True) -> Template:
        template = await (await self._ws._session().service()).create_template(name, body)
        if mirror:
            await self.refresh()
        return template

    async def update(
        self, template_id: str, name: str | None, body: str | None, *, mirror: bool = True
    ) -> Template:
        """``None`` keeps that field as ClickSend has it."""
        service = await self._ws._session().service()
        template = await service.update_template(template_id, name=name, body=body)
        if mirror:
            await self.refresh()
        return template

    async def delete(self, template_id: str, *, mirror: bool = True) -> bool:
        await (await self._ws._session().service()).delete_template(template_id)
        if mirror:
            await self.refresh()
        return True
