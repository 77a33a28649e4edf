"""The Studio dialog (Fusion's UIManager, None on the free edition since 19.1): the chosen clips with
editable prompts, engine, profile, seeds, output folder, Generate / Cancel and a progress line per clip."""

from typing import Any, Callable, List, NamedTuple, Optional

from .prompts import ClipPrompt

WINDOW = "FoleyBridge"
AUTO_SEED = ""  # an empty seed field: the server picks a stable seed per clip


class Choices(NamedTuple):
    prompts: List[ClipPrompt]
    engine: str
    profile: str
    output_dir: str
    new_timeline: bool


def ui_manager(resolve: Any, fusion: Any) -> Any:
    """Fusion's UIManager, or None where dialogs are unavailable (free edition, or no Fusion object)."""
    if fusion is None:
        fusion = resolve.Fusion()
    return getattr(fusion, "UIManager", None) if fusion is not None else None


def _seed_text(seed: Optional[int]) -> str:
    return AUTO_SEED if seed is None else str(seed)


def _parse_seed(text: str, label: str) -> Optional[int]:
    text = (text or "").strip()
    if not text:
        return None
    try:
        seed = int(text)
    except ValueError:
        raise ValueError("the seed of {} must be a whole number (or empty for an automatic one), not {!r}".format(
            label, text))
    if not 0 <= seed < 2 ** 31:
        raise ValueError("the seed of {} must lie between 0 and 2147483647".format(label))
    return seed


class FoleyDialog:
    """One window; `run` blocks in Fusion's event loop until Generate finished or the user cancelled."""

    def __init__(self, ui: Any, bmd: Any, title: str, heading: str, labels: List[str], prompts: List[ClipPrompt],
                 engines: List[str], profiles: List[str], options: dict) -> None:
        self.ui, self.labels, self.prompts = ui, labels, prompts
        self.dispatcher = bmd.UIDispatcher(ui)
        rows = [ui.HGroup([
            ui.Label({"ID": "Name{}".format(i), "Text": label, "MinimumSize": [220, 0]}),
            ui.LineEdit({"ID": "Prompt{}".format(i), "Text": p.prompt, "PlaceholderText": "prompt (empty: from the picture)"}),
            ui.LineEdit({"ID": "Negative{}".format(i), "Text": p.negative_prompt, "PlaceholderText": "negative prompt"}),
            ui.LineEdit({"ID": "Seed{}".format(i), "Text": _seed_text(p.seed), "PlaceholderText": "seed", "MaximumSize": [90, 30]}),
            ui.Label({"ID": "Progress{}".format(i), "Text": "", "MinimumSize": [140, 0]}),
        ]) for i, (label, p) in enumerate(zip(labels, prompts))]
        self.window = self.dispatcher.AddWindow({"ID": WINDOW, "WindowTitle": title, "Geometry": [200, 200, 980, 160 + 34 * len(rows)]}, [
            ui.VGroup([
                ui.Label({"ID": "Heading", "Text": heading}),
                *rows,
                ui.HGroup([ui.Label({"Text": "Engine"}), ui.ComboBox({"ID": "Engine"}),
                           ui.Label({"Text": "Profile"}), ui.ComboBox({"ID": "Profile"})]),
                ui.HGroup([ui.Label({"Text": "Output folder"}), ui.LineEdit({"ID": "OutputDir", "Text": options["output_dir"]})]),
                ui.CheckBox({"ID": "NewTimeline", "Text": "Put the Foley on a new timeline (this one stays untouched)",
                             "Checked": bool(options["new_timeline"])}),
                ui.Label({"ID": "Status", "Text": "", "WordWrap": True}),
                ui.HGroup([ui.Button({"ID": "Generate", "Text": "Generate"}), ui.Button({"ID": "Cancel", "Text": "Cancel"})]),
            ]),
        ])
        self.items = self.window.GetItems()
        for box, names, current in ((self.items["Engine"], engines, options["engine"]),
                                    (self.items["Profile"], profiles, options["profile"])):
            box.AddItems(names)
            if current in names:
                box.CurrentText = current
        self.finished = False

    def choices(self) -> Choices:
        """What the user set; ValueError names a field that needs fixing."""
        edited = []
        for i, (label, p) in enumerate(zip(self.labels, self.prompts)):
            edited.append(p._replace(prompt=self.items["Prompt{}".format(i)].Text.strip(),
                                     negative_prompt=self.items["Negative{}".format(i)].Text.strip(),
                                     seed=_parse_seed(self.items["Seed{}".format(i)].Text, label)))
        output_dir = self.items["OutputDir"].Text.strip()
        if not output_dir:
            raise ValueError("choose an output folder for the WAVs")
        return Choices(edited, self.items["Engine"].CurrentText, self.items["Profile"].CurrentText, output_dir,
                       bool(self.items["NewTimeline"].Checked))

    def progress(self, row: int, text: str) -> None:
        self.items["Progress{}".format(row)].Text = text

    def status(self, text: str) -> None:
        self.items["Status"].Text = text

    def run(self, on_generate: Callable[[Choices], str], on_error: Callable[[Exception], Optional[str]]) -> bool:
        """Show the window; on Generate call `on_generate(choices)` and close with its summary. An error that
        `on_error` turns into a message stays on show so the user can fix it or cancel. True once generated."""

        def generate(event: Any) -> None:
            self.items["Generate"].Enabled = False
            self.status("working...")
            try:
                self.status(on_generate(self.choices()))
                self.finished = True
                self.dispatcher.ExitLoop()
            except Exception as exc:
                message = on_error(exc)
                if message is None:
                    raise
                self.status(message)
                self.items["Generate"].Enabled = True

        def cancel(event: Any) -> None:
            self.dispatcher.ExitLoop()

        self.window.On.Generate.Clicked = generate
        self.window.On.Cancel.Clicked = cancel
        self.window.On[WINDOW].Close = cancel
        self.window.Show()
        self.dispatcher.RunLoop()
        self.window.Hide()
        return self.finished
