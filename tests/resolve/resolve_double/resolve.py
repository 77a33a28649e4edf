"""The `resolve`, `fusion` and `bmd` globals of a menu script, as the double provides them."""

from __future__ import annotations

from typing import Callable, Iterable, Optional

from .model import ProjectData
from .objects import PAGES, ProjectManager
from .remote import Remote, UndocumentedCall, api
from .ui import UIDispatcher, UIManager

FREE, STUDIO = "DaVinci Resolve", "DaVinci Resolve Studio"
# Export constants: (first version with it, value). Only the live object's ints work.
CONSTANTS = {"EXPORT_NONE": ((), 0), "EXPORT_AAF": ((), 1), "EXPORT_EDL": ((), 3), "EXPORT_FCP_7_XML": ((), 4),
             "EXPORT_FCPXML_1_8": ((), 5), "EXPORT_FCPXML_1_9": ((), 6), "EXPORT_FCPXML_1_10": ((18, 1), 7),
             "EXPORT_OTIO": ((18, 5), 16)}
NO_DIALOGS_ON_FREE = (19, 1)
NO_PYTHON_ON_FREE = (21, 1)


class Fusion:
    """Only what the plugin may touch: `UIManager` (None on the free edition since 19.1)."""

    def __init__(self, ui: Optional[UIManager]) -> None:
        self.UIManager = ui

    def __getattr__(self, name: str):
        raise UndocumentedCall(f"fusion.{name} is not used by Foley Bridge's documented calls")


class Bmd:
    def UIDispatcher(self, ui: UIManager) -> UIDispatcher:
        assert isinstance(ui, UIManager), "UIDispatcher needs fusion.UIManager"
        return UIDispatcher(ui)


class ResolveDouble(Remote):
    """A running Resolve: product, version, one open project; `missing` names calls this build lacks."""

    def __init__(self, project: Optional[ProjectData], product: str = STUDIO, version: tuple = (20, 2, 1, 5, ""),
                 missing: Iterable[str] = (), dialog_user: Optional[Callable] = None, page: str = "edit") -> None:
        self._owner = self
        self.product, self.version, self.missing, self.page = product, tuple(version), set(missing), page
        self.project = project
        free = product == FREE
        self.ui = None if free and self.version[:2] >= NO_DIALOGS_ON_FREE else UIManager(dialog_user)
        self.pages_opened: list[str] = []

    @property
    def scripting(self) -> bool:
        """Free 21.1+ runs no Python scripts: the double answers no project then."""
        return not (self.product == FREE and self.version[:2] >= NO_PYTHON_ON_FREE)

    def _constant(self, name: str) -> Optional[int]:
        since, value = CONSTANTS[name]
        return value if name not in self.missing and self.version[:3] >= tuple(since) else None

    def _constants(self) -> list[str]:
        return [name for name in CONSTANTS if self._constant(name) is not None]

    def __getattribute__(self, name: str):
        if name in CONSTANTS and object.__getattribute__(self, "_constant")(name) is not None:
            return object.__getattribute__(self, "_constant")(name)
        return super().__getattribute__(name)

    def globals(self) -> dict:
        """What Resolve puts into a menu script's globals."""
        fusion = self.Fusion()
        return {"resolve": self, "fusion": fusion, "fu": fusion, "bmd": Bmd()}

    @api("GetProductName()")
    def GetProductName(self):
        return self.product

    @api("GetVersion()")
    def GetVersion(self):
        return list(self.version)

    @api("GetVersionString()")
    def GetVersionString(self):
        return ".".join(str(v) for v in self.version[:3])

    @api("GetProjectManager()")
    def GetProjectManager(self):
        return ProjectManager(self, self.project) if self.scripting else None

    @api("Fusion()")
    def Fusion(self):
        return Fusion(self.ui)

    @api("OpenPage(pageName)")
    def OpenPage(self, pageName):
        assert pageName in PAGES, pageName
        self.page = pageName
        self.pages_opened.append(pageName)
        return True

    @api("GetCurrentPage()")
    def GetCurrentPage(self):
        return self.page
