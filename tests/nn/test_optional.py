"""nn.optional: a missing extra is one line naming what to install; a broken one is not hidden."""

from __future__ import annotations

import sys
import types

import pytest

from nn.optional import EXTRAS, install_hint, optional, require


def test_present_module_is_returned() -> None:
    assert require("json", "plot", "x") is sys.modules["json"]
    assert optional("json.decoder", "plot", "x") is sys.modules["json.decoder"]


def test_require_missing_raises_one_line_with_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    # Both names: another test may already have imported matplotlib.figure.
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    with pytest.raises(ImportError) as info:
        require("matplotlib.figure", "plot", "curves.png needs matplotlib")
    assert str(info.value) == ("curves.png needs matplotlib: matplotlib is not installed "
                               "(pip install 'chainrule[plot]')")


def test_optional_missing_prints_one_note_and_returns_none(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setitem(sys.modules, "tqdm", None)
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    assert optional("tqdm.auto", "progress", "no progress bar") is None
    err = capsys.readouterr().err
    assert err == ("note: no progress bar: tqdm is not installed "
                   "(pip install 'chainrule[progress]')\n")


def test_broken_installed_module_is_not_reported_as_missing(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # A module that is there but fails inside (its own missing dependency) must show that
    # real error, not a misleading "install the extra".
    broken = types.ModuleType("brokenpkg")
    broken.__path__ = []  # a package, so importing brokenpkg.sub goes through the finder
    monkeypatch.setitem(sys.modules, "brokenpkg", broken)
    monkeypatch.setitem(sys.modules, "some_dependency", None)

    class Finder:
        def find_spec(self, name: str, path: object, target: object = None) -> None:
            if name == "brokenpkg.sub":
                import some_dependency  # noqa: F401 - raises ImportError(name="some_dependency")

    monkeypatch.setattr(sys, "meta_path", [Finder(), *sys.meta_path])
    with pytest.raises(ImportError) as info:
        require("brokenpkg.sub", "plot", "x")
    assert info.value.name == "some_dependency"


def test_install_hint_names_only_known_extras() -> None:
    assert install_hint("mnist1d") == "pip install 'chainrule[mnist1d]'"
    with pytest.raises(ValueError, match="unknown extra 'nope'"):
        install_hint("nope")


def test_extras_match_pyproject() -> None:
    tomllib = pytest.importorskip("tomllib")
    import pathlib

    root = pathlib.Path(__file__).resolve().parents[2]
    extras = tomllib.loads((root / "pyproject.toml").read_text())["project"][
        "optional-dependencies"]
    for extra, packages in EXTRAS.items():
        declared = [p.split(">")[0].split("=")[0].split("[")[0] for p in extras[extra]]
        assert sorted(declared) == sorted(packages), extra
