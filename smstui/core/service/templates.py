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
        service = await self._ws._session().service()
        templates: list[Template] = []
        page_no = 1
        while True:
            page = await service.list_templates(page=page_no, limit=100)
            templates.extend(page.items)
            if not page.has_next:
                break
            page_no += 1
        self._ws._store().replace_templates(templates)
        return templates

    async def create(self, name: str, body: str) -> Template:
        template = await (await self._ws._session().service()).create_template(name, body)
        await self.refresh()
        return template

    async def update(self, template_id: str, name: str, body: str) -> Template:
        service = await self._ws._session().service()
        template = await service.update_template(template_id, name=name, body=body)
        await self.refresh()
        return template

    async def delete(self, template_id: str) -> bool:
        await (await self._ws._session().service()).delete_template(template_id)
        await self.refresh()
        return True
