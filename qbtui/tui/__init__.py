"""qbtui's dashboard (Textual). Entry point for the CLI: :func:`run`."""

from __future__ import annotations

from pathlib import Path

__all__ = ["run", "QbtuiApp"]


def run(profile_path: Path, *, profile: str, data_dir: Path, no_mouse: bool = False, firm: bool = False) -> None:
    """Open the dashboard on one profile's cache (``profile_path`` is its folder, i.e.
    ``qbtui.cache.profile_dir(data_dir, profile)``), or with ``firm`` the companies screen of every profile
    under ``data_dir``. Blocks until the user quits.
    ``NO_COLOR`` is honoured by Textual; ``no_mouse`` gives the terminal its own selection."""
    from .app import QbtuiApp

    app = QbtuiApp(Path(profile_path), profile=profile, data_dir=Path(data_dir), autosync=True, wizard=True,
                   firm=firm)
    app.run(mouse=not no_mouse)


def __getattr__(name: str):
    if name == "QbtuiApp":
        from .app import QbtuiApp
        return QbtuiApp
    raise AttributeError(name)
