"""Read the forms on a page the way a browser would, to fill them in like a person does."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Control:
    name: str
    kind: str  # text, textarea, select, radio, checkbox, hidden, password, date, ...
    value: str = ""
    options: list[str] = field(default_factory=list)
    maxlength: int | None = None


@dataclass
class Form:
    action: str
    method: str
    controls: list[Control] = field(default_factory=list)

    def control(self, name: str) -> Control | None:
        return next((c for c in self.controls if c.name == name), None)


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: Control | None = None
        self._textarea: Control | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._form = Form(a.get("action", ""), a.get("method", "get").lower())
            self.forms.append(self._form)
            return
        if self._form is None or tag not in ("input", "select", "textarea", "option"):
            return
        if tag == "option" and self._select is not None:
            self._select.options.append(a.get("value", ""))
            return
        name = a.get("name")
        if not name:
            return
        maxlength = int(a["maxlength"]) if a.get("maxlength", "").isdigit() else None
        kind = {"select": "select", "textarea": "textarea"}.get(tag, a.get("type", "text"))
        control = Control(name, kind, a.get("value", ""), maxlength=maxlength)
        self._form.controls.append(control)
        if tag == "select":
            self._select = control
        elif tag == "textarea":
            self._textarea = control

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea.value += data


def forms_on(html: str) -> list[Form]:
    parser = _Parser()
    parser.feed(html)
    return parser.forms
