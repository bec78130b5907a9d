"""Page fragments from Jinja templates (casebook.site.fragments): autoescape, and errors that name the template."""
from __future__ import annotations

import pytest


def test_a_broken_or_missing_fragment_is_a_build_error_naming_it(tmp_path):
    from mkdocs.exceptions import PluginError

    from casebook.site.fragments import Fragments

    folder = tmp_path / "partials" / "casebook"
    folder.mkdir(parents=True)
    (folder / "panel.html").write_text("{% if %}", encoding="utf-8")
    frags = Fragments([str(tmp_path)])
    with pytest.raises(PluginError, match="panel.html"):
        frags.render("panel")
    with pytest.raises(PluginError, match="找不到模板 partials/casebook/citation.html"):
        frags.render("citation")
    (folder / "ok.html").write_text("<b>{{ name }}</b>\n\n{{ safe }}", encoding="utf-8")
    from markupsafe import Markup
    assert frags.render("ok", name="<i>", safe=Markup("<i>")) == "<b>&lt;i&gt;</b> <i>"   # autoescape
