"""Fusion's UIManager as the double gives it: widgets hold their properties, and `RunLoop` hands the
window to a scripted user (a test function) who types and clicks as a person would."""

from __future__ import annotations

from typing import Callable, Optional

KINDS = {"VGroup", "HGroup", "Label", "LineEdit", "TextEdit", "ComboBox", "CheckBox", "Button", "SpinBox"}
PROPERTIES = {"ID", "Text", "PlaceholderText", "Checked", "Enabled", "Value", "Minimum", "Maximum", "MinimumSize",
              "MaximumSize", "WordWrap", "Weight", "ReadOnly", "CurrentText", "CurrentIndex", "Alignment"}


class Widget:
    def __init__(self, kind: str, props: dict, children: list) -> None:
        unknown = set(props) - PROPERTIES
        assert not unknown, f"{kind} has no properties {unknown}"
        object.__setattr__(self, "_state", {"kind": kind, "props": {"Enabled": True, **props}, "children": children,
                                            "items": []})

    def __getattr__(self, name: str):
        state = object.__getattribute__(self, "_state")
        if name == "CurrentText":
            items, index = state["items"], state["props"].get("CurrentIndex", 0)
            return items[index] if 0 <= index < len(items) else ""
        if name in PROPERTIES:
            return state["props"].get(name, "" if name in ("Text", "PlaceholderText") else None)
        raise AttributeError(f"{state['kind']}.{name} is not a UIManager property this double knows")

    def __setattr__(self, name: str, value) -> None:
        state = object.__getattribute__(self, "_state")
        if name == "CurrentText":
            if value in state["items"]:
                state["props"]["CurrentIndex"] = state["items"].index(value)
            return
        assert name in PROPERTIES, f"{state['kind']}.{name} is not a UIManager property"
        state["props"][name] = value

    def AddItems(self, names) -> None:
        self._state["items"].extend(str(n) for n in names)

    def AddItem(self, name) -> None:
        self._state["items"].append(str(name))

    def walk(self):
        yield self
        for child in self._state["children"]:
            yield from child.walk()


class UIManager:
    """Widget factories: `ui.VGroup([children])`, `ui.VGroup({props}, [children])`, `ui.Label({props})`."""

    def __init__(self, user: Optional[Callable] = None) -> None:
        self.user = user

    def __getattr__(self, kind: str):
        if kind not in KINDS:
            raise AttributeError(f"UIManager.{kind} is not a widget this double knows")

        def make(props=None, children=None):
            if isinstance(props, list):
                props, children = {}, props
            return Widget(kind, dict(props or {}), list(children or []))

        return make


class Events:
    """`window.On.Generate.Clicked = handler`, `window.On["Window"].Close = handler`."""

    def __init__(self) -> None:
        object.__setattr__(self, "handlers", {})

    def __getattr__(self, widget_id: str):
        return self[widget_id]

    def __getitem__(self, widget_id: str):
        handlers = self.handlers

        class Slot:
            def __setattr__(self, event: str, handler) -> None:
                handlers[(widget_id, event)] = handler

        return Slot()


class Window:
    def __init__(self, dispatcher: "UIDispatcher", props: dict, children: list) -> None:
        self.dispatcher, self.props, self.children = dispatcher, props, children
        self.On = Events()
        self.shown = False

    def GetItems(self) -> dict:
        return {w.ID: w for child in self.children for w in child.walk() if w.ID}

    def Show(self) -> None:
        self.shown = True

    def Hide(self) -> None:
        self.shown = False

    # what the scripted user does
    def type(self, widget_id: str, text: str) -> None:
        self.GetItems()[widget_id].Text = text

    def click(self, widget_id: str) -> None:
        widget = self.GetItems()[widget_id]
        assert widget.Enabled, f"{widget_id} is disabled"
        self.On.handlers[(widget_id, "Clicked")]({"who": widget_id})

    def close(self) -> None:
        self.On.handlers[(self.props["ID"], "Close")]({"who": self.props["ID"]})


class UIDispatcher:
    def __init__(self, ui: UIManager) -> None:
        self.ui = ui
        self.running = False
        self.windows: list[Window] = []

    def AddWindow(self, props: dict, children) -> Window:
        window = Window(self, dict(props), children if isinstance(children, list) else [children])
        self.windows.append(window)
        return window

    def RunLoop(self) -> None:
        assert self.ui.user is not None, "a dialog opened but the test gave no user to answer it"
        self.running = True
        window = self.windows[-1]
        assert window.shown, "RunLoop before Show"
        self.ui.user(window)
        assert not self.running, "the user is done but the dialog did not end its loop (ExitLoop)"

    def ExitLoop(self) -> None:
        self.running = False
